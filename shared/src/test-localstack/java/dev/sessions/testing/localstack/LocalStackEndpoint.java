package dev.sessions.testing.localstack;

import cloud.localstack.Localstack;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.AwsEndpointSource;
import java.net.URI;
import software.amazon.awssdk.regions.Region;

/**
 * The LocalStack container that {@link LocalStackContainer} started (the {@code localstack}
 * profile registers that extension for every test class).
 */
public final class LocalStackEndpoint implements AwsEndpointSource {

    @Override
    public AwsEndpoint endpoint() {
        if (!Localstack.INSTANCE.isRunning()) {
            throw new IllegalStateException("LocalStack is not running: the localstack profile starts it with"
                    + " LocalStackContainer, which needs a Docker engine and LOCALSTACK_AUTH_TOKEN");
        }
        return new AwsEndpoint(URI.create(Localstack.INSTANCE.getEndpointDynamoDB()),
                Region.of(Localstack.getDefaultRegion()), true);
    }
}
