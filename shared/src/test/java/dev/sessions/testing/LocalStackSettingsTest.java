package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The LocalStack container's settings, held without Docker: no container runs here. */
class LocalStackSettingsTest {

    @Test
    void givenNoAuthToken_whenSettingsAreRead_thenOneLineNamingTheVariable() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> LocalStackSettings.fromEnvironment(Map.of()));

        assertEquals("LOCALSTACK_AUTH_TOKEN is not set: LocalStack's image needs an auth token to start"
                + " (README, \"Testing against LocalStack\")", refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }

    @Test
    void givenAnAuthToken_whenSettingsAreRead_thenThePinnedImageWithTheTokenPassedThrough() {
        LocalStackSettings settings = LocalStackSettings.fromEnvironment(Map.of("LOCALSTACK_AUTH_TOKEN", "ls-abc"));

        assertEquals("localstack/localstack", settings.image());
        assertEquals(LocalStackSettings.TAG, settings.tag());
        assertEquals("ls-abc", settings.environment().get("LOCALSTACK_AUTH_TOKEN"));
        assertFalse(settings.toString().contains("ls-abc"), "the token never reaches a log");
        assertEquals("2025.1.0", LocalStackSettings.fromEnvironment(Map.of("LOCALSTACK_AUTH_TOKEN", "t",
                "LOCALSTACK_IMAGE_TAG", "2025.1.0")).tag());
    }
}
