package dev.sessions.me;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessions.json.Json;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.LogAssertions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /me driven by events/me.json: the session authorizer's context in, who is calling out. */
class MeHandlerTest {

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final MeHandler handler = new MeHandler(new PrintStream(logs, true, StandardCharsets.UTF_8));

    @Test
    void givenTheAuthorizersContext_whenRequested_thenThePrincipalAndTheNamedData() {
        HandlerResponse response = Invoke.http(handler, ApiEvent.load("me.json"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(Map.of("id", "62FqTx1xVaBVK2e1fndHFOss-WZXYulgbnRDhSrDfV0", "principal", "alice@example.com",
                "expiresAt", "2026-11-27T10:45:30Z", "data", Map.of("theme", "dark")), Json.parseObject(response.body(), 8));
        assertEquals("no-store", response.header("cache-control"));
        LogAssertions.assertEveryLineWellFormed(logs.toString(StandardCharsets.UTF_8),
                List.of("tEsT0aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA"));
    }

    @Test
    void givenNoAuthorizerContext_whenInvokedDirectly_thenSessionRequiredNotAnAnonymousAnswer() {
        HandlerResponse response = Invoke.http(handler, ApiEvent.load("me.json").withoutAuthorizer());

        assertEquals(401, response.statusCode(), response.body());
        assertEquals("urn:sessions:problem:session-required", Json.parseObject(response.body(), 4).get("type"));
    }

    @Test
    void givenAnotherMethodOrPath_whenInvokedDirectly_thenMethodNotAllowedOrNotFound() {
        assertEquals(405, Invoke.http(handler, ApiEvent.load("me.json").method("POST")).statusCode());
        assertEquals("GET", Invoke.http(handler, ApiEvent.load("me.json").method("POST")).header("allow"));
    }
}
