package dev.sessions.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.MutableClock;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.ServerProcess;
import dev.sessions.testing.SessionsTableFixture;
import dev.sessions.testing.StreamEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replica's sync from stream batches (events/ and real ones from the emulator) into a real redis-server. */
@ExtendWith(LocalServices.class)
class SessionSyncHandlerIT {

    /**
     * The handler's clock: ten seconds after the events/ files' first record was written, taken
     * from the fixture itself. The replica's TTLs are relative to this clock, so the fixtures'
     * fixed dates never meet the redis-server's own clock.
     */
    static final Instant EVENT_TIME = load("stream-insert.json").getRecords().getFirst().getDynamodb()
            .getApproximateCreationDateTime().toInstant().plusSeconds(10);
    static final String EVENT_SESSION = SessionToken.parse("tEsT0aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA").orElseThrow().id();

    private RedisConnection redis;
    private RedisCacheReplica replica;
    private final MutableClock clock = new MutableClock(EVENT_TIME);
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private SessionSyncHandler handler;

    @BeforeEach
    void start(RedisEndpoint endpoint) {
        redis = new RedisConnection(RedisConnection.Settings.fromUrl(endpoint.uri().toString(), Duration.ofSeconds(2),
                Duration.ofSeconds(2)));
        redis.call("DEL", RedisCacheReplica.key(EVENT_SESSION));
        replica = new RedisCacheReplica(redis);
        handler = new SessionSyncHandler(replica, clock, "Sessions", new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    @org.junit.jupiter.api.AfterEach
    void logsWellFormed() {
        LogAssertions.assertEveryLineWellFormed(logs.toString(StandardCharsets.UTF_8), List.of("alice@example.com", "A-1"));
    }

    private static DynamodbEvent load(String file) {
        return EventLoader.loadDynamoDbEvent("events/" + file);
    }

    private StreamsEventResponse handle(DynamodbEvent event) {
        return handler.handleRequest(event, null);
    }

    private Session cached(String id) {
        return assertInstanceOf(CacheReplica.Hit.class, replica.read(id)).session();
    }

    @Test
    void givenInsert_whenSynced_thenTheSessionIsInTheReplica() {
        StreamsEventResponse response = handle(load("stream-insert.json"));

        assertTrue(response.getBatchItemFailures().isEmpty());
        Session session = cached(EVENT_SESSION);
        assertEquals(1, session.revision());
        assertEquals("alice@example.com", session.principal());
        assertEquals("dark", session.data().get("theme"));
    }

    @Test
    void givenReplaysThriceReversedAndInterleaved_whenSynced_thenTheReplicaEndsAsOneCleanDeliveryLeavesIt() {
        handle(load("stream-insert.json"));
        handle(load("stream-modify-visit.json"));
        DynamodbEvent clean = load("stream-replay-out-of-order.json");
        Session once = null;
        // one clean delivery: the records in order, each once
        redis.call("DEL", RedisCacheReplica.key(EVENT_SESSION));
        List<DynamodbEvent.DynamodbStreamRecord> inOrder = new ArrayList<>(clean.getRecords().subList(0, 3));
        inOrder.sort((a, b) -> a.getDynamodb().getSequenceNumber().compareTo(b.getDynamodb().getSequenceNumber()));
        handle(StreamEvents.event(inOrder));
        once = cached(EVENT_SESSION);

        for (int i = 0; i < 3; i++) {
            handle(clean);
        }
        List<DynamodbEvent.DynamodbStreamRecord> reversed = new ArrayList<>(clean.getRecords());
        Collections.reverse(reversed);
        handle(StreamEvents.event(reversed));

        assertEquals(once, cached(EVENT_SESSION));
        assertEquals(3, once.revision());
        assertEquals(2, once.visits());
    }

    @Test
    void givenRemoveThenAnOlderModifyReplayed_whenSynced_thenTheSessionStaysGone() {
        handle(load("stream-insert.json"));

        handle(load("stream-remove.json"));
        handle(load("stream-modify-visit.json"));
        handle(load("stream-replay-out-of-order.json"));

        assertInstanceOf(CacheReplica.Revoked.class, replica.read(EVENT_SESSION));
    }

    @Test
    void givenTtlDeletion_whenSynced_thenEvictedAndCountedAsAnExpiry() {
        handle(load("stream-insert.json"));

        handle(load("stream-ttl-expiry.json"));

        assertInstanceOf(CacheReplica.Revoked.class, replica.read(EVENT_SESSION));
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("\"SessionsExpired\":1"), logs.toString(StandardCharsets.UTF_8));
    }

    @Test
    void givenRedisFailingOnTheSecondRecord_whenSynced_thenExactlyTheUnappliedRecordsAreReported() {
        DynamodbEvent replay = load("stream-replay-out-of-order.json");
        List<DynamodbEvent.DynamodbStreamRecord> three = new ArrayList<>();
        for (String id : List.of("first", "second", "third")) {
            DynamodbEvent.DynamodbStreamRecord record = load("stream-insert.json").getRecords().getFirst();
            String sessionId = SessionToken.generate().id();
            record.getDynamodb().getNewImage().get("id").setS(sessionId);
            record.getDynamodb().getKeys().get("id").setS(sessionId);
            record.getDynamodb().setSequenceNumber(replay.getRecords().getFirst().getDynamodb().getSequenceNumber() + three.size());
            record.setEventID(id);
            three.add(record);
        }
        // the second session's key holds a string, not a hash: Redis refuses the script there (WRONGTYPE)
        String second = three.get(1).getDynamodb().getKeys().get("id").getS();
        redis.call("SET", RedisCacheReplica.key(second), "not a hash");

        StreamsEventResponse response = handle(StreamEvents.event(three));

        assertEquals(List.of(three.get(1).getDynamodb().getSequenceNumber()),
                response.getBatchItemFailures().stream().map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList());
        assertInstanceOf(CacheReplica.Hit.class, replica.read(three.get(0).getDynamodb().getKeys().get("id").getS()));
        assertInstanceOf(CacheReplica.Miss.class, replica.read(three.get(2).getDynamodb().getKeys().get("id").getS()),
                "nothing after the failure was applied: the mapping retries it in order");
    }

    @Test
    void givenRedisDown_whenSynced_thenTheFirstRecordIsReported() {
        SessionSyncHandler unlucky = new SessionSyncHandler(new RedisCacheReplica(new RedisConnection(
                RedisConnection.Settings.fromUrl("redis://127.0.0.1:" + ServerProcess.freePort(), Duration.ofMillis(300),
                        Duration.ofMillis(300)))), clock, "Sessions", new PrintStream(logs, true, StandardCharsets.UTF_8));
        DynamodbEvent event = load("stream-replay-out-of-order.json");

        StreamsEventResponse response = unlucky.handleRequest(event, null);

        assertEquals(List.of(event.getRecords().getFirst().getDynamodb().getSequenceNumber()),
                response.getBatchItemFailures().stream().map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList());
    }

    @Test
    void givenRealStreamRecordsFromTheEmulator_whenSynced_thenTheReplicaMatchesTheTable(AwsEndpoint aws) {
        try (var dynamo = aws.dynamoDb(); var streams = aws.streams()) {
            String table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("sync"));
            try {
                MutableClock now = new MutableClock(Instant.now());
                SessionPolicy policy = SessionPolicy.defaults();
                DynamoDbSessionStore store = new DynamoDbSessionStore(dynamo, table, policy);
                SessionService sessions = new SessionService(store, policy, now);
                var issued = sessions.create("bob", Map.of("k", "v"), 0);
                sessions.visit(Optional.of(issued.token()));
                sessions.patch(issued.token(), new MergePatch(Map.of("k", "w")), Optional.empty());
                var gone = sessions.create(null, Map.of(), 0);
                sessions.delete(gone.token());
                SessionSyncHandler fresh = new SessionSyncHandler(replica, now, "Sessions",
                        new PrintStream(logs, true, StandardCharsets.UTF_8));

                fresh.handleRequest(StreamEvents.event(StreamEvents.read(dynamo, streams, table, 5)), null);

                Session table_ = store.find(issued.token().id(), now.instant(), true).orElseThrow();
                assertEquals(table_, cached(issued.token().id()));
                assertInstanceOf(CacheReplica.Revoked.class, replica.read(gone.token().id()));
                assertEquals(Map.of("k", "w"), Json.parseObject(Json.write(cached(issued.token().id()).data()), 4));
            } finally {
                dynamo.deleteTable(b -> b.tableName(table));
            }
        }
    }
}
