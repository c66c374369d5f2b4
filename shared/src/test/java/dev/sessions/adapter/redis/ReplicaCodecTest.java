package dev.sessions.adapter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.domain.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replica's own, versioned form of a session: what new code writes, and what older code wrote. */
class ReplicaCodecTest {

    private static final Session SESSION = new Session("62FqTx1xVaBVK2e1fndHFOss-WZXYulgbnRDhSrDfV0", "alice@example.com",
            Map.of("theme", "dark", "cart", List.of(Map.of("sku", "A-1", "qty", new BigDecimal(2)))), 42, 3, 7,
            Instant.parse("2026-11-27T10:15:30.123Z"), Instant.parse("2026-11-27T10:45:30.456Z"),
            Instant.parse("2026-11-27T11:15:30Z"), Instant.parse("2026-11-27T22:15:30Z"));

    @Test
    void givenSession_whenWrittenAndRead_thenTheSameSession() {
        String body = ReplicaCodec.write(SESSION);

        assertTrue(body.startsWith("{\"v\":1,"), body);
        assertEquals(SESSION, ReplicaCodec.read(body));
    }

    @Test
    void givenAnEntryInTheFormerForm_whenRead_thenTheSameSession() {
        // what the replica held before it had a form of its own: the API's JSON plus revision
        String former = "{\"id\":\"62FqTx1xVaBVK2e1fndHFOss-WZXYulgbnRDhSrDfV0\",\"principal\":\"alice@example.com\","
                + "\"data\":{\"theme\":\"dark\",\"cart\":[{\"sku\":\"A-1\",\"qty\":2}]},\"visits\":42,\"version\":3,"
                + "\"revision\":7,\"createdAt\":\"2026-11-27T10:15:30.123Z\",\"lastAccessedAt\":\"2026-11-27T10:45:30.456Z\","
                + "\"expiresAt\":\"2026-11-27T11:15:30Z\",\"absoluteExpiresAt\":\"2026-11-27T22:15:30Z\"}";

        assertEquals(SESSION, ReplicaCodec.read(former));
    }

    @Test
    void givenANewerVersionOrGarbage_whenRead_thenRefusedAsNotACachedSession() {
        for (String body : List.of("{\"v\":2,\"id\":\"x\"}", "not json", "{\"v\":1}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicaCodec.read(body), body);
            assertTrue(e.getMessage().startsWith("not a cached session"), e.getMessage());
        }
    }
}
