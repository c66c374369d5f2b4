package dev.sessions.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.json.Json;
import dev.sessions.testing.DedicatedDynamoDb;
import dev.sessions.testing.DynamoDbFidelity;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.ApiEvent;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.TestContext;
import java.util.UUID;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.Poll;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(LocalServices.class)
class AdminHandlerIT {

    private AwsEndpoint aws;
    private ApiTestbed testbed;
    private AdminHandler handler;

    @BeforeEach
    void start(AwsEndpoint aws) {
        this.aws = aws;
        testbed = new ApiTestbed(aws, Map.of());
        handler = new AdminHandler(testbed.components(), testbed.out());
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(testbed.logText(), List.of(ApiTestbed.TOKEN_A, ApiTestbed.TOKEN_B,
                "laptop", "phone"));
        testbed.close();
    }

    private HandlerResponse handle(String file) {
        return Invoke.http(handler, ApiEvent.load(file));
    }

    /** An index that trails by 0.2 s and takes a transaction's two items 5 s apart: long enough to act between them. */
    private static final DynamoDbFidelity.Settings TRAILING_INDEX = new DynamoDbFidelity.Settings(Duration.ofMillis(300),
            Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ZERO, null);

    @Test
    void givenASessionRotatedWhileTheIndexHasOnlyHalfTheRotation_whenListedAndRevoked_thenFoundAndEndedCompletely() {
        try (DedicatedDynamoDb dynamo = DedicatedDynamoDb.start(aws, TRAILING_INDEX);
             ApiTestbed trailing = new ApiTestbed(dynamo.endpoint(), Map.of())) {
            AdminHandler admin = new AdminHandler(trailing.components(), trailing.out());
            var seeded = trailing.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
            dynamo.endpoint().awaitReadsCaughtUp();
            var rotated = trailing.components().sessions().rotate(seeded.token(), "rotate-" + UUID.randomUUID());
            // the rotation's new item and its old id's pointer reach the index one at a time, 5 s apart
            Poll.until(Duration.ofSeconds(10), "one of the rotation's two items in the index, the other on its way",
                    () -> dynamo.status("indexQueued") == 1);
            long halfway = System.nanoTime();

            HandlerResponse listed = Invoke.http(admin, ApiEvent.load("admin-list.json"));
            HandlerResponse revoked = Invoke.http(admin, ApiEvent.load("admin-revoke.json"));

            assertTrue(Duration.ofNanos(System.nanoTime() - halfway).compareTo(Duration.ofSeconds(4)) < 0,
                    "all of it happened while the index had half the rotation (the other half comes 5 s after the first)");
            assertEquals(List.of(rotated.session().id()), ((List<?>) Json.parseObject(listed.body(), 8).get("sessions"))
                    .stream().map(s -> ((Map<?, ?>) s).get("id")).toList(), "listed once, under its new id");
            assertEquals(Map.of("revoked", BigDecimal.ONE, "complete", true), Json.parseObject(revoked.body(), 8));
            assertThrows(SessionNotFound.class, () -> trailing.components().sessions().read(rotated.token(), true),
                    "complete: true means no session of the principal lives");
        }
    }

    @Test
    void givenPrincipalWithSessions_whenListed_thenLiveOnesWithoutTokens() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of("device", "laptop"));
        testbed.seed(ApiTestbed.TOKEN_B, "alice@example.com", Map.of("device", "phone"));

        HandlerResponse response = Poll.until(Duration.ofSeconds(10), "both sessions listed",
                () -> handle("admin-list.json"), r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 2);

        assertEquals(200, response.statusCode());
        assertFalse(response.body().contains(ApiTestbed.TOKEN_A) || response.body().contains(ApiTestbed.TOKEN_B),
                "never a token");
        assertTrue(testbed.logText().contains("arn:aws:sts::123456789012:assumed-role/SessionsOperator/ops-oncall"),
                "the IAM caller is logged");
    }

    @Test
    void givenMoreSessionsThanAPage_whenListedPageByPage_thenEachOnceOldestFirstAndTheLastPageSaysSo() {
        for (int i = 0; i < 5; i++) {
            testbed.seed(SessionToken.generate().value(), "alice@example.com", Map.of());
            testbed.clock().advance(Duration.ofSeconds(1)); // created one after another, as the index orders them
        }
        Poll.until(Duration.ofSeconds(10), "five indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 5);

        List<Object> ids = new java.util.ArrayList<>();
        List<Integer> pageSizes = new java.util.ArrayList<>();
        Map<String, String> query = new java.util.HashMap<>(Map.of("limit", "2"));
        for (int page = 0; page < 10; page++) {
            HandlerResponse response = Invoke.http(handler, ApiEvent.load("admin-list.json").query(query));
            assertEquals(200, response.statusCode(), response.body());
            Map<String, Object> body = Json.parseObject(response.body(), 8);
            List<?> sessions = (List<?>) body.get("sessions");
            pageSizes.add(sessions.size());
            sessions.forEach(s -> ids.add(((Map<?, ?>) s).get("id")));
            if (body.get("next") == null) {
                break;
            }
            query.put("cursor", (String) body.get("next"));
        }

        assertEquals(List.of(2, 2, 1), pageSizes);
        assertEquals(5, new java.util.HashSet<>(ids).size(), "each session once: " + ids);
        assertEquals(ids, Json.parseObject(handle("admin-list.json").body(), 8).get("sessions") instanceof List<?> all
                ? all.stream().map(s -> ((Map<?, ?>) s).get("id")).toList() : null, "the pages in the order of one listing");
    }

    @Test
    void givenABadLimitOrCursor_whenListed_thenBadRequestNamingIt() {
        List<Map<String, String>> bad = List.of(Map.of("limit", "0"), Map.of("limit", "201"), Map.of("limit", "ten"),
                Map.of("cursor", "not base64!"), Map.of("cursor", "bm90LWEtY3Vyc29y"), Map.of("cursor", ""));
        for (Map<String, String> query : bad) {
            HandlerResponse response = Invoke.http(handler, ApiEvent.load("admin-list.json").query(query));

            assertEquals(400, response.statusCode(), query + ": " + response.body());
            Map<String, Object> problem = Json.parseObject(response.body(), 4);
            assertEquals("urn:sessions:problem:invalid-query", problem.get("type"), query.toString());
            assertTrue(String.valueOf(problem.get("detail")).startsWith(query.containsKey("limit") ? "Limit" : "Cursor"),
                    String.valueOf(problem.get("detail")));
        }
    }

    @Test
    void givenASessionRotatedThirtyTimes_whenRevoked_thenEachIdOfItsChainIsTriedOnce() {
        var issued = testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        for (int i = 0; i < 30; i++) {
            issued = testbed.components().sessions().rotate(issued.token(), "rotate-" + UUID.randomUUID());
        }
        aws.awaitReadsCaughtUp(); // the index holds all 31 ids of the chain: 30 forward pointers and the session
        testbed.requests().reset();

        HandlerResponse revoked = handle("admin-revoke.json");

        assertEquals(Map.of("revoked", BigDecimal.ONE, "complete", true), Json.parseObject(revoked.body(), 4));
        long deletes = testbed.requests().operations().stream().filter("DeleteItem"::equals).count();
        assertEquals(31, deletes, "one delete per id of the chain, not one per id for every entry before it");
        var current = issued;
        assertThrows(SessionNotFound.class, () -> testbed.components().sessions().read(current.token(), true));
    }

    @Test
    void givenPrincipalWithSessions_whenRevoked_thenCountedAndListEmpty() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        testbed.seed(ApiTestbed.TOKEN_B, "alice@example.com", Map.of());
        Poll.until(Duration.ofSeconds(10), "both indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 2);

        HandlerResponse revoked = handle("admin-revoke.json");

        assertEquals(200, revoked.statusCode());
        assertEquals(Map.of("revoked", new BigDecimal(2), "complete", true), Json.parseObject(revoked.body(), 4));
        assertEquals(List.of(), Json.parseObject(handle("admin-list.json").body(), 8).get("sessions"));
        assertEquals(List.of(), testbed.items());
    }

    @Test
    void givenMoreSessionsThanOnePage_whenRevoked_thenEveryOneRevokedAndCounted() {
        AdminHandler paging = new AdminHandler(testbed.componentsWithPageSize(2), testbed.out());
        for (int i = 0; i < 5; i++) {
            testbed.seed(SessionToken.generate().value(), "alice@example.com", Map.of());
        }
        Poll.until(Duration.ofSeconds(10), "five indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 5);

        HandlerResponse revoked = Invoke.http(paging, ApiEvent.load("admin-revoke.json"));

        assertEquals(Map.of("revoked", new BigDecimal(5), "complete", true), Json.parseObject(revoked.body(), 4));
        assertEquals(List.of(), testbed.items());
    }

    @Test
    void givenNoTimeLeftToRevoke_whenRevoked_thenItSaysSoAndARepeatFinishes() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        testbed.seed(ApiTestbed.TOKEN_B, "alice@example.com", Map.of());
        Poll.until(Duration.ofSeconds(10), "both indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 2);
        int margin = (int) handler.answerMargin().toMillis();

        HandlerResponse out = Invoke.http(handler, ApiEvent.load("admin-revoke.json"),
                new TestContext(UUID.randomUUID().toString(), margin));
        HandlerResponse again = Invoke.http(handler, ApiEvent.load("admin-revoke.json"));

        assertEquals(Map.of("revoked", BigDecimal.ZERO, "complete", false), Json.parseObject(out.body(), 4));
        assertEquals(Map.of("revoked", new BigDecimal(2), "complete", true), Json.parseObject(again.body(), 4));
        assertEquals(List.of(), testbed.items());
    }

    @Test
    void givenASlowTable_whenRevoked_thenAnsweredIncompleteWithinTheFunctionsTime() {
        for (String token : List.of(ApiTestbed.TOKEN_A, ApiTestbed.TOKEN_B, SessionToken.generate().value())) {
            testbed.seed(token, "alice@example.com", Map.of());
        }
        Poll.until(Duration.ofSeconds(10), "all indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 3);
        int remaining = 7_500;
        // the first delete is slow, the next ones take nearly all the SDK allows a call (5 s)
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri())
                .fail("DeleteItem", 0, 1, new FaultyEndpoint.Delay(Duration.ofMillis(3_500)))
                .fail("DeleteItem", 1, 5, new FaultyEndpoint.Delay(Duration.ofMillis(4_800)))) {
            // on the system clock: the function's deadline passes as the time does
            AdminHandler slow = new AdminHandler(testbed.componentsOn(dynamoThrough(faulty), Map.of(),
                    java.time.Clock.systemUTC()), testbed.out());
            long start = System.nanoTime();

            HandlerResponse out = Invoke.http(slow, ApiEvent.load("admin-revoke.json"),
                    new TestContext(UUID.randomUUID().toString(), remaining));

            long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(false, Json.parseObject(out.body(), 4).get("complete"), out.body());
            assertTrue(took < remaining, "answered after " + took + " ms of the function's " + remaining);
        }
    }

    @Test
    void givenASessionRotatingWhileRevoked_whenRevoked_thenTheRevocationFollowsItToItsLastToken() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        testbed.seed(ApiTestbed.TOKEN_B, "alice@example.com", Map.of());
        Poll.until(Duration.ofSeconds(10), "both indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 2);
        AtomicReference<SessionToken> thief = new AtomicReference<>(SessionToken.parse(ApiTestbed.TOKEN_A).orElseThrow());
        Runnable rotate = () -> thief.set(testbed.components().sessions().rotate(thief.get(),
                "rotate-" + UUID.randomUUID()).token());
        // a stolen token rotated just before each of the revocation's first three deletes: every race lost
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri())
                .fail("DeleteItem", 0, 3, new FaultyEndpoint.Before(rotate))) {
            AdminHandler racing = new AdminHandler(testbed.componentsOn(dynamoThrough(faulty), Map.of()), testbed.out());

            HandlerResponse revoked = Invoke.http(racing, ApiEvent.load("admin-revoke.json"));

            assertEquals(3, faulty.faults());
            assertEquals(Map.of("revoked", new BigDecimal(2), "complete", true), Json.parseObject(revoked.body(), 4));
        }
        assertThrows(SessionNotFound.class, () -> testbed.components().sessions().read(thief.get(), true));
        assertEquals(List.of(), testbed.sessionItems());
    }

    private DynamoDbClient dynamoThrough(FaultyEndpoint faulty) {
        return DynamoDbClients.fromEnvironment(Map.of("AWS_ENDPOINT_URL", faulty.uri().toString(),
                "AWS_REGION", aws.region().id(), "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
    }

    @Test
    void givenInvalidPrincipals_whenListed_thenBadRequestNamingTheRule() {
        for (String principal : List.of("alice smith", "a/b", "..", "p".repeat(10 * 1024), "")) {
            ApiEvent event = ApiEvent.load("admin-invalid-principal.json").pathParameter("principal", principal);

            HandlerResponse response = Invoke.http(handler, event);

            assertEquals(400, response.statusCode(), principal);
            Map<String, Object> problem = Json.parseObject(response.body(), 4);
            assertEquals("urn:sessions:problem:invalid-principal", problem.get("type"));
            assertTrue(problem.get("detail").toString().length() < 200, "the detail does not echo a long value");
        }
    }

    @Test
    void givenPriming_whenWarmedUp_thenNothingIsStoredOrLogged() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        List<String> before = testbed.items();

        handler.priming().warmUp();

        assertEquals(before, testbed.items());
        assertEquals("", testbed.logText());
    }
}
