package dev.sessions.testing.localstack;

import cloud.localstack.Localstack;
import cloud.localstack.docker.annotation.LocalstackDockerConfiguration;
import dev.sessions.testing.LocalStackSettings;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts LocalStack's container once for the run with {@link LocalStackSettings}: the pinned image
 * and the auth token passed through, or a one-line failure naming the token when it is absent.
 * Registered for every test class by the {@code localstack} profile.
 */
public final class LocalStackContainer implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LocalStackContainer.class) {
            if (Localstack.INSTANCE.isRunning()) {
                return;
            }
            LocalStackSettings settings = LocalStackSettings.fromEnvironment(System.getenv());
            Localstack.INSTANCE.startup(LocalstackDockerConfiguration.builder()
                    .imageName(settings.image()).imageTag(settings.tag())
                    .environmentVariables(settings.environment())
                    .useSingleDockerContainer(true)
                    .build());
            Runtime.getRuntime().addShutdownHook(new Thread(Localstack.INSTANCE::stop, "localstack-stop"));
        }
    }
}
