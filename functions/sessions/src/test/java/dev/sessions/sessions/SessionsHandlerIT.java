package dev.sessions.sessions;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static dev.sessions.testing.ApiTestbed.TOKEN_B;
import static dev.sessions.testing.JsonAssertions.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.ThrottlingEndpoint;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The session API's handler, driven by events/ files and variations of them, on the real store. */
@ExtendWith(LocalServices.class)
class SessionsHandlerIT {

    private ApiTestbed testbed;
    private SessionsHandler handler;

    @BeforeEach
    void start(AwsEndpoint aws) {
        testbed = new ApiTestbed(aws, Map.of());
        handler = new SessionsHandler(testbed.components(), testbed.out());
    }

    @AfterEach
    void stop() {
        testbed.close();
    }

    private static APIGatewayV2HTTPEvent event(String file) {
        return EventLoader.loadApiGatewayHttpEvent("events/" + file);
    }

    private static APIGatewayV2HTTPEvent event(String file, Consumer<APIGatewayV2HTTPEvent> change) {
        APIGatewayV2HTTPEvent event = event(file);
        change.accept(event);
        return event;
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, null);
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse response) {
        return Json.parseObject(response.getBody(), 64);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> session(APIGatewayV2HTTPResponse response) {
        Map<String, Object> body = body(response);
        return (Map<String, Object>) body.getOrDefault("session", body);
    }

    /** A problem+json answer of {@code status} whose type ends in {@code slug}. */
    private static Map<String, Object> assertProblem(APIGatewayV2HTTPResponse response, int status, String slug) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals("application/problem+json", response.getHeaders().get("content-type"));
        Map<String, Object> problem = body(response);
        assertEquals("urn:sessions:problem:" + slug, problem.get("type"));
        assertEquals(new BigDecimal(status), problem.get("status"));
        assertTrue(problem.get("title") instanceof String);
        assertTrue(problem.get("detail") instanceof String detail && !detail.isBlank());
        assertFalse(response.getBody().contains("Exception"), "no stack trace or class name: " + response.getBody());
        return problem;
    }

    /** Runs a request that must be refused with {@code status}, and checks the store did not change. */
    private Map<String, Object> assertRefusedUnchanged(APIGatewayV2HTTPEvent event, int status, String slug) {
        List<String> before = testbed.items();
        Map<String, Object> problem = assertProblem(handle(event), status, slug);
        assertEquals(before, testbed.items(), "the store changed");
        return problem;
    }

    @Test
    void givenCreateEvent_whenHandled_thenCreatedWithTokenCookieEtagAndLocation() {
        APIGatewayV2HTTPResponse response = handle(event("sessions-create.json"));

        assertEquals(201, response.getStatusCode());
        Map<String, Object> body = body(response);
        String token = (String) body.get("token");
        assertEquals(43, token.length());
        Map<String, Object> session = session(response);
        assertEquals("alice@example.com", session.get("principal"));
        assertEquals(new BigDecimal(1), session.get("version"));
        assertEquals(new BigDecimal(0), session.get("visits"));
        assertJsonEquals(Json.parse("{\"theme\":\"dark\",\"cart\":[{\"sku\":\"A-1\",\"qty\":2}],\"locale\":\"en-GB\"}"),
                session.get("data"));
        assertTrue(session.get("createdAt").toString().endsWith("Z"), "ISO-8601 UTC");
        assertEquals("\"1\"", response.getHeaders().get("etag"));
        assertEquals("/sessions/current", response.getHeaders().get("location"));
        assertEquals("no-store", response.getHeaders().get("cache-control"));
        String cookie = response.getCookies().getFirst();
        assertTrue(cookie.startsWith("sid=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800"), cookie);
        assertTrue(cookie.endsWith("; Secure"), cookie);
        assertFalse(testbed.items().toString().contains(token), "the store never keeps the token");
    }

    @Test
    void givenCreateWithoutBody_whenHandled_thenAnonymousEmptySession() {
        Map<String, Object> session = session(handle(event("sessions-create-anonymous.json")));

        assertNull(session.get("principal"));
        assertEquals(Map.of(), session.get("data"));
    }

    @Test
    void givenCreateWithNulls_whenHandled_thenNoPrincipalAndEmptyData() {
        APIGatewayV2HTTPResponse response = handle(event("sessions-create.json",
                e -> e.setBody("{\"principal\":null,\"data\":null}")));

        assertEquals(201, response.getStatusCode());
        assertNull(session(response).get("principal"));
        assertEquals(Map.of(), session(response).get("data"));
    }

    @Test
    void givenBadCreateBodies_whenHandled_thenEachRefusedAndNothingStored() {
        assertTrue(assertRefusedUnchanged(event("sessions-create-unknown-field.json"), 400, "invalid-body")
                .get("detail").toString().contains("\"role\""));
        assertRefusedUnchanged(event("sessions-create-malformed-json.json"), 400, "malformed-request");
        assertTrue(assertRefusedUnchanged(event("sessions-create-array-body.json"), 400, "invalid-body")
                .get("detail").toString().contains("not an array"));
        assertRefusedUnchanged(event("sessions-create-wrong-content-type.json"), 415, "unsupported-media-type");
        assertRefusedUnchanged(event("sessions-create-invalid-principal.json"), 400, "invalid-principal");
        assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody("{\"principal\":\"" + "p".repeat(10 * 1024)
                + "\"}")), 400, "invalid-principal");
        assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody("{\"principal\":\"a/b\"}")), 400,
                "invalid-principal");
        assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody("{\"data\":[1]}")), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody("{\"principal\":7}")), 400, "invalid-body");
    }

    @Test
    void givenHostileDataShapes_whenCreated_thenEachRefusedAndNothingStored() {
        String deep = "[".repeat(31) + "1" + "]".repeat(31);
        for (String data : List.of("{\"deep\":" + deep + "}", "{\"n\":123456789012345678901234567890123456789}",
                "{\"n\":1E+126}", "{\"e\\u0301\":1}", "{\"\":1}", "{\"a\\u200bb\":1}")) {
            assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody("{\"data\":" + data + "}")), 400,
                    "invalid-body");
        }
        assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody("{\"data\":{\"big\":\"" + "x".repeat(17_000)
                + "\"}}")), 413, "too-large");
    }

    @Test
    void givenBodyOfOneMebibyte_whenCreated_thenTooLargeBeforeAnythingElse() {
        String huge = "{\"data\":{\"x\":\"" + "y".repeat(1024 * 1024) + "\"}}";

        assertRefusedUnchanged(event("sessions-create.json", e -> e.setBody(huge)), 413, "too-large");
    }

    @Test
    void givenInvalidUtf8Body_whenCreated_thenMalformed() {
        byte[] invalid = {'{', '"', 'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l', '"', ':', '"', (byte) 0xc3, '"', '}'};

        assertRefusedUnchanged(event("sessions-create.json", e -> {
            e.setBody(Base64.getEncoder().encodeToString(invalid));
            e.setIsBase64Encoded(true);
        }), 400, "malformed-request");
    }

    @Test
    void givenSessionAndCookie_whenCurrentRead_thenSessionWithEtagFromTheTable() {
        testbed.seed(TOKEN_A, "alice@example.com", Map.of("theme", "dark"));

        APIGatewayV2HTTPResponse response = handle(event("sessions-current.json"));

        assertEquals(200, response.getStatusCode());
        assertEquals("miss", response.getHeaders().get("x-cache"));
        assertEquals("\"1\"", response.getHeaders().get("etag"));
        assertEquals("dark", ((Map<?, ?>) session(response).get("data")).get("theme"));
        assertNull(response.getCookies(), "within the touch interval nothing slid, so no cookie is re-sent");
    }

    @Test
    void givenReadAfterTouchInterval_whenCurrentRead_thenIdleWindowSlidesAndCookieReissued() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofMinutes(10));

        APIGatewayV2HTTPResponse response = handle(event("sessions-current.json"));

        assertEquals(200, response.getStatusCode());
        assertTrue(response.getCookies().getFirst().startsWith("sid=" + TOKEN_A + ";"));
        assertTrue(response.getCookies().getFirst().contains("Max-Age=1800"), response.getCookies().toString());
    }

    @Test
    void givenBearerAndConsistentRead_whenCurrentRead_thenServedWithoutCookie() {
        testbed.seed(TOKEN_A, null, Map.of());

        APIGatewayV2HTTPResponse response = handle(event("sessions-current-consistent-bearer.json"));

        assertEquals(200, response.getStatusCode());
        assertEquals("miss", response.getHeaders().get("x-cache"));
    }

    @Test
    void givenNoOrBadToken_whenCurrentRead_thenSessionRequired() {
        assertRefusedUnchanged(event("sessions-current-no-token.json"), 401, "session-required");
        assertRefusedUnchanged(event("sessions-current-malformed-token.json"), 401, "session-required");
        assertRefusedUnchanged(event("sessions-current.json"), 401, "session-required"); // nobody seeded TOKEN_A
        assertRefusedUnchanged(event("sessions-current-no-token.json", e -> e.setHeaders(Map.of("authorization",
                "Basic YWxpY2U6c2VjcmV0"))), 401, "session-required");
        assertRefusedUnchanged(event("sessions-current.json", e -> e.setCookies(List.of("sid=" + TOKEN_A + "é"))), 401,
                "session-required");
    }

    @Test
    void givenSessionIdUsedAsToken_whenCurrentRead_thenUnknown() {
        String id = testbed.seed(TOKEN_A, null, Map.of()).session().id();

        assertRefusedUnchanged(event("sessions-current.json", e -> e.setCookies(List.of("sid=" + id))), 401,
                "session-required");
    }

    @Test
    void givenExpiredSession_whenCurrentRead_thenSessionRequired() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofMinutes(30));

        assertRefusedUnchanged(event("sessions-current.json"), 401, "session-required");
    }

    @Test
    void givenManySidCookies_whenCurrentRead_thenAmbiguous() {
        testbed.seed(TOKEN_A, null, Map.of());

        assertRefusedUnchanged(event("sessions-current.json", e -> e.setCookies(List.of("sid=" + TOKEN_A, "x=1",
                "sid=" + TOKEN_B, "sid=" + TOKEN_A))), 400, "ambiguous-session");
    }

    @Test
    void givenBearerAndSeveralCookies_whenCurrentRead_thenBearerWinsWithoutAmbiguity() {
        testbed.seed(TOKEN_A, null, Map.of());

        APIGatewayV2HTTPResponse response = handle(event("sessions-current-consistent-bearer.json",
                e -> e.setCookies(List.of("sid=" + TOKEN_B, "sid=" + TOKEN_B))));

        assertEquals(200, response.getStatusCode());
    }

    @Test
    void givenPatchWithCurrentVersion_whenHandled_thenMergedAndVersionAdvances() {
        testbed.seed(TOKEN_A, null, Map.of("theme", "dark", "cart", List.of(1), "keep", true));

        APIGatewayV2HTTPResponse response = handle(event("sessions-patch.json"));

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("\"2\"", response.getHeaders().get("etag"));
        assertJsonEquals(Json.parse("{\"theme\":\"light\",\"keep\":true,\"prefs\":{\"newsletter\":true}}"),
                session(response).get("data"));
        assertTrue(response.getCookies().getFirst().startsWith("sid=" + TOKEN_A), "the slid window's cookie");
    }

    @Test
    void givenStaleIfMatch_whenPatched_thenPreconditionFailedAndNothingChanges() {
        testbed.seed(TOKEN_A, null, Map.of("theme", "dark"));

        Map<String, Object> problem = assertRefusedUnchanged(event("sessions-patch-stale-version.json"), 412,
                "version-mismatch");

        assertTrue(problem.get("detail").toString().contains("version 41"));
        assertEquals("\"1\"", handle(event("sessions-patch-stale-version.json")).getHeaders().get("etag"),
                "the current version is given, to retry with");
    }

    @Test
    void givenBadIfMatchValues_whenPatched_thenRefusedBeforeAnyStoreCall() {
        testbed.seed(TOKEN_A, null, Map.of());

        assertRefusedUnchanged(event("sessions-patch-bad-if-match.json"), 400, "malformed-request");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.getHeaders().put("if-match", "\"1\", \"2\"")), 400,
                "malformed-request");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.getHeaders().put("if-match", "W/\"1\"")), 412,
                "version-mismatch");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.getHeaders().put("if-match", "\"abc\"")), 412,
                "version-mismatch");
    }

    @Test
    void givenPatchWithWildcardIfMatchOrBase64Body_whenHandled_thenApplied() {
        testbed.seed(TOKEN_A, null, Map.of());

        assertEquals(200, handle(event("sessions-patch.json", e -> e.getHeaders().put("if-match", "*"))).getStatusCode());
        APIGatewayV2HTTPResponse base64 = handle(event("sessions-patch-base64-body.json"));
        assertEquals(200, base64.getStatusCode(), base64.getBody());
        assertEquals("héllo", ((Map<?, ?>) session(base64).get("data")).get("note"));
    }

    @Test
    void givenBadPatchBodies_whenHandled_thenRefusedAndNothingChanges() {
        testbed.seed(TOKEN_A, null, Map.of("a", 1));

        assertRefusedUnchanged(event("sessions-patch.json", e -> e.getHeaders().put("content-type", "text/plain")), 415,
                "unsupported-media-type");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.setBody("[\"a\"]")), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.setBody("{\"a\":")), 400, "malformed-request");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.setBody("")), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.setBody("{\"A\\u030a\":1}")), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-patch.json", e -> e.setBody("{\"big\":\"" + "x".repeat(20_000) + "\"}")),
                413, "too-large");
    }

    @Test
    void givenDelete_whenHandledTwice_thenNoContentAndCookieClearedBothTimes() {
        testbed.seed(TOKEN_A, null, Map.of());

        APIGatewayV2HTTPResponse first = handle(event("sessions-delete.json"));
        APIGatewayV2HTTPResponse second = handle(event("sessions-delete.json"));
        APIGatewayV2HTTPResponse noToken = handle(event("sessions-delete.json", e -> e.setCookies(null)));

        for (APIGatewayV2HTTPResponse response : List.of(first, second, noToken)) {
            assertEquals(204, response.getStatusCode());
            assertEquals("sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure", response.getCookies().getFirst());
        }
        assertProblem(handle(event("sessions-current.json")), 401, "session-required");
    }

    @Test
    void givenRotate_whenHandled_thenNewTokenServesAndOldTokenIsUnknown() {
        testbed.seed(TOKEN_A, "alice@example.com", Map.of("k", "v"));

        APIGatewayV2HTTPResponse response = handle(event("sessions-rotate.json"));

        assertEquals(200, response.getStatusCode(), response.getBody());
        String fresh = (String) body(response).get("token");
        assertNotEquals(TOKEN_A, fresh);
        assertTrue(response.getCookies().getFirst().startsWith("sid=" + fresh + ";"));
        assertProblem(handle(event("sessions-current.json")), 401, "session-required");
        APIGatewayV2HTTPResponse withNew = handle(event("sessions-current.json", e -> e.setCookies(List.of("sid=" + fresh))));
        assertEquals(200, withNew.getStatusCode());
        assertEquals("v", ((Map<?, ?>) session(withNew).get("data")).get("k"));
    }

    @Test
    void givenMethodNotServed_whenHandled_thenMethodNotAllowedWithAllow() {
        APIGatewayV2HTTPResponse response = handle(event("sessions-current.json",
                e -> e.getRequestContext().getHttp().setMethod("PUT")));

        assertProblem(response, 405, "method-not-allowed");
        assertEquals("GET, PATCH, DELETE", response.getHeaders().get("allow"));
    }

    @Test
    void givenRequests_whenLogged_thenOneJsonLineEachWithFieldsAndNoTokenOrData() {
        testbed.seed(TOKEN_A, null, Map.of("secretNote", "do-not-log-me"));
        List<String> events = List.of("sessions-create.json", "sessions-current.json", "sessions-patch.json",
                "sessions-rotate.json", "sessions-current-no-token.json", "sessions-create-malformed-json.json");
        List<String> tokens = new ArrayList<>(List.of(TOKEN_A, TOKEN_B));
        for (String file : events) {
            APIGatewayV2HTTPResponse response = handle(event(file));
            if (response.getBody() != null && response.getBody().contains("\"token\"")) {
                tokens.add((String) body(response).get("token"));
            }
        }

        List<Map<String, Object>> lines = testbed.logLines();
        assertEquals(events.size(), lines.size(), testbed.logText());
        for (Map<String, Object> line : lines) {
            for (String field : List.of("time", "level", "function", "requestId", "route", "status", "durationMs")) {
                assertTrue(line.containsKey(field), field + " missing in " + line);
            }
        }
        for (String token : tokens) {
            assertFalse(testbed.logText().contains(token), "a token reached the log");
        }
        for (String value : List.of("do-not-log-me", "alice@example.com\",\"data", "en-GB", "newsletter")) {
            assertFalse(testbed.logText().contains(value), "session data reached the log: " + value);
        }
        Map<String, Object> created = lines.getFirst();
        assertEquals(BigDecimal.ONE, created.get("SessionsCreated"));
        assertTrue(((Map<?, ?>) created.get("_aws")).get("CloudWatchMetrics") instanceof List<?>, "EMF metadata");
    }

    @Test
    void givenThrottlingStore_whenHandled_thenServiceUnavailableWithRetryAfter() {
        // an endpoint that answers every request with DynamoDB's throttling error
        try (ThrottlingEndpoint throttled = ThrottlingEndpoint.start()) {
            Map<String, String> env = new HashMap<>();
            env.put("SESSIONS_TABLE", "any");
            env.put("AWS_ENDPOINT_URL", throttled.url());
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "test");
            env.put("AWS_SECRET_ACCESS_KEY", "test");
            SessionsHandler throttledHandler = new SessionsHandler(
                    dev.sessions.adapter.lambda.SessionComponents.fromEnvironment(env), testbed.out());

            APIGatewayV2HTTPResponse response = throttledHandler.handleRequest(event("sessions-current.json"), null);

            assertProblem(response, 503, "unavailable");
            assertEquals("1", response.getHeaders().get("retry-after"));
            assertFalse(response.getBody().contains("Throughput"), "no SDK message: " + response.getBody());
        }
    }

    @Test
    void givenPriming_whenWarmedUp_thenNothingIsStoredOrLogged() {
        testbed.seed(TOKEN_A, null, Map.of("a", 1));
        List<String> before = testbed.items();

        handler.priming().warmUp();

        assertEquals(before, testbed.items());
        assertEquals("", testbed.logText());
    }

    /** Checks every event file for this function parses as an HTTP API event, as sam local would read it. */
    @Test
    void givenEventFiles_whenLoaded_thenEachIsAnHttpApiEventOfThisFunction() {
        for (String file : List.of("sessions-create.json", "sessions-current.json", "sessions-patch.json",
                "sessions-delete.json", "sessions-rotate.json")) {
            APIGatewayV2HTTPEvent event = event(file);
            assertEquals("2.0", event.getVersion());
            assertTrue(event.getRouteKey().contains("/sessions"), file);
            assertFalse(new String(event.getRawPath().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).isEmpty());
        }
    }
}
