package dev.sessions.testing;

/**
 * Supplies the DynamoDB endpoint in place of the moto server, found with {@link java.util.ServiceLoader}.
 * The {@code localstack} Maven profile puts one on the test classpath.
 */
public interface AwsEndpointSource {

    AwsEndpoint endpoint();
}
