package dev.sessions.sessions;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static dev.sessions.testing.ApiTestbed.TOKEN_B;
import static dev.sessions.testing.JsonAssertions.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.IdempotencyRecords;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.DedicatedDynamoDb;
import dev.sessions.testing.DynamoDbFidelity;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.Poll;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.ThrottlingEndpoint;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The session API's handler, driven by events/ files and variations of them, on the real store. */
@ExtendWith(LocalServices.class)
class SessionsHandlerIT {

    private ApiTestbed testbed;
    private SessionsHandler handler;

    private AwsEndpoint aws;

    @BeforeEach
    void start(AwsEndpoint aws) {
        this.aws = aws;
        testbed = new ApiTestbed(aws, Map.of());
        handler = new SessionsHandler(testbed.components(), testbed.out());
    }

    @AfterEach
    void stop() {
        testbed.close();
    }

    private static ApiEvent event(String file) {
        return ApiEvent.load(file);
    }

    private HandlerResponse handle(ApiEvent event) {
        return Invoke.http(handler, event);
    }

    private static Map<String, Object> body(HandlerResponse response) {
        return Json.parseObject(response.body(), 64);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> session(HandlerResponse response) {
        Map<String, Object> body = body(response);
        return (Map<String, Object>) body.getOrDefault("session", body);
    }

    /** A problem+json answer of {@code status} whose type ends in {@code slug}. */
    private static Map<String, Object> assertProblem(HandlerResponse response, int status, String slug) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().get("content-type"));
        Map<String, Object> problem = body(response);
        assertEquals("urn:sessions:problem:" + slug, problem.get("type"));
        assertEquals(new BigDecimal(status), problem.get("status"));
        assertTrue(problem.get("title") instanceof String);
        assertTrue(problem.get("detail") instanceof String detail && !detail.isBlank());
        assertFalse(response.body().contains("Exception"), "no stack trace or class name: " + response.body());
        return problem;
    }

    /** Runs a request that must be refused with {@code status}, and checks the store did not change. */
    private Map<String, Object> assertRefusedUnchanged(ApiEvent event, int status, String slug) {
        List<String> before = testbed.items();
        Map<String, Object> problem = assertProblem(handle(event), status, slug);
        assertEquals(before, testbed.items(), "the store changed");
        return problem;
    }

    @Test
    void givenCreateEvent_whenHandled_thenCreatedWithTokenCookieEtagAndLocation() {
        HandlerResponse response = handle(event("sessions-create.json"));

        assertEquals(201, response.statusCode());
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
        assertEquals("\"1\"", response.headers().get("etag"));
        assertEquals("/sessions/current", response.headers().get("location"));
        assertEquals("no-store", response.headers().get("cache-control"));
        String cookie = response.cookies().getFirst();
        assertTrue(cookie.startsWith("__Host-sid=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800"), cookie);
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
        HandlerResponse response = handle(event("sessions-create.json").body("{\"principal\":null,\"data\":null}"));

        assertEquals(201, response.statusCode());
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
        assertRefusedUnchanged(event("sessions-create.json").body("{\"principal\":\"" + "p".repeat(10 * 1024)
                + "\"}"), 400, "invalid-principal");
        assertRefusedUnchanged(event("sessions-create.json").body("{\"principal\":\"a/b\"}"), 400,
                "invalid-principal");
        assertRefusedUnchanged(event("sessions-create.json").body("{\"data\":[1]}"), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-create.json").body("{\"principal\":7}"), 400, "invalid-body");
    }

    @Test
    void givenHostileDataShapes_whenCreated_thenEachRefusedAndNothingStored() {
        String deep = "[".repeat(31) + "1" + "]".repeat(31);
        for (String data : List.of("{\"deep\":" + deep + "}", "{\"n\":123456789012345678901234567890123456789}",
                "{\"n\":1E+126}", "{\"e\\u0301\":1}", "{\"\":1}", "{\"a\\u200bb\":1}")) {
            assertRefusedUnchanged(event("sessions-create.json").body("{\"data\":" + data + "}"), 400,
                    "invalid-body");
        }
        assertRefusedUnchanged(event("sessions-create.json").body("{\"data\":{\"big\":\"" + "x".repeat(17_000)
                + "\"}}"), 413, "too-large");
    }

    @Test
    void givenBodyOfOneMebibyte_whenCreated_thenTooLargeBeforeAnythingElse() {
        String huge = "{\"data\":{\"x\":\"" + "y".repeat(1024 * 1024) + "\"}}";

        assertRefusedUnchanged(event("sessions-create.json").body(huge), 413, "too-large");
    }

    @Test
    void givenInvalidUtf8Body_whenCreated_thenMalformed() {
        byte[] invalid = {'{', '"', 'p', 'r', 'i', 'n', 'c', 'i', 'p', 'a', 'l', '"', ':', '"', (byte) 0xc3, '"', '}'};

        assertRefusedUnchanged(event("sessions-create.json").base64Body(invalid), 400, "malformed-request");
    }

    @Test
    void givenSessionAndCookie_whenCurrentRead_thenSessionWithEtagFromTheTable() {
        testbed.seed(TOKEN_A, "alice@example.com", Map.of("theme", "dark"));

        HandlerResponse response = handle(event("sessions-current.json"));

        assertEquals(200, response.statusCode());
        assertEquals("miss", response.headers().get("x-cache"));
        assertEquals("\"1\"", response.headers().get("etag"));
        assertEquals("dark", ((Map<?, ?>) session(response).get("data")).get("theme"));
        assertNull(response.cookies(), "within the touch interval nothing slid, so no cookie is re-sent");
    }

    @Test
    void givenReadAfterTouchInterval_whenCurrentRead_thenIdleWindowSlidesAndCookieReissued() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofMinutes(10));

        HandlerResponse response = handle(event("sessions-current.json"));

        assertEquals(200, response.statusCode());
        assertTrue(response.cookies().getFirst().startsWith("__Host-sid=" + TOKEN_A + ";"));
        assertTrue(response.cookies().getFirst().contains("Max-Age=1800"), response.cookies().toString());
    }

    @Test
    void givenBearerAndConsistentRead_whenCurrentRead_thenServedWithoutCookie() {
        testbed.seed(TOKEN_A, null, Map.of());

        HandlerResponse response = handle(event("sessions-current-consistent-bearer.json"));

        assertEquals(200, response.statusCode());
        assertEquals("miss", response.headers().get("x-cache"));
    }

    @Test
    void givenNoOrBadToken_whenCurrentRead_thenSessionRequired() {
        assertRefusedUnchanged(event("sessions-current-no-token.json"), 401, "session-required");
        assertRefusedUnchanged(event("sessions-current-malformed-token.json"), 401, "session-required");
        assertRefusedUnchanged(event("sessions-current.json"), 401, "session-required"); // nobody seeded TOKEN_A
        assertRefusedUnchanged(event("sessions-current-no-token.json").headers(Map.of("authorization",
                "Basic YWxpY2U6c2VjcmV0")), 401, "session-required");
        assertRefusedUnchanged(event("sessions-current.json").cookies(List.of("__Host-sid=" + TOKEN_A + "é")), 401,
                "session-required");
    }

    @Test
    void givenSessionIdUsedAsToken_whenCurrentRead_thenUnknown() {
        String id = testbed.seed(TOKEN_A, null, Map.of()).session().id();

        assertRefusedUnchanged(event("sessions-current.json").cookies(List.of("__Host-sid=" + id)), 401,
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

        assertRefusedUnchanged(event("sessions-current.json").cookies(List.of("__Host-sid=" + TOKEN_A, "x=1",
                "__Host-sid=" + TOKEN_B, "__Host-sid=" + TOKEN_A)), 400, "ambiguous-session");
    }

    @Test
    void givenBearerAndSeveralCookies_whenCurrentRead_thenBearerWinsWithoutAmbiguity() {
        testbed.seed(TOKEN_A, null, Map.of());

        HandlerResponse response = handle(event("sessions-current-consistent-bearer.json").cookies(List.of("__Host-sid=" + TOKEN_B, "__Host-sid=" + TOKEN_B)));

        assertEquals(200, response.statusCode());
    }

    @Test
    void givenPatchWithCurrentVersion_whenHandled_thenMergedAndVersionAdvances() {
        testbed.seed(TOKEN_A, null, Map.of("theme", "dark", "cart", List.of(1), "keep", true));

        HandlerResponse response = handle(event("sessions-patch.json"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("\"2\"", response.headers().get("etag"));
        assertJsonEquals(Json.parse("{\"theme\":\"light\",\"keep\":true,\"prefs\":{\"newsletter\":true}}"),
                session(response).get("data"));
        assertTrue(response.cookies().getFirst().startsWith("__Host-sid=" + TOKEN_A), "the slid window's cookie");
    }

    @Test
    void givenStaleIfMatch_whenPatched_thenPreconditionFailedAndNothingChanges() {
        testbed.seed(TOKEN_A, null, Map.of("theme", "dark"));

        Map<String, Object> problem = assertRefusedUnchanged(event("sessions-patch-stale-version.json"), 412,
                "version-mismatch");

        assertTrue(problem.get("detail").toString().contains("version 41"));
        assertEquals("\"1\"", handle(event("sessions-patch-stale-version.json")).headers().get("etag"),
                "the current version is given, to retry with");
    }

    @Test
    void givenBadIfMatchValues_whenPatched_thenRefusedBeforeAnyStoreCall() {
        testbed.seed(TOKEN_A, null, Map.of());

        assertRefusedUnchanged(event("sessions-patch-bad-if-match.json"), 400, "malformed-request");
        assertRefusedUnchanged(event("sessions-patch.json").header("if-match", "\"1\", \"2\""), 400,
                "malformed-request");
        assertRefusedUnchanged(event("sessions-patch.json").header("if-match", "W/\"1\""), 412,
                "version-mismatch");
        assertRefusedUnchanged(event("sessions-patch.json").header("if-match", "\"abc\""), 412,
                "version-mismatch");
    }

    @Test
    void givenPatchWithWildcardIfMatchOrBase64Body_whenHandled_thenApplied() {
        testbed.seed(TOKEN_A, null, Map.of());

        assertEquals(200, handle(event("sessions-patch.json").header("if-match", "*")).statusCode());
        HandlerResponse base64 = handle(event("sessions-patch-base64-body.json"));
        assertEquals(200, base64.statusCode(), base64.body());
        assertEquals("héllo", ((Map<?, ?>) session(base64).get("data")).get("note"));
    }

    @Test
    void givenBadPatchBodies_whenHandled_thenRefusedAndNothingChanges() {
        testbed.seed(TOKEN_A, null, Map.of("a", 1));

        assertRefusedUnchanged(event("sessions-patch.json").header("content-type", "text/plain"), 415,
                "unsupported-media-type");
        assertRefusedUnchanged(event("sessions-patch.json").body("[\"a\"]"), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-patch.json").body("{\"a\":"), 400, "malformed-request");
        assertRefusedUnchanged(event("sessions-patch.json").body(""), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-patch.json").body("{\"A\\u030a\":1}"), 400, "invalid-body");
        assertRefusedUnchanged(event("sessions-patch.json").body("{\"big\":\"" + "x".repeat(20_000) + "\"}"),
                413, "too-large");
    }

    @Test
    void givenDelete_whenHandledTwice_thenNoContentAndCookieClearedBothTimes() {
        testbed.seed(TOKEN_A, null, Map.of());

        HandlerResponse first = handle(event("sessions-delete.json"));
        HandlerResponse second = handle(event("sessions-delete.json"));
        HandlerResponse noToken = handle(event("sessions-delete.json").cookies(null));

        for (HandlerResponse response : List.of(first, second, noToken)) {
            assertEquals(204, response.statusCode());
            assertEquals("__Host-sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure", response.cookies().getFirst());
        }
        assertProblem(handle(event("sessions-current.json")), 401, "session-required");
    }

    @Test
    void givenAPlantedSecondCookie_whenDeleted_thenBothSessionsEndAndEveryCopyOfTheCookieIsCleared() {
        SessionsHandler shared = with(Map.of("COOKIE_DOMAIN", "example.com"));
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.seed(TOKEN_B, null, Map.of());

        HandlerResponse response = Invoke.http(shared, event("sessions-delete.json").cookies(List.of(
                "__Secure-sid=" + TOKEN_B, "__Secure-sid=" + TOKEN_A)));

        assertEquals(204, response.statusCode(), response.body());
        assertEquals(List.of(), testbed.items(), "both sessions ended");
        assertEquals("__Secure-sid=; Path=/; Domain=example.com; HttpOnly; SameSite=Lax; Max-Age=0; Secure",
                response.cookies().getFirst());
        assertTrue(response.cookies().contains("__Secure-sid=; Path=/sessions/current; Domain=example.com; HttpOnly;"
                + " SameSite=Lax; Max-Age=0; Secure"), "the planter's path: " + response.cookies());
        assertTrue(response.cookies().contains("__Secure-sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"),
                "host-only: " + response.cookies());
    }

    @Test
    void givenSessionStaleReadsWouldReturn_whenEndedOrRotated_thenTheOldTokenGets401AtOnceWithoutACache() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.seed(TOKEN_B, null, Map.of());
        testbed.awaitEventualReads(TOKEN_A);
        testbed.awaitEventualReads(TOKEN_B);

        assertEquals(204, handle(event("sessions-delete.json")).statusCode());
        assertEquals(200, handle(event("sessions-rotate.json").header("authorization", "Bearer " + TOKEN_B)).statusCode());

        assertProblem(handle(event("sessions-current.json")), 401, "session-required");
        assertProblem(handle(event("sessions-current.json").cookies(List.of("__Host-sid=" + TOKEN_B))), 401,
                "session-required");
    }

    @Test
    void givenRotate_whenHandled_thenNewTokenServesAndOldTokenIsUnknown() {
        testbed.seed(TOKEN_A, "alice@example.com", Map.of("k", "v"));

        HandlerResponse response = handle(event("sessions-rotate.json"));

        assertEquals(200, response.statusCode(), response.body());
        String fresh = (String) body(response).get("token");
        assertNotEquals(TOKEN_A, fresh);
        assertTrue(response.cookies().getFirst().startsWith("__Host-sid=" + fresh + ";"));
        assertProblem(handle(event("sessions-current.json")), 401, "session-required");
        HandlerResponse withNew = handle(event("sessions-current.json").cookies(List.of("__Host-sid=" + fresh)));
        assertEquals(200, withNew.statusCode());
        assertEquals("v", ((Map<?, ?>) session(withNew).get("data")).get("k"));
    }

    @Test
    void givenMethodNotServed_whenHandled_thenMethodNotAllowedWithAllow() {
        HandlerResponse response = handle(event("sessions-current.json").method("PUT"));

        assertProblem(response, 405, "method-not-allowed");
        assertEquals("GET, PATCH, DELETE", response.headers().get("allow"));
    }

    @Test
    void givenRequests_whenLogged_thenOneJsonLineEachWithFieldsAndNoTokenOrData() {
        testbed.seed(TOKEN_A, null, Map.of("secretNote", "do-not-log-me"));
        List<String> events = List.of("sessions-create.json", "sessions-current.json", "sessions-patch.json",
                "sessions-rotate.json", "sessions-current-no-token.json", "sessions-create-malformed-json.json");
        List<String> tokens = new ArrayList<>(List.of(TOKEN_A, TOKEN_B));
        for (String file : events) {
            HandlerResponse response = handle(event(file));
            if (response.body() != null && response.body().contains("\"token\"")) {
                tokens.add((String) body(response).get("token"));
            }
        }

        List<Map<String, Object>> lines = testbed.logLines();
        assertEquals(events.size(), lines.size(), testbed.logText());
        for (Map<String, Object> line : lines) {
            for (String field : List.of("timestamp", "level", "function", "awsRequestId", "apiRequestId", "route", "status",
                    "durationMs")) {
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

            HandlerResponse response = Invoke.http(throttledHandler, event("sessions-current.json"));

            assertProblem(response, 503, "unavailable");
            assertEquals("1", response.headers().get("retry-after"));
            assertFalse(response.body().contains("Throughput"), "no SDK message: " + response.body());
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

    /** A handler on the testbed's tables whose DynamoDB traffic goes through {@code faulty}, with {@code env} added. */
    private SessionsHandler through(FaultyEndpoint faulty, Map<String, String> env) {
        return new SessionsHandler(testbed.componentsOn(DynamoDbClients.fromEnvironment(Map.of("AWS_ENDPOINT_URL",
                faulty.uri().toString(), "AWS_REGION", aws.region().id(), "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test")), env), testbed.out());
    }

    private SessionsHandler with(Map<String, String> env) {
        return new SessionsHandler(testbed.componentsOn(testbed.dynamo(), env), testbed.out());
    }

    @Test
    void givenCreatesWhoseAnswersAreLostAfterTheyCommitted_whenRetriedByTheSdk_thenEach201AndNoOrphan() {
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failEvery("PutItem", 2,
                new FaultyEndpoint.LoseAnswer())) {
            SessionsHandler retrying = through(faulty, Map.of());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HandlerResponse response = Invoke.http(retrying, event("sessions-create.json").requestId("create-" + i));
                assertEquals(201, response.statusCode(), response.body());
                ids.add((String) session(response).get("id"));
            }

            assertTrue(faulty.faults() >= 3, "answers lost: " + faulty.faults());
            assertEquals(6, testbed.items().size(), "one session per create, none orphaned");
            assertEquals(6, new java.util.HashSet<>(ids).size());
        }
    }

    @Test
    void givenConditionalPatchWhoseAnswerIsLost_whenRetriedByTheSdk_thenAppliedOnceAndAnswered200() {
        testbed.seed(TOKEN_A, null, Map.of("theme", "dark", "cart", List.of(1), "keep", true));
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("UpdateItem",
                new FaultyEndpoint.LoseAnswer())) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-patch.json"));

            assertEquals(1, faulty.faults());
            assertEquals(200, response.statusCode(), "not 412: the If-Match failed only against its own first attempt");
            assertEquals("\"2\"", response.header("etag"));
            assertTrue(testbed.items().getFirst().contains("version=AttributeValue(N=2)"), "applied once: "
                    + testbed.items());
        }
    }

    @Test
    void givenRotationWhoseAnswerIsLost_whenRetriedByTheSdk_thenTheOneRotationIsTheAnswer() {
        testbed.seed(TOKEN_A, null, Map.of("k", "v"));
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("TransactWriteItems",
                new FaultyEndpoint.LoseAnswer())) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-rotate.json"));

            assertEquals(200, response.statusCode(), response.body());
            String fresh = (String) body(response).get("token");
            assertEquals(1, testbed.sessionItems().size(), "the old session moved once: " + testbed.items());
            assertEquals(200, handle(event("sessions-current.json").cookies(List.of("__Host-sid=" + fresh))).statusCode());
        }
    }

    @Test
    void givenASignInWhoseTakeOverAnswerIsLost_whenRetriedByTheSdk_thenTheOneTakeOverIsTheAnswer() {
        testbed.seed(TOKEN_A, null, Map.of("cart", List.of(1)));
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("TransactWriteItems",
                new FaultyEndpoint.LoseAnswer())) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-sign-in.json"));

            assertEquals(201, response.statusCode(), response.body());
            assertEquals(1, faulty.faults());
            assertEquals(1, testbed.sessionItems().size(), "the visitor's session moved once: " + testbed.items());
            assertEquals(200, current((String) body(response).get("token")).statusCode());
            assertProblem(current(TOKEN_A), 401, "session-required");
        }
    }

    @Test
    void givenRotationCancelledByAConflictingWrite_whenRotated_thenRetriedAndDone() {
        testbed.seed(TOKEN_A, null, Map.of("k", "v"));
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("TransactWriteItems",
                FaultyEndpoint.transactionCanceled("None", "TransactionConflict"))) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-rotate.json"));

            assertEquals(1, faulty.faults());
            assertEquals(200, response.statusCode(), response.body());
        }
    }

    @Test
    void givenRotationThrottled_whenRotated_thenUnavailableWithRetryAfterAndNothingChanged() {
        testbed.seed(TOKEN_A, null, Map.of("k", "v"));
        List<String> before = testbed.items();
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("TransactWriteItems", 0, 10,
                FaultyEndpoint.transactionCanceled("ThrottlingError", "None"))) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-rotate.json"));

            assertProblem(response, 503, "unavailable");
            assertEquals("1", response.header("retry-after"));
            assertEquals(before, testbed.items());
        }
    }

    @Test
    void givenIdempotencyKey_whenTheSameCreateIsRetried_thenTheSameSessionUnderANewTokenAndTheFirstTokenStops() {
        ApiEvent create = event("sessions-create.json").header("idempotency-key", "8e0f6a56-2d4c-4b8e-9d2f-2f2b5c7a1e01");

        HandlerResponse first = handle(create.requestId("first"));
        HandlerResponse retry = handle(create.requestId("retry"));

        assertEquals(201, first.statusCode(), first.body());
        assertEquals(201, retry.statusCode(), retry.body());
        assertNotEquals(body(first).get("token"), body(retry).get("token"));
        assertEquals(session(first).get("createdAt"), session(retry).get("createdAt"), "the same session");
        assertEquals(session(first).get("data"), session(retry).get("data"));
        assertEquals(1, testbed.sessionItems().size(), "nothing new was created");
        assertProblem(handle(event("sessions-current.json").header("authorization", "Bearer " + body(first).get("token"))),
                401, "session-required");
        assertEquals(200, handle(event("sessions-current.json").header("authorization", "Bearer "
                + body(retry).get("token"))).statusCode());
        assertFalse(testbed.logText().contains("8e0f6a56"), "the key is never logged");
    }

    @Test
    void givenAKeyedCreateWhoseClaimAnswerIsLost_whenTheSdkRepeatsTheClaim_thenCreatedNotConflicting() {
        // the claim is the first PutItem of a keyed create: it commits, its answer is lost, the SDK sends it again
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("PutItem", new FaultyEndpoint.LoseAnswer())) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-create.json")
                    .header("idempotency-key", "0b4f3c2e-8f6d-4a0e-b1c2-5d9e7f8a6b01"));

            assertEquals(1, faulty.faults());
            assertEquals(201, response.statusCode(), response.body());
            assertEquals(1, testbed.sessionItems().size());
        }
    }

    @Test
    void givenAKeyedCreateWhoseCompletionFailed_whenRepeatedAfterTheLease_thenTheOneSessionIsTheAnswer() {
        ApiEvent create = event("sessions-create.json").header("idempotency-key", "5c1e9a70-3b2d-4f6e-8a9b-0c1d2e3f4a02");
        // the session is written; recording it in the key's claim then fails, every attempt the SDK makes
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("UpdateItem", 0, 10,
                FaultyEndpoint.throttled())) {
            Invoke.http(through(faulty, Map.of()), create);
        }
        testbed.clock().advance(IdempotencyRecords.LEASE.plusSeconds(1));

        HandlerResponse repeat = handle(create);

        assertEquals(201, repeat.statusCode(), repeat.body());
        assertEquals(1, testbed.sessionItems().size(), "one session per key and body: " + testbed.items());
    }

    @Test
    void givenAKeyedCreateThatFailedMidway_whenRetriedOnceItsFunctionHasTimedOut_thenServedNotTold409() {
        ApiEvent create = event("sessions-create.json").header("idempotency-key", "6d2f8b81-4c3e-4a7f-9b0c-1d2e3f4a5b04");
        // the session is written, recording it in the claim fails: the claim stands, uncompleted
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("UpdateItem", 0, 10,
                FaultyEndpoint.throttled())) {
            Invoke.http(through(faulty, Map.of()), create); // its context has 10 s left: the function's timeout
        }
        HandlerResponse meanwhile = handle(create);
        testbed.clock().advance(Duration.ofSeconds(10).plus(SessionService.LEASE_MARGIN).plusMillis(1));

        HandlerResponse afterTimeout = handle(create);

        assertEquals(409, meanwhile.statusCode(), "while the first request may still be writing");
        assertEquals(201, afterTimeout.statusCode(), "not 409 for the rest of a 35 s lease: " + afterTimeout.body());
        assertEquals(1, testbed.sessionItems().size(), "one session per key and body: " + testbed.items());
    }

    @Test
    void givenAKeyedCreateRepeated_whenTheRepeatsCompletionFails_thenALaterRepeatStillFindsTheSession() {
        ApiEvent create = event("sessions-create.json").header("idempotency-key", "9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b03");
        HandlerResponse first = handle(create);
        HandlerResponse second;
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("UpdateItem", 0, 10,
                FaultyEndpoint.throttled())) {
            second = Invoke.http(through(faulty, Map.of()), create);
        }

        HandlerResponse third = handle(create);

        assertEquals(201, second.statusCode(), second.body());
        assertEquals(201, third.statusCode(), third.body());
        assertEquals(session(first).get("createdAt"), session(third).get("createdAt"), "the same session");
        assertEquals(1, testbed.sessionItems().size());
    }

    @Test
    void givenTheClientRotatedItsSession_whenTheSameKeyedCreateIsRepeated_thenTheLiveSessionNotEnded() {
        ApiEvent create = event("sessions-create.json").header("idempotency-key", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c04");
        HandlerResponse first = handle(create);
        HandlerResponse rotated = handle(event("sessions-rotate.json").header("authorization", "Bearer "
                + body(first).get("token")));

        HandlerResponse repeat = handle(create);

        assertEquals(200, rotated.statusCode(), rotated.body());
        assertEquals(201, repeat.statusCode(), repeat.body());
        assertEquals(session(first).get("createdAt"), session(repeat).get("createdAt"), "the same session");
        assertProblem(handle(event("sessions-current.json").header("authorization", "Bearer "
                + body(rotated).get("token"))), 401, "session-required");
    }

    @Test
    void givenRotationCancelledForRealByAVisit_whenRetried_thenItsNewAttemptIsNotTakenForTheOldOne() {
        testbed.seed(TOKEN_A, null, Map.of("k", "v"));
        VisitsWriter visit = new VisitsWriter(testbed);
        // between the rotation's read and its transaction, a visit changes the session: the first
        // transaction is cancelled by DynamoDB's own condition, and the retry carries other items
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("TransactWriteItems",
                new FaultyEndpoint.Before(visit::run))) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-rotate.json"));

            assertEquals(1, faulty.faults());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(1, ((Number) session(response).get("visits")).intValue(), "the visit moved with it");
        }
    }

    /** A visit of the demo session, written straight to the table as another function would. */
    private record VisitsWriter(ApiTestbed testbed) {
        void run() {
            testbed.components().sessions().visit(Optional.of(SessionToken.parse(TOKEN_A).orElseThrow()),
                    "visit-" + UUID.randomUUID());
        }
    }

    @Test
    void givenIdempotencyKeyUsedWithAnotherBody_whenCreated_thenUnprocessableAndNothingCreated() {
        String key = "d3b07384-d113-4ec4-9a1b-6f0c2a8f9e11";
        handle(event("sessions-create.json").header("idempotency-key", key));
        List<String> before = testbed.items();

        HandlerResponse other = handle(event("sessions-create.json").header("idempotency-key", key).requestId("other")
                .body("{\"principal\":\"mallory\"}"));

        assertProblem(other, 422, "idempotency-key-reused");
        assertEquals(before.size(), testbed.items().size());
        assertRefusedUnchanged(event("sessions-create.json").header("idempotency-key", "short"), 400,
                "invalid-idempotency-key");
    }

    @Test
    void givenLimitOfTwoSessionsPerPrincipal_whenAThirdIsCreated_thenTheLeastRecentlyUsedIsRevokedAndTheHeaderSaysSo() {
        SessionsHandler limited = with(Map.of("MAX_SESSIONS_PER_PRINCIPAL", "2"));
        HandlerResponse oldest = Invoke.http(limited, event("sessions-create.json").requestId("one"));
        testbed.clock().advance(Duration.ofSeconds(5));
        Invoke.http(limited, event("sessions-create.json").requestId("two"));
        testbed.clock().advance(Duration.ofSeconds(5));
        Poll.until(Duration.ofSeconds(10), "both indexed", () -> testbed.components().sessions()
                .listByPrincipal("alice@example.com").size() == 2);

        HandlerResponse third = Invoke.http(limited, event("sessions-create.json").requestId("three"));

        assertEquals(201, third.statusCode(), third.body());
        assertEquals("1", third.header("x-sessions-revoked"));
        assertEquals(2, testbed.items().size());
        assertProblem(handle(event("sessions-current.json").header("authorization", "Bearer " + body(oldest).get("token"))),
                401, "session-required");
    }

    /** A handler on {@code dynamo}'s endpoint as a function builds its client (the project's retries included). */
    private static SessionsHandler on(ApiTestbed bed, DedicatedDynamoDb dynamo, Map<String, String> env) {
        return new SessionsHandler(bed.componentsOn(DynamoDbClients.fromEnvironment(Map.of("AWS_ENDPOINT_URL",
                dynamo.endpoint().uri().toString(), "AWS_REGION", DedicatedDynamoDb.REGION.id(), "AWS_ACCESS_KEY_ID",
                "test", "AWS_SECRET_ACCESS_KEY", "test")), env), bed.out());
    }

    /** An index that trails by 0.2 s and takes a transaction's two items 5 s apart: long enough to act between them. */
    private static final DynamoDbFidelity.Settings TRAILING_INDEX = new DynamoDbFidelity.Settings(Duration.ofMillis(300),
            Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ZERO, null);

    @Test
    void givenAPrincipalAtItsLimitWithASessionHalfwayIntoTheIndex_whenAnotherIsCreated_thenItCountsAndTheLimitHolds() {
        Map<String, String> limit = Map.of("MAX_SESSIONS_PER_PRINCIPAL", "2");
        try (DedicatedDynamoDb dynamo = DedicatedDynamoDb.start(aws, TRAILING_INDEX);
             ApiTestbed trailing = new ApiTestbed(dynamo.endpoint(), Map.of())) {
            SessionsHandler limited = on(trailing, dynamo, limit);
            HandlerResponse first = Invoke.http(limited, event("sessions-create.json").requestId("one"));
            trailing.clock().advance(Duration.ofSeconds(5));
            HandlerResponse second = Invoke.http(limited, event("sessions-create.json").requestId("two"));
            trailing.clock().advance(Duration.ofSeconds(5));
            dynamo.endpoint().awaitReadsCaughtUp();
            // the first is used again: rotated, it is the most recently used, and it reaches the index in two halves
            HandlerResponse rotated = Invoke.http(limited, event("sessions-rotate.json").requestId("rotate")
                    .header("authorization", "Bearer " + body(first).get("token")));
            Poll.until(Duration.ofSeconds(10), "half the rotation in the index", () -> dynamo.status("indexQueued") == 1);
            long halfway = System.nanoTime();

            HandlerResponse third = Invoke.http(limited, event("sessions-create.json").requestId("three"));

            assertTrue(Duration.ofNanos(System.nanoTime() - halfway).compareTo(Duration.ofSeconds(4)) < 0,
                    "created while the index had half the rotation (the other half comes 5 s after the first)");
            assertEquals(201, third.statusCode(), third.body());
            assertEquals("1", third.header("x-sessions-revoked"), "two live before it: the limit of 2 holds");
            assertProblem(Invoke.http(limited, event("sessions-current.json").header("authorization", "Bearer "
                    + body(second).get("token"))), 401, "session-required");
            for (HandlerResponse kept : List.of(rotated, third)) {
                assertEquals(200, Invoke.http(limited, event("sessions-current.json").header("authorization", "Bearer "
                        + body(kept).get("token"))).statusCode(), "the two most recently used stay");
            }
        }
    }

    /** A transaction holds its items 3 s: a request that meets it runs out of its SDK's quick retries first. */
    private static final DynamoDbFidelity.Settings LONG_TRANSACTIONS = new DynamoDbFidelity.Settings(Duration.ofMillis(300),
            null, null, Duration.ofSeconds(3), null);

    @Test
    void givenARotationInFlight_whenTheSameSessionIsReadPatchedAndEnded_thenEachAnswersAsTheContractSaysNever500(
            RedisEndpoint redis) throws Exception {
        try (DedicatedDynamoDb dynamo = DedicatedDynamoDb.start(aws, LONG_TRANSACTIONS);
             ApiTestbed racing = new ApiTestbed(dynamo.endpoint(), Map.of("REDIS_URL", redis.uri().toString()))) {
            SessionsHandler sessions = on(racing, dynamo, Map.of());
            racing.seed(TOKEN_A, null, Map.of("k", "v"));
            racing.clock().advance(Duration.ofSeconds(61)); // a read is due to slide the idle window
            var rotation = java.util.concurrent.CompletableFuture.supplyAsync(() -> Invoke.http(sessions,
                    event("sessions-rotate.json").requestId("rotate")));
            Poll.until(Duration.ofSeconds(10), "the rotation holding its items", () -> dynamo.status("held") == 2);
            List<String> before = racing.items();

            HandlerResponse read = Invoke.http(sessions, event("sessions-current-consistent-bearer.json")
                    .header("authorization", "Bearer " + TOKEN_A));
            HandlerResponse patched = Invoke.http(sessions, event("sessions-patch.json").requestId("patch"));
            HandlerResponse ended = Invoke.http(sessions, event("sessions-delete.json"));
            // through the replica: the rotation's tombstone, written before its transaction, already refuses
            // the old token; the refused end leaves it be, as it is not its own
            HandlerResponse cached = Invoke.http(sessions, event("sessions-current.json"));
            List<String> during = racing.items();
            boolean rotationWasHeldThroughout = !rotation.isDone();
            HandlerResponse afterwards = rotation.get();

            assertTrue(rotationWasHeldThroughout, "every request above met the rotation in flight");
            assertEquals(200, read.statusCode(), "the touch is best effort, the read stands: " + read.body());
            assertProblem(patched, 503, "unavailable");
            assertProblem(ended, 503, "unavailable");
            assertProblem(cached, 401, "session-required");
            assertEquals(before, during, "nothing was half done while the rotation held the session");
            assertEquals(200, afterwards.statusCode(), afterwards.body());
            assertProblem(Invoke.http(sessions, event("sessions-current.json")), 401, "session-required");
            assertEquals(200, Invoke.http(sessions, event("sessions-current.json").header("authorization", "Bearer "
                    + body(afterwards).get("token"))).statusCode(), "the rotated session lives on");
        }
    }

    @Test
    void givenTheTableThrottlingAnEnd_whenDeleted_then503AndItsTombstoneTakenBackSoCachedReadsStillServe(
            RedisEndpoint redis) {
        Map<String, String> replica = Map.of("REDIS_URL", redis.uri().toString());
        testbed.seed(TOKEN_A, null, Map.of("k", "v"));
        try (RedisConnection connection = new RedisConnection(RedisConnection.Settings.fromUrl(redis.uri().toString(),
                Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
            // the demo token's id is the same in every test: no copy or tombstone of it from another
            connection.call("DEL", RedisCacheReplica.key(SessionToken.parse(TOKEN_A).orElseThrow().id()));
        }
        List<String> before = testbed.items();

        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("UpdateItem", 0, 100, FaultyEndpoint.throttled())
                .fail("DeleteItem", 0, 100, FaultyEndpoint.throttled())) {
            assertProblem(Invoke.http(through(faulty, replica), event("sessions-delete.json")), 503, "unavailable");
        }

        assertEquals(before, testbed.items(), "nothing changed in the table");
        HandlerResponse read = Invoke.http(new SessionsHandler(testbed.componentsOn(testbed.dynamo(), replica),
                testbed.out()), event("sessions-current.json"));
        assertEquals(200, read.statusCode(), "nor in the replica: its tombstone was taken back: " + read.body());
    }

    @Test
    void givenAPrincipalAtItsLimit_whenAnotherIsCreated_thenTheDecisionReadsNoSessionItem() {
        Map<String, String> limit = Map.of("MAX_SESSIONS_PER_PRINCIPAL", "2");
        String data = "{\"principal\":\"alice@example.com\",\"data\":{\"blob\":\"" + "x".repeat(12_000) + "\"}}";
        for (String request : List.of("one", "two")) {
            assertEquals(201, Invoke.http(with(limit), event("sessions-create.json").requestId(request).body(data)).statusCode());
            testbed.clock().advance(Duration.ofSeconds(5));
        }
        Poll.until(Duration.ofSeconds(10), "both indexed", () -> testbed.components().sessions()
                .listByPrincipal("alice@example.com").size() == 2);

        try (FaultyEndpoint counting = FaultyEndpoint.start(aws.uri())) {
            HandlerResponse third = Invoke.http(through(counting, limit), event("sessions-create.json").requestId("three"));

            assertEquals("1", third.header("x-sessions-revoked"), third.body());
            assertEquals(1, counting.calls("Query"), "one page of the index");
            assertEquals(0, counting.calls("BatchGetItem") + counting.calls("Scan"), "no session's data read to decide");
        }
    }

    @Test
    void givenAJwtAuthorizer_whenCreated_thenThePrincipalIsTheVerifiedSubjectAndABodyMayOnlyRepeatIt() {
        SessionsHandler verified = with(Map.of("PRINCIPAL_CLAIM", "sub"));
        String subject = "7f3a9c2e-1b4d-4e6f-8a0b-2c3d4e5f6a7b";

        HandlerResponse created = Invoke.http(verified, event("sessions-create-jwt.json"));
        HandlerResponse repeated = Invoke.http(verified, event("sessions-create-jwt.json").requestId("repeat")
                .body("{\"principal\":\"" + subject + "\"}"));

        assertEquals(201, created.statusCode(), created.body());
        assertEquals(subject, session(created).get("principal"));
        assertEquals(201, repeated.statusCode(), repeated.body());
        assertEquals(subject, session(repeated).get("principal"));
    }

    @Test
    void givenAJwtAuthorizer_whenTheBodyNamesAnotherOrNoTokenWasVerified_thenRefusedAndNothingStored() {
        SessionsHandler verified = with(Map.of("PRINCIPAL_CLAIM", "sub"));
        handler = verified;

        assertRefusedUnchanged(event("sessions-create-jwt.json").body("{\"principal\":\"victim@example.com\"}"),
                403, "principal-mismatch");
        assertRefusedUnchanged(event("sessions-create.json"), 401, "token-required");
        handler = with(Map.of("PRINCIPAL_CLAIM", "email"));
        assertRefusedUnchanged(event("sessions-create-jwt.json"), 403, "principal-unverified");
    }

    @Test
    void givenCookieSettings_whenIssued_thenNameAndAttributesFollowThem() {
        HandlerResponse strict = Invoke.http(with(Map.of("COOKIE_SAME_SITE", "Strict", "COOKIE_DOMAIN", "example.com")),
                event("sessions-create.json"));
        String cookie = strict.cookies().getFirst();
        assertTrue(cookie.startsWith("__Secure-sid=") && cookie.contains("; Domain=example.com; HttpOnly; SameSite=Strict;")
                && cookie.endsWith("; Secure"), cookie);

        HandlerResponse plain = Invoke.http(with(Map.of("COOKIE_SECURE", "false")), event("sessions-create.json")
                .requestId("plain"));
        assertTrue(plain.cookies().getFirst().startsWith("sid=") && !plain.cookies().getFirst().contains("Secure"));

        for (Map<String, String> bad : List.of(Map.of("COOKIE_SAME_SITE", "None", "COOKIE_SECURE", "false"),
                Map.of("COOKIE_SAME_SITE", "Sometimes"), Map.of("COOKIE_DOMAIN", "exa mple.com"))) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> with(bad), bad.toString());
            assertTrue(refused.getMessage().startsWith("COOKIE_"), refused.getMessage());
        }
    }

    @Test
    void givenABugReachedThroughTheStore_whenHandled_thenInternalErrorAndItsStackLoggedWithoutTheToken() {
        testbed.seed(TOKEN_A, null, Map.of());
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failNext("GetItem", new FaultyEndpoint.Answer(400,
                "ValidationException", "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":"
                        + "\"The provided key element does not match the schema for " + TOKEN_A + "\"}"))) {
            HandlerResponse response = Invoke.http(through(faulty, Map.of()), event("sessions-current.json"));

            assertProblem(response, 500, "internal");
            Map<String, Object> line = testbed.logLines().getLast();
            assertEquals("ERROR", line.get("level"));
            assertTrue(line.get("stack") instanceof List<?> stack && !stack.isEmpty()
                    && stack.size() <= 41, "a bounded stack: " + line);
            assertFalse(testbed.logText().contains(TOKEN_A), "no token in the line, stack included");
        }
    }

    @Test
    void givenDebugSampling_whenRead_thenTheCacheDecisionIsLoggedAtDebugOnlyWhenItIsOn() {
        testbed.seed(TOKEN_A, null, Map.of());
        Invoke.http(with(Map.of()), event("sessions-current.json"));
        assertFalse(testbed.logText().contains("\"DEBUG\""), "no DEBUG lines at INFO");

        Invoke.http(with(Map.of("LOG_DEBUG_SAMPLE_RATE", "1")), event("sessions-current.json"));
        Invoke.http(with(Map.of("LOG_LEVEL", "DEBUG")), event("sessions-current.json"));

        List<Map<String, Object>> debug = testbed.logLines().stream().filter(l -> "DEBUG".equals(l.get("level"))).toList();
        assertEquals(2, debug.size(), testbed.logText());
        assertEquals("NOT_ASKED", debug.getFirst().get("cacheLookup"));
        assertTrue(debug.getFirst().containsKey("awsRequestId"), "a DEBUG line joins its request");
    }

    @Test
    void givenNumberLiteralsOfSixtyThousandDigits_whenCreated_thenOutOfRangeRefusedAndTrailingZerosAccepted() {
        String zeros = "0".repeat(60_000);

        Map<String, Object> problem = assertRefusedUnchanged(event("sessions-create.json")
                .body("{\"data\":{\"n\":1" + zeros + "}}"), 400, "invalid-body");
        HandlerResponse one = handle(event("sessions-create.json").body("{\"data\":{\"n\":1." + zeros + "}}"));

        assertTrue(problem.get("detail").toString().contains("Data.n is outside the storable range"), problem.toString());
        assertEquals(201, one.statusCode(), one.body());
        assertEquals(BigDecimal.ONE, ((Map<?, ?>) session(one).get("data")).get("n"));
    }

    private static String cookieToken(HandlerResponse response) {
        String cookie = response.cookies().getFirst();
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    private HandlerResponse current(String token) {
        return handle(event("sessions-current.json").cookies(List.of("__Host-sid=" + token)));
    }

    @Test
    void givenAVisitorsCookie_whenItSignsIn_thenTheSessionIsTakenOverAndTheVisitorsTokenIsRefusedAtOnce() {
        testbed.seed(TOKEN_A, null, Map.of("cart", List.of(1)));

        HandlerResponse signedIn = handle(event("sessions-sign-in.json"));

        assertEquals(201, signedIn.statusCode(), signedIn.body());
        Map<String, Object> session = session(signedIn);
        assertEquals("alice@example.com", session.get("principal"));
        assertJsonEquals(Json.parse("{\"cart\":[1],\"locale\":\"en-GB\"}"), session.get("data"));
        assertNotEquals(TOKEN_A, cookieToken(signedIn), "a new token at sign-in");
        assertProblem(current(TOKEN_A), 401, "session-required");
        assertEquals(200, current(cookieToken(signedIn)).statusCode());
        assertTrue(testbed.logText().contains("\"succession\":\"took_over\""), testbed.logText());
    }

    @Test
    void givenAnotherUsersCookie_whenSomeoneSignsIn_thenThatSessionEndsAndNothingOfItCarries() {
        testbed.seed(TOKEN_A, "mallory@example.com", Map.of("secret", "mallory's"));

        HandlerResponse signedIn = handle(event("sessions-sign-in.json"));

        assertEquals(201, signedIn.statusCode(), signedIn.body());
        assertJsonEquals(Json.parse("{\"locale\":\"en-GB\"}"), session(signedIn).get("data"));
        assertProblem(current(TOKEN_A), 401, "session-required");
    }

    @Test
    void givenACrossSitePatchWithTheCookie_whenHandled_thenRefusedNamingWhyAndNothingChanged() {
        testbed.seed(TOKEN_A, null, Map.of("theme", "dark"));

        Map<String, Object> problem = assertRefusedUnchanged(event("sessions-patch-cross-site.json"), 403,
                "cross-site-request");
        HandlerResponse bearer = handle(event("sessions-patch-cross-site.json").cookies(null)
                .header("authorization", "Bearer " + TOKEN_A));
        HandlerResponse sameOrigin = handle(event("sessions-patch-cross-site.json").header("sec-fetch-site", "same-origin"));

        assertTrue(problem.get("detail").toString().contains("cross-site"), problem.toString());
        assertEquals(200, bearer.statusCode(), "a bearer token is no ambient credential: " + bearer.body());
        assertEquals(200, sameOrigin.statusCode(), sameOrigin.body());
        assertEquals("Sec-Fetch-Site, Origin", sameOrigin.headers().get("vary"));
        assertTrue(testbed.logText().contains("\"CrossSiteRefusals\":1"), testbed.logText());
    }

    @Test
    void givenAnyAnswer_whenHandled_thenItVariesByFetchMetadataAndOrigin() {
        HandlerResponse refusal = handle(event("sessions-patch-cross-site.json"));
        HandlerResponse unknown = current(SessionToken.generate().value());
        HandlerResponse badBody = handle(event("sessions-create.json").body("{"));

        for (HandlerResponse answer : List.of(refusal, unknown, badBody)) {
            assertEquals("Sec-Fetch-Site, Origin", answer.headers().get("vary"), answer.statusCode() + " " + answer.body());
        }
        assertEquals(List.of(403, 401, 400), List.of(refusal.statusCode(), unknown.statusCode(), badBody.statusCode()));
    }

    @Test
    void givenAUsersSessionsOnThreeDevices_whenListedEndedOneByOneAndAllButTheCurrent_thenEachAsTheContractSays() {
        String principal = "devices-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        testbed.seed(TOKEN_A, principal, Map.of());
        testbed.seed(TOKEN_B, principal, Map.of());
        String third = SessionToken.generate().value();
        testbed.seed(third, principal, Map.of());
        String strangers = SessionToken.generate().value();
        testbed.seed(strangers, "stranger@example.com", Map.of());

        // the index lags the writes: the listing shows all three once it has them
        HandlerResponse listed = Poll.until(Duration.ofSeconds(30), "the three sessions listed", () ->
                handle(event("sessions-list.json")), r -> ((List<?>) body(r).get("sessions")).size() == 3);
        List<?> sessions = (List<?>) body(listed).get("sessions");
        assertEquals(1, sessions.stream().filter(s -> Boolean.TRUE.equals(((Map<?, ?>) s).get("current"))).count());
        assertFalse(listed.body().contains(TOKEN_B), "never a token");
        assertTrue(((Map<?, ?>) sessions.getFirst()).containsKey("device"));

        HandlerResponse strangerEnded = handle(event("sessions-end-one.json")
                .pathParameter("id", SessionToken.parse(strangers).orElseThrow().id()));
        assertEquals(204, strangerEnded.statusCode(), "answered as an unknown id is");
        assertEquals(200, current(strangers).statusCode(), "a stranger's session is not ended");

        assertEquals(204, handle(event("sessions-end-one.json")).statusCode());
        assertProblem(current(TOKEN_B), 401, "session-required");

        HandlerResponse others = handle(event("sessions-end-others.json"));
        assertEquals(200, others.statusCode(), others.body());
        assertEquals(Map.of("ended", BigDecimal.ONE, "complete", true), body(others));
        assertProblem(current(third), 401, "session-required");
        assertEquals(200, current(TOKEN_A).statusCode(), "the current session lives on");
    }

    @Test
    void givenAVisitorsSession_whenItListsItsSessions_thenItselfAloneMarkedCurrent() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.seed(TOKEN_B, null, Map.of()); // another visitor: no principal ties it to the first

        HandlerResponse listed = handle(event("sessions-list.json"));

        assertEquals(200, listed.statusCode(), listed.body());
        List<?> sessions = (List<?>) body(listed).get("sessions");
        assertEquals(1, sessions.size(), listed.body());
        assertEquals(SessionToken.parse(TOKEN_A).orElseThrow().id(), ((Map<?, ?>) sessions.getFirst()).get("id"));
        assertEquals(true, ((Map<?, ?>) sessions.getFirst()).get("current"));
        assertNull(body(listed).get("next"));
    }

    @Test
    void givenMoreOfAUsersSessionsThanALimit_whenListedPageByPage_thenEachOnceAndTheLastPageSaysSo() {
        String principal = "pages-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        testbed.seed(TOKEN_A, principal, Map.of());
        testbed.seed(TOKEN_B, principal, Map.of());
        testbed.seed(SessionToken.generate().value(), principal, Map.of());

        // the index lags the writes: page through until it has all three
        List<Object> ids = Poll.until(Duration.ofSeconds(30), "three sessions over two pages", () -> {
            List<Object> seen = new ArrayList<>();
            Map<String, String> query = new java.util.HashMap<>(Map.of("limit", "2"));
            for (int page = 0; page < 5; page++) {
                HandlerResponse listed = handle(event("sessions-list.json").query(query));
                assertEquals(200, listed.statusCode(), listed.body());
                List<?> sessions = (List<?>) body(listed).get("sessions");
                assertTrue(sessions.size() <= 2, "a page holds at most its limit: " + listed.body());
                sessions.forEach(session -> seen.add(((Map<?, ?>) session).get("id")));
                Object next = body(listed).get("next");
                if (next == null) {
                    break;
                }
                query.put("cursor", next.toString());
            }
            return seen;
        }, seen -> seen.size() == 3);

        assertEquals(3, new java.util.HashSet<>(ids).size(), "each once: " + ids);
        assertProblem(handle(event("sessions-list.json").query(Map.of("limit", "0"))), 400, "invalid-query");
    }

    @Test
    void givenAKeyedSignIn_whenItIsRepeated_thenTheSessionItMadeUnderAFreshTokenAndTheVisitorsStaysEnded() {
        testbed.seed(TOKEN_A, null, Map.of("cart", List.of(1)));
        ApiEvent signIn = event("sessions-sign-in.json").header("idempotency-key", "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c05");

        HandlerResponse first = handle(signIn.requestId("first"));
        HandlerResponse repeat = handle(signIn.requestId("repeat")); // the browser's retry: the same cookie and key

        assertEquals(201, first.statusCode(), first.body());
        assertEquals(201, repeat.statusCode(), repeat.body());
        assertEquals(session(first).get("createdAt"), session(repeat).get("createdAt"), "the session the first made");
        assertEquals(session(first).get("data"), session(repeat).get("data"), "taken over once: " + repeat.body());
        assertNotEquals(cookieToken(first), cookieToken(repeat), "a fresh token, as for any repeated create");
        assertEquals(1, testbed.sessionItems().size(), "one session, and the visitor's id a pointer to it");
        assertProblem(current(TOKEN_A), 401, "session-required");
        assertEquals(200, current(cookieToken(repeat)).statusCode());
    }

    /** Checks every event file for this function parses as an HTTP API event, as sam local would read it. */
    @Test
    void givenEventFiles_whenLoaded_thenEachIsAnHttpApiEventOfThisFunction() {
        for (String file : List.of("sessions-create.json", "sessions-current.json", "sessions-patch.json",
                "sessions-delete.json", "sessions-rotate.json")) {
            ApiEvent event = event(file);
            assertEquals("2.0", event.field("version"));
            assertTrue(event.field("routeKey").toString().contains("/sessions"), file);
            assertFalse(event.field("rawPath").toString().isEmpty());
        }
    }
}
