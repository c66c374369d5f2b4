package dev.sessions.adapter.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisConnectionTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void givenCommand_whenEncoded_thenRespArrayOfBulkStringsWithByteLengths() {
        byte[] encoded = RedisConnection.encode(new Object[] {"SET", "k", "é", 5});

        assertArrayEquals("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n$1\r\n5\r\n".getBytes(StandardCharsets.UTF_8), encoded);
    }

    @Test
    void givenTlsUrlWithCredentials_whenParsed_thenAllPartsKept() {
        RedisConnection.Settings settings = RedisConnection.Settings.fromUrl(
                "rediss://app:p%40ss@cache.example.com:6380", SECOND, SECOND);

        assertTrue(settings.tls());
        assertEquals("cache.example.com", settings.host());
        assertEquals(6380, settings.port());
        assertEquals("app", settings.user());
        assertEquals("p@ss", settings.password().get());
        assertFalse(settings.toString().contains("p@ss"));
    }

    @Test
    void givenPlainUrlWithoutPort_whenParsed_thenDefaultPortAndNoAuth() {
        RedisConnection.Settings settings = RedisConnection.Settings.fromUrl("redis://localhost", SECOND, SECOND);

        assertFalse(settings.tls());
        assertEquals(6379, settings.port());
        assertNull(settings.password());
    }

    @Test
    void givenOtherScheme_whenParsed_thenRefusedWithReason() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RedisConnection.Settings.fromUrl("http://localhost:6379", SECOND, SECOND));

        assertEquals("Redis URL must start with redis:// or rediss://", error.getMessage());
    }
}
