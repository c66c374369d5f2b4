package dev.sessions.adapter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sessions.testing.LocalServices;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalServices.class)
class RedisConnectionIT {

    private static RedisConnection connect(RedisEndpoint redis) {
        return new RedisConnection(RedisConnection.Settings.fromUrl(redis.uri().toString(),
                Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    @Test
    void givenKeySet_whenRead_thenSameTextComesBackAndDeleteRemovesIt(RedisEndpoint redis) {
        String key = "harness:" + UUID.randomUUID();
        String value = "{\"greeting\":\"héllo 👋\",\"n\":12345678901234567890123456789012345678}";
        try (RedisConnection connection = connect(redis)) {
            assertEquals("OK", connection.call("SET", key, value, "PX", 60_000));

            assertEquals(value, connection.call("GET", key));
            assertEquals(1L, connection.call("DEL", key));
            assertNull(connection.call("GET", key));
        }
    }

    @Test
    void givenPipeline_whenSent_thenRepliesComeInOrderWithErrorsInPlace(RedisEndpoint redis) {
        String key = "harness:" + UUID.randomUUID();
        try (RedisConnection connection = connect(redis)) {
            List<Object> replies = connection.pipeline(List.of(
                    new Object[] {"SET", key, "x", "PX", 60_000},
                    new Object[] {"INCR", key},
                    new Object[] {"EVAL", "return {1, 'two', ARGV[1]}", 0, "three"},
                    new Object[] {"DEL", key}));

            assertEquals("OK", replies.get(0));
            assertEquals("ERR", ((RedisErrorReply) replies.get(1)).code());
            assertEquals(List.of(1L, "two", "three"), replies.get(2));
            assertEquals(1L, replies.get(3));
        }
    }

    @Test
    void givenErrorReply_whenCalled_thenThrowsWithRedisCode(RedisEndpoint redis) {
        try (RedisConnection connection = connect(redis)) {
            RedisErrorReply error = assertThrows(RedisErrorReply.class, () -> connection.call("EVALSHA", "0".repeat(40), 0));
            assertEquals("NOSCRIPT", error.code());
        }
    }

    @Test
    void givenNothingListening_whenCalled_thenUnavailableWithCause() {
        int closedPort = ServerProcess.freePort();
        try (RedisConnection connection = new RedisConnection(RedisConnection.Settings.fromUrl(
                "redis://127.0.0.1:" + closedPort, Duration.ofMillis(500), Duration.ofMillis(500)))) {
            RedisUnavailableException error = assertThrows(RedisUnavailableException.class, () -> connection.call("PING"));
            assertEquals(java.net.ConnectException.class, error.getCause().getClass());
        }
    }
}
