package dev.sessions.sessions;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.TcpRelay;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.Session;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.ServerProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /sessions/current served from the cache replica, and revocation that reaches it at once. */
@ExtendWith(LocalServices.class)
class SessionsCacheIT {

    private ApiTestbed testbed;
    private SessionsHandler handler;
    private CacheReplica cache;
    private AwsEndpoint aws;

    @BeforeEach
    void start(AwsEndpoint aws, RedisEndpoint redis) {
        this.aws = aws;
        testbed = new ApiTestbed(aws, Map.of("REDIS_URL", redis.uri().toString()));
        handler = new SessionsHandler(testbed.components(), testbed.out());
        cache = testbed.components().sessions().cache().orElseThrow();
        // the demo token's id is the same in every test: start each with no copy or tombstone of it
        try (RedisConnection connection = new RedisConnection(RedisConnection.Settings.fromUrl(redis.uri().toString(),
                Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
            connection.call("DEL", RedisCacheReplica.key(SessionToken.parse(TOKEN_A).orElseThrow().id()));
        }
    }

    @AfterEach
    void stop() {
        testbed.close();
    }

    private HandlerResponse handle(ApiEvent event) {
        return Invoke.http(handler, event);
    }

    private HandlerResponse handle(String file) {
        return handle(ApiEvent.load(file));
    }

    /** The seeded session, replicated with different data, so that a response shows where it came from. */
    private Session replicated() {
        IssuedSession seeded = testbed.seed(TOKEN_A, null, Map.of("from", "table"));
        Session s = seeded.session();
        Session copy = new Session(s.id(), s.principal(), Map.of("from", "cache"), s.visits(), s.version(), s.revision(),
                s.createdAt(), s.lastAccessedAt(), s.expiresAt(), s.absoluteExpiresAt());
        cache.put(copy, testbed.clock().instant());
        return copy;
    }

    private static Object from(HandlerResponse response) {
        return ((Map<?, ?>) Json.parseObject(response.body(), 8).get("data")).get("from");
    }

    @Test
    void givenReplicatedSession_whenCurrentRead_thenServedFromTheCache() {
        replicated();
        testbed.requests().reset();

        HandlerResponse response = handle("sessions-current.json");

        assertEquals(200, response.statusCode());
        assertEquals("hit", response.headers().get("x-cache"));
        assertEquals("cache", from(response));
        assertEquals(List.of(), testbed.requests().operations(), "a cached read costs no DynamoDB request");
    }

    @Test
    void givenNoCacheHeaderOrConsistentQuery_whenCurrentRead_thenTheTableAnswers() {
        replicated();

        HandlerResponse noCache = handle(ApiEvent.load("sessions-current.json").header("cache-control", "no-cache"));
        HandlerResponse consistent = handle(ApiEvent.load("sessions-current.json").query(Map.of("consistent", "true")));

        for (HandlerResponse response : List.of(noCache, consistent)) {
            assertEquals("miss", response.headers().get("x-cache"));
            assertEquals("table", from(response));
        }
    }

    @Test
    void givenDeletedOrRotatedSession_whenOldTokenReadsTheCache_thenSessionRequiredAtOnce() {
        replicated();
        assertEquals(204, handle("sessions-delete.json").statusCode());

        assertEquals(401, handle("sessions-current.json").statusCode());
        assertEquals(CacheReplica.Write.TOMBSTONED, cache.put(replicated(testbed), testbed.clock().instant()));
    }

    private static Session replicated(ApiTestbed testbed) {
        return new Session(dev.sessions.domain.SessionToken.parse(TOKEN_A).orElseThrow().id(), null, Map.of(), 1, 1, 99,
                testbed.clock().instant(), testbed.clock().instant(), testbed.clock().instant().plusSeconds(600),
                testbed.clock().instant().plusSeconds(600));
    }

    @Test
    void givenReplicatedSession_whenPatchedAndReadAtOnce_thenTheCachedReadShowsThePatch() {
        replicated(); // the stream has not delivered the patch (no poller runs here): only the handler can

        HandlerResponse patched = handle("sessions-patch.json");
        HandlerResponse read = handle("sessions-current.json");

        assertEquals(200, patched.statusCode());
        assertEquals("hit", read.headers().get("x-cache"));
        assertEquals(patched.headers().get("etag"), read.headers().get("etag"));
        assertEquals("light", ((Map<?, ?>) Json.parseObject(read.body(), 8).get("data")).get("theme"));
    }

    @Test
    void givenRotation_whenOldTokenReadsTheCache_thenSessionRequired() {
        replicated();

        assertEquals(200, handle("sessions-rotate.json").statusCode());

        assertEquals(401, handle("sessions-current.json").statusCode());
    }

    @Test
    void givenRedisDown_whenCurrentRead_thenTheTableAnswersAndNothingFails() {
        ApiTestbed down = new ApiTestbed(aws, Map.of("REDIS_URL", "redis://127.0.0.1:" + ServerProcess.freePort()));
        try {
            down.seed(TOKEN_A, null, Map.of("from", "table"));
            SessionsHandler unlucky = new SessionsHandler(down.components(), down.out());

            HandlerResponse read = Invoke.http(unlucky, ApiEvent.load("sessions-current.json"));

            assertEquals(200, read.statusCode());
            assertEquals("miss", read.headers().get("x-cache"));
            assertEquals(1, ((Number) down.logLines().getFirst().get("CacheErrors")).intValue());
        } finally {
            down.close();
        }
    }

    @Test
    void givenRedisDown_whenDeletedOrRotated_thenUnavailableAndTheSessionUntouchedSoARetryCompletesIt() {
        ApiTestbed down = new ApiTestbed(aws, Map.of("REDIS_URL", "redis://127.0.0.1:" + ServerProcess.freePort()));
        try {
            down.seed(TOKEN_A, null, Map.of("k", "v"));
            List<String> before = down.items();
            SessionsHandler unlucky = new SessionsHandler(down.components(), down.out());

            for (String file : List.of("sessions-delete.json", "sessions-rotate.json")) {
                HandlerResponse response = Invoke.http(unlucky, ApiEvent.load(file));
                assertEquals(503, response.statusCode(), file + ": " + response.body());
                assertEquals("1", response.header("retry-after"));
                assertEquals(before, down.items(), file + " changed the table though the tombstone failed");
            }
        } finally {
            down.close();
        }
    }

    @Test
    void givenRedisGoingAwayMidway_whenDeleted_thenUnavailableAndNothingChanged(RedisEndpoint redis) {
        // the real redis-server behind a relay that is cut between the read and the delete: an outage
        try (TcpRelay relay = TcpRelay.start(redis.uri().getHost(), redis.uri().getPort())) {
            ApiTestbed outage = new ApiTestbed(aws, Map.of("REDIS_URL", "redis://127.0.0.1:" + relay.port()));
            try {
                outage.seed(TOKEN_A, null, Map.of());
                SessionsHandler unlucky = new SessionsHandler(outage.components(), outage.out());
                assertEquals(200, Invoke.http(unlucky, ApiEvent.load("sessions-current.json")).statusCode());
                List<String> before = outage.items();
                relay.cut();

                HandlerResponse deleted = Invoke.http(unlucky, ApiEvent.load("sessions-delete.json"));

                assertEquals(503, deleted.statusCode(), deleted.body());
                assertEquals(before, outage.items());
            } finally {
                outage.close();
            }
        }
    }

    @Test
    void givenTheTableFailingAfterTheTombstone_whenDeletedOrRotated_then503AndEveryRouteAnswersAsBefore() {
        replicated();
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri())
                .fail("DeleteItem", 0, 10, FaultyEndpoint.throttled())
                .fail("TransactWriteItems", 0, 10, FaultyEndpoint.throttled())) {
            SessionsHandler failing = new SessionsHandler(testbed.componentsOn(clientOf(faulty), Map.of()),
                    testbed.out());

            for (String file : List.of("sessions-delete.json", "sessions-rotate.json")) {
                HandlerResponse response = Invoke.http(failing, ApiEvent.load(file));
                assertEquals(503, response.statusCode(), file + ": " + response.body());
            }
        }

        // a 503 says nothing changed: the cached read, like every other route, still finds the session
        HandlerResponse cached = handle("sessions-current.json");
        assertEquals(200, cached.statusCode(), cached.body());
        assertEquals(200, handle(ApiEvent.load("sessions-current.json").header("cache-control", "no-cache"))
                .statusCode());
        assertEquals(200, handle("sessions-patch.json").statusCode());
    }

    @Test
    void givenUnknownToken_whenDeleted_thenItsIdIsTombstonedAnyway() {
        HandlerResponse response = handle("sessions-delete.json"); // nobody seeded TOKEN_A

        assertEquals(204, response.statusCode());
        assertInstanceOf(CacheReplica.Revoked.class, cache.read(SessionToken.parse(TOKEN_A).orElseThrow().id()));
    }

    @Test
    void givenCachedCopyOfASessionGoneFromTheTable_whenReadAndTouchDue_thenSessionRequiredAndTombstoned() {
        replicated();
        testbed.dynamo().deleteItem(b -> b.tableName(testbed.table())
                .key(Map.of("id", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                        SessionToken.parse(TOKEN_A).orElseThrow().id()))));
        testbed.clock().advance(Duration.ofSeconds(61));

        assertEquals(401, handle("sessions-current.json").statusCode());

        assertInstanceOf(CacheReplica.Revoked.class, cache.read(SessionToken.parse(TOKEN_A).orElseThrow().id()));
    }

    @Test
    void givenTouchThrottled_whenACachedReadIsDue_thenTheReadIsAnsweredAndTheFailureCounted() {
        replicated();
        testbed.clock().advance(Duration.ofSeconds(61));
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri())
                .fail("UpdateItem", 0, 10, FaultyEndpoint.throttled())) {
            SessionsHandler throttledTouch = new SessionsHandler(testbed.componentsOn(clientOf(faulty), Map.of()),
                    testbed.out());

            HandlerResponse response = Invoke.http(throttledTouch, ApiEvent.load("sessions-current.json"));

            assertEquals(200, response.statusCode(), response.body());
            assertEquals("hit", response.header("x-cache"));
            assertTrue(faulty.faults() > 0, "the touch was tried");
            assertEquals(1, ((Number) testbed.logLines().getLast().get("TouchFailures")).intValue());
        }
    }

    private DynamoDbClient clientOf(FaultyEndpoint faulty) {
        return DynamoDbClients.fromEnvironment(Map.of("AWS_ENDPOINT_URL", faulty.uri().toString(), "AWS_REGION",
                aws.region().id(), "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
    }
}
