package dev.sessions.visits;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static dev.sessions.testing.ApiTestbed.TOKEN_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /, driven through the function's stream entry by the events/ files, on the real store. */
@ExtendWith(LocalServices.class)
class VisitsHandlerIT {

    private AwsEndpoint aws;
    private ApiTestbed testbed;
    private VisitsHandler handler;

    @BeforeEach
    void start(AwsEndpoint aws) {
        this.aws = aws;
        testbed = new ApiTestbed(aws, Map.of());
        handler = new VisitsHandler(testbed.components(), testbed.out());
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(testbed.logText(), List.of(TOKEN_A, TOKEN_B));
        testbed.close();
    }

    private HandlerResponse visit(ApiEvent event) {
        return Invoke.http(handler, event);
    }

    @Test
    void givenFirstVisit_whenHandled_thenOneVisitAndANewSessionCookie() {
        HandlerResponse response = visit(ApiEvent.load("visits-first.json"));

        assertEquals(List.of("PutItem"), testbed.requests().operations(), "a first visit is exactly one write");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; charset=utf-8", response.headers().get("content-type"));
        assertEquals("You have visited 1 times.", response.body());
        String cookie = response.cookies().getFirst();
        assertTrue(cookie.matches("__Host-sid=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800; Secure"),
                cookie);
    }

    @Test
    void givenReturningVisitor_whenHandledThrice_thenCountsAndReissuesTheSameCookie() {
        testbed.seed(TOKEN_A, null, Map.of());

        visit(ApiEvent.load("visits-returning.json").requestId("one"));
        visit(ApiEvent.load("visits-returning.json").requestId("two"));
        testbed.requests().reset();
        HandlerResponse third = visit(ApiEvent.load("visits-returning.json").requestId("three"));

        assertEquals("You have visited 3 times.", third.body());
        assertEquals(List.of("UpdateItem"), testbed.requests().operations(), "a visit is exactly one write");
        assertTrue(third.cookies().getFirst().startsWith("__Host-sid=" + TOKEN_A + "; "), "Max-Age refreshed, same token");
    }

    @Test
    void givenTheSameEventFileInvokedTwice_whenHandled_thenTwoInvocationsCountTwoVisits() {
        testbed.seed(TOKEN_A, null, Map.of());

        visit(ApiEvent.load("visits-returning.json"));
        HandlerResponse second = visit(ApiEvent.load("visits-returning.json"));

        // the file's requestId is fixed; each invocation is still a request of its own
        assertEquals("You have visited 2 times.", second.body());
    }

    @Test
    void givenAnswersLostAfterTheWriteCommitted_whenVisitedThirtyTimes_thenExactlyThirty() {
        testbed.seed(TOKEN_A, null, Map.of());
        // every third UpdateItem commits in the emulator and its answer is lost: the SDK sends it again
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).failEvery("UpdateItem", 3,
                new FaultyEndpoint.LoseAnswer())) {
            VisitsHandler retrying = new VisitsHandler(testbed.componentsOn(DynamoDbClients.fromEnvironment(Map.of(
                    "AWS_ENDPOINT_URL", faulty.uri().toString(), "AWS_REGION", aws.region().id(),
                    "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test")), Map.of()), testbed.out());

            HandlerResponse last = null;
            for (int i = 1; i <= 30; i++) {
                last = Invoke.http(retrying, ApiEvent.load("visits-returning.json").requestId("visit-" + UUID.randomUUID()));
                assertEquals("You have visited " + i + " times.", last.body(), "visit " + i);
            }

            assertTrue(faulty.faults() >= 10, "answers lost: " + faulty.faults());
            assertEquals("You have visited 31 times.", visit(ApiEvent.load("visits-returning.json")).body());
        }
    }

    @Test
    void givenExpiredSession_whenVisited_thenANewSessionStartsAtOne() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofMinutes(31));

        HandlerResponse response = visit(ApiEvent.load("visits-returning.json"));

        assertEquals("You have visited 1 times.", response.body());
        assertFalse(response.cookies().getFirst().startsWith("__Host-sid=" + TOKEN_A), "a new token");
        assertEquals(1, testbed.logLines().getFirst().get("ExpiredSessionHits") instanceof Number n ? n.intValue() : 0);
    }

    @Test
    void givenMalformedToken_whenVisited_thenANewSessionInsteadOfAnError() {
        HandlerResponse response = visit(ApiEvent.load("visits-returning.json").cookies(List.of("__Host-sid=short")));

        assertEquals("You have visited 1 times.", response.body());
    }

    @Test
    void givenTwoSidCookies_whenVisited_thenAmbiguousAndNothingStored() {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.seed(TOKEN_B, null, Map.of());
        List<String> before = testbed.items();

        HandlerResponse response = visit(ApiEvent.load("visits-ambiguous-cookies.json"));

        assertEquals(400, response.statusCode());
        assertEquals("urn:sessions:problem:ambiguous-session", Json.parseObject(response.body(), 4).get("type"));
        assertEquals(before, testbed.items());
    }

    @Test
    void givenAPlainSidCookieWhereTheHostPrefixedOneIsSet_whenVisited_thenItIsNotRead() {
        testbed.seed(TOKEN_A, null, Map.of());

        // a cookie a sibling subdomain could plant is not the session cookie
        HandlerResponse response = visit(ApiEvent.load("visits-returning.json").cookies(List.of("sid=" + TOKEN_A)));

        assertEquals("You have visited 1 times.", response.body(), "a new session, not TOKEN_A's");
    }

    @Test
    void givenBearerToken_whenVisited_thenCountedWithoutSettingACookie() {
        testbed.seed(TOKEN_A, null, Map.of());

        HandlerResponse response = visit(ApiEvent.load("visits-first.json").header("authorization", "Bearer " + TOKEN_A));

        assertEquals("You have visited 1 times.", response.body());
        assertNull(response.cookies());
    }

    @Test
    void givenPriming_whenWarmedUp_thenNothingIsStoredOrLogged() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        List<String> before = testbed.items();

        handler.priming().warmUp();

        assertEquals(before, testbed.items());
        assertEquals("", testbed.logText());
        assertEquals(SessionToken.parse(TOKEN_A).orElseThrow().id().length(), 43);
    }
}
