package dev.sessions.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The authorizer's context written and read back, as API Gateway carries it to an integration. */
class AuthorizerContextTest {

    private static final LiveSession ALICE = new LiveSession("hash-of-the-token", "alice",
            Instant.parse("2026-12-06T10:30:00Z"), Map.of("theme", "dark", "cart", List.of(1, 2), "secret", "x"));

    @Test
    void givenALiveSession_whenWritten_thenOnlyTheNamedDataKeysAndNoToken() {
        Map<String, Object> context = AuthorizerContext.of(ALICE, List.of("theme", "cart", "absent"));

        assertEquals(Map.of("id", "hash-of-the-token", "principal", "alice", "expiresAt", "2026-12-06T10:30:00Z",
                "data", Map.of("theme", "dark", "cart", List.of(1, 2))), context);
        assertEquals(Map.of(), AuthorizerContext.of(ALICE, List.of()).get("data"), "no keys named: no data");
    }

    @Test
    void givenAnIntegrationsEvent_whenRead_thenTheSessionTheAuthorizerWrote() {
        String event = "{\"version\":\"2.0\",\"requestContext\":{\"authorizer\":{\"lambda\":"
                + Json.write(AuthorizerContext.of(ALICE, List.of("theme"))) + "}}}";

        LiveSession read = AuthorizerContext.fromEvent(Json.parseObject(event, 16)).orElseThrow();

        assertEquals(new LiveSession("hash-of-the-token", "alice", ALICE.expiresAt(), Map.of("theme", "dark")), read);
    }

    @Test
    void givenAnAnonymousSession_whenWrittenAndRead_thenNoPrincipal() {
        LiveSession anonymous = new LiveSession("id", null, ALICE.expiresAt(), Map.of());

        Map<String, Object> context = AuthorizerContext.of(anonymous, List.of());

        assertFalse(context.containsKey("principal"));
        assertEquals(anonymous, AuthorizerContext.read(context).orElseThrow());
    }

    @Test
    void givenEventsWithoutASessionContext_whenRead_thenEmpty() {
        assertTrue(AuthorizerContext.fromEvent(Map.of()).isEmpty());
        assertTrue(AuthorizerContext.fromEvent(Map.of("requestContext", Map.of("authorizer", Map.of("jwt",
                Map.of())))).isEmpty(), "a JWT authorizer's is not the session authorizer's");
        assertTrue(AuthorizerContext.read(Map.of("id", "x", "expiresAt", "yesterday")).isEmpty());
    }
}
