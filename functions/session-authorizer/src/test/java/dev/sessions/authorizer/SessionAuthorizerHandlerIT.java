package dev.sessions.authorizer;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static dev.sessions.testing.ApiTestbed.TOKEN_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The session authorizer driven by events/authorizer-me.json and variations of it, on the real store and replica. */
@ExtendWith(LocalServices.class)
class SessionAuthorizerHandlerIT {

    private static final Map<String, String> ENV = Map.of("AUTHORIZER_DATA_KEYS", "theme, locale");
    private AwsEndpoint aws;
    private ApiTestbed testbed;
    private SessionAuthorizerHandler handler;

    @BeforeEach
    void start(AwsEndpoint aws, RedisEndpoint redis) {
        this.aws = aws;
        testbed = new ApiTestbed(aws, Map.of("REDIS_URL", redis.uri().toString()));
        handler = new SessionAuthorizerHandler(testbed.components(), ENV, testbed.out());
        // the demo tokens' ids are the same in every test: start each with no copy or tombstone of them
        try (RedisConnection connection = new RedisConnection(RedisConnection.Settings.fromUrl(redis.uri().toString(),
                Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
            for (String token : List.of(TOKEN_A, TOKEN_B)) {
                connection.call("DEL", RedisCacheReplica.key(SessionToken.parse(token).orElseThrow().id()));
            }
        }
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(testbed.logText(), List.of(TOKEN_A, TOKEN_B));
        testbed.close();
    }

    private static ApiEvent event() {
        return ApiEvent.load("authorizer-me.json");
    }

    private static Map<String, Object> decide(SessionAuthorizerHandler authorizer, ApiEvent event) {
        return Json.parseObject(new String(Invoke.raw(authorizer, event.bytes(), TestContext.fresh()),
                StandardCharsets.UTF_8), 40);
    }

    private Map<String, Object> decide(ApiEvent event) {
        return decide(handler, event);
    }

    private static ApiEvent bearer(String token) {
        return event().cookies(null).header("authorization", "Bearer " + token);
    }

    @Test
    void givenALiveSessionsCookie_whenAuthorized_thenAllowedWithItsIdPrincipalExpiryAndTheNamedDataOnly() {
        IssuedSession seeded = testbed.seed(TOKEN_A, "alice@example.com", Map.of("theme", "dark", "cart", List.of(1),
                "secret", "s"));

        Map<String, Object> answer = decide(event());

        assertEquals(true, answer.get("isAuthorized"), testbed.logText());
        assertEquals(Map.of("id", seeded.session().id(), "principal", "alice@example.com", "expiresAt",
                seeded.session().expiresAt().toString(), "data", Map.of("theme", "dark")), answer.get("context"));
        assertFalse(Json.write(answer).contains(TOKEN_A), "never the token");
        assertTrue(testbed.logText().contains("\"decision\":\"allow\""));
    }

    @Test
    void givenRequestsWithoutALiveSession_whenAuthorized_thenEachDeniedAndCounted() {
        testbed.seed(TOKEN_A, null, Map.of());
        IssuedSession ended = testbed.seed(TOKEN_B, null, Map.of());
        testbed.components().sessions().end(ended.token());

        List<ApiEvent> refused = List.of(event().cookies(null), bearer(SessionToken.generate().value()),
                bearer(TOKEN_B), bearer("not-a-session-token"),
                event().cookies(List.of("__Host-sid=" + TOKEN_A, "__Host-sid=" + TOKEN_B)),
                event().cookies(List.of("sid=" + TOKEN_A)));

        for (ApiEvent request : refused) {
            assertEquals(Map.of("isAuthorized", false), decide(request), request.json());
        }
        assertEquals(refused.size(), LogAssertions.metricTotal(testbed.logText(), "AuthorizerDenials"));
    }

    @Test
    void givenBothABearerAndACookie_whenAuthorized_thenTheBearerDecidesAsForGetSessionsCurrent() {
        testbed.seed(TOKEN_A, null, Map.of());

        assertEquals(false, decide(event().header("authorization", "Bearer " + TOKEN_B)).get("isAuthorized"));
        assertEquals(true, decide(event().cookies(List.of("__Host-sid=" + TOKEN_B)).header("authorization",
                "Bearer " + TOKEN_A)).get("isAuthorized"));
    }

    @Test
    void givenASessionRotatedOrIdleTooLong_whenItsOldTokenIsAuthorized_thenDeniedAtOnce() {
        IssuedSession rotated = testbed.seed(TOKEN_A, null, Map.of());
        testbed.seed(TOKEN_B, null, Map.of());
        IssuedSession moved = testbed.components().sessions().rotate(rotated.token(), UUID.randomUUID().toString());

        assertEquals(false, decide(bearer(TOKEN_A)).get("isAuthorized"), "a rotated token is dead");
        assertEquals(true, decide(bearer(moved.token().value())).get("isAuthorized"));
        testbed.clock().advance(Duration.ofMinutes(31));
        assertEquals(false, decide(bearer(TOKEN_B)).get("isAuthorized"), "idle past its timeout");
    }

    @Test
    void givenAReadAfterTheTouchInterval_whenAuthorized_thenTheIdleWindowSlidesOnce() {
        IssuedSession seeded = testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofSeconds(61));

        Map<?, ?> first = (Map<?, ?>) decide(event()).get("context");
        Map<?, ?> second = (Map<?, ?>) decide(event()).get("context");

        assertTrue(java.time.Instant.parse((String) first.get("expiresAt")).isAfter(seeded.session().expiresAt()),
                "slid: " + first);
        assertEquals(first.get("expiresAt"), second.get("expiresAt"), "at most once per touch interval");
    }

    @Test
    void givenLessTimeLeftThanOneMoreCall_whenAReadIsDueForItsTouch_thenAllowedWithoutSlidingSoTheAnswerIsNotLate() {
        IssuedSession seeded = testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofSeconds(61));
        testbed.requests().reset();

        Map<String, Object> answer = Json.parseObject(new String(Invoke.raw(handler, event().bytes(),
                new TestContext(UUID.randomUUID().toString(), 3_000)), StandardCharsets.UTF_8), 40);

        assertEquals(true, answer.get("isAuthorized"));
        assertEquals(seeded.session().expiresAt().toString(), ((Map<?, ?>) answer.get("context")).get("expiresAt"),
                "not slid: a second call would not fit in the 3 s left");
        assertFalse(testbed.requests().operations().contains("UpdateItem"), testbed.requests().operations().toString());
    }

    @Test
    void givenTheStoreThrottling_whenAuthorized_thenDeniedLoggedAsAnErrorAndCounted() {
        testbed.seed(TOKEN_A, null, Map.of());
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("GetItem", 0, 100, FaultyEndpoint.throttled())) {
            SessionComponents throttled = testbed.componentsOn(DynamoDbClients.fromEnvironment(Map.of("AWS_ENDPOINT_URL",
                    faulty.uri().toString(), "AWS_REGION", aws.region().id(), "AWS_ACCESS_KEY_ID", "test",
                    "AWS_SECRET_ACCESS_KEY", "test")), Map.of("REDIS_URL", ""));

            Map<String, Object> answer = decide(new SessionAuthorizerHandler(throttled, ENV, testbed.out()), event());

            assertEquals(Map.of("isAuthorized", false), answer, "fails closed");
        }
        assertEquals(1, LogAssertions.metricTotal(testbed.logText(), "AuthorizerStoreFailures"));
        assertTrue(testbed.logText().lines().anyMatch(l -> l.contains("\"level\":\"ERROR\"")
                && l.contains("store-unavailable")), testbed.logText());
    }

    @Test
    void givenTheReplicaUnreachable_whenAuthorized_thenDecidedByTheTableAndTheCacheErrorCounted() throws Exception {
        testbed.seed(TOKEN_A, "alice@example.com", Map.of());
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort(); // nothing listens there once it is closed: the replica is down
        }
        SessionComponents noReplica = testbed.componentsOn(testbed.dynamo(), Map.of("REDIS_URL",
                "redis://127.0.0.1:" + closed));

        Map<String, Object> answer = decide(new SessionAuthorizerHandler(noReplica, ENV, testbed.out()), event());

        assertEquals(true, answer.get("isAuthorized"), "the table decides: " + testbed.logText());
        assertEquals(1, LogAssertions.metricTotal(testbed.logText(), "CacheErrors"), "counted for CacheErrorsAlarm");
        assertEquals(0, LogAssertions.metricTotal(testbed.logText(), "AuthorizerStoreFailures"));
    }

    @Test
    void givenACrossSiteUnsafeRequestWithTheCookie_whenAuthorized_thenDeniedUnlessSameOriginTrustedOrBearer() {
        testbed.seed(TOKEN_A, "alice@example.com", Map.of());
        SessionAuthorizerHandler trusting = new SessionAuthorizerHandler(testbed.componentsOn(testbed.dynamo(),
                Map.of("TRUSTED_ORIGINS", "https://app.example.com")), ENV, testbed.out());

        assertEquals(false, decide(post().header("sec-fetch-site", "cross-site").header("origin", "https://evil.example"))
                .get("isAuthorized"), "cross-site with the cookie");
        assertEquals(false, decide(post().header("origin", "https://evil.example")).get("isAuthorized"),
                "another origin, no Fetch Metadata");
        assertEquals(true, decide(post().header("sec-fetch-site", "same-origin")).get("isAuthorized"), "same origin");
        assertEquals(true, decide(post().header("origin", "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"))
                .get("isAuthorized"), "the API's own origin");
        assertEquals(true, decide(post()).get("isAuthorized"), "neither header: no browser");
        assertEquals(true, decide(event().header("sec-fetch-site", "cross-site")).get("isAuthorized"),
                "a cross-site GET (a link followed) changes nothing");
        assertEquals(true, decide(post().header("authorization", "Bearer " + TOKEN_A).header("sec-fetch-site",
                "cross-site")).get("isAuthorized"), "with the cookie too: a bearer token is no ambient credential");
        assertEquals(true, decide(trusting, post().header("sec-fetch-site", "same-site")
                .header("origin", "https://app.example.com")).get("isAuthorized"), "a trusted origin");
        assertTrue(testbed.logText().contains("\"reason\":\"cross-site\""), testbed.logText());
        assertEquals(2, testbed.logText().lines().filter(line -> line.contains("\"CrossSiteRefusals\":1")).count(),
                testbed.logText());
    }

    private static ApiEvent post() {
        return event().method("POST");
    }

    @Test
    void givenAnApiThatKeepsAnswersByTheCookie_whenACrossSiteRequestComes_thenItsAnswerIsTheCookiesAlone() {
        testbed.seed(TOKEN_A, null, Map.of());
        SessionAuthorizerHandler cookieKeyed = new SessionAuthorizerHandler(testbed.components(),
                Map.of("TOKEN_SOURCE", "cookie"), testbed.out());
        String cookieHeader = ((List<?>) event().field("cookies")).stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining("; "));

        // API Gateway would keep this answer for the cookie: a refusal would lock its owner out
        assertEquals(true, decide(cookieKeyed, post().header("sec-fetch-site", "cross-site")
                .identitySource(List.of(cookieHeader))).get("isAuthorized"), "this stack's API, keyed by Cookie");
        assertEquals(true, decide(post().header("sec-fetch-site", "cross-site").identitySource(List.of(cookieHeader)))
                .get("isAuthorized"), "another stack's API that keeps answers by its Cookie header");
        // an API that keeps nothing (no identity source) is checked, whatever this stack's caching
        assertEquals(false, decide(cookieKeyed, post().header("sec-fetch-site", "cross-site")).get("isAuthorized"));
    }

    @Test
    void givenATokenSourceOfTheCookie_whenABearerComesAlong_thenOnlyTheCookieIsRead() {
        testbed.seed(TOKEN_A, null, Map.of());
        SessionAuthorizerHandler cookieOnly = new SessionAuthorizerHandler(testbed.components(),
                Map.of("TOKEN_SOURCE", "cookie"), testbed.out());

        assertEquals(true, decide(cookieOnly, event().header("authorization", "Bearer " + TOKEN_B)).get("isAuthorized"),
                "API Gateway caches the answer by the Cookie header: the decision may depend on nothing else");
    }

    @Test
    void givenTheWarmUpBeforeASnapshot_whenRun_thenNothingIsWrittenAndNothingLogged() throws Exception {
        List<String> before = testbed.items();

        handler.priming().warmUp();

        assertEquals(before, testbed.items());
        assertEquals("", testbed.logText().strip());
    }

    @Test
    void givenAnUnknownTokenSource_whenBuilt_thenRefusedNamingIt() {
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SessionAuthorizerHandler(testbed.components(), Map.of("TOKEN_SOURCE", "query"), testbed.out()));
        assertEquals("TOKEN_SOURCE must be any, cookie or authorization, not query", refused.getMessage());
    }
}
