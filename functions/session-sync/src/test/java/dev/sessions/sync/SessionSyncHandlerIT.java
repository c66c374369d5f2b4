package dev.sessions.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
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
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.EventFiles;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.MutableClock;
import dev.sessions.testing.QueueFixture;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replica's sync from stream batches (events/ files' own bytes, changed copies of them, and
 * real records from the emulator) into a real redis-server, through the function's stream entry.
 */
@ExtendWith(LocalServices.class)
class SessionSyncHandlerIT {

    /**
     * The handler's clock: ten seconds after the events/ files' first record was written, taken
     * from the fixture itself. The replica's TTLs are relative to this clock, so the fixtures'
     * fixed dates never meet the redis-server's own clock.
     */
    static final Instant EVENT_TIME = StreamEvents.load("stream-insert.json").getRecords().getFirst().getDynamodb()
            .getApproximateCreationDateTime().toInstant().plusSeconds(10);
    static final String EVENT_SESSION = SessionToken.parse("tEsT0aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA").orElseThrow().id();
    /** Where events/stream-rotate.json moves it: the id of the second demo token. */
    static final String ROTATED_SESSION = SessionToken.parse("tEsT1bBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbB").orElseThrow().id();

    private RedisConnection redis;
    private RedisCacheReplica replica;
    private QueueFixture queue;
    private final MutableClock clock = new MutableClock(EVENT_TIME);
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private SessionSyncHandler handler;

    @BeforeEach
    void start(RedisEndpoint endpoint, AwsEndpoint aws) {
        redis = new RedisConnection(RedisConnection.Settings.fromUrl(endpoint.uri().toString(), Duration.ofSeconds(2),
                Duration.ofSeconds(2)));
        redis.call("DEL", RedisCacheReplica.key(EVENT_SESSION));
        replica = new RedisCacheReplica(redis);
        queue = new QueueFixture(aws);
        handler = handlerOn(replica);
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(logs.toString(StandardCharsets.UTF_8), List.of("alice@example.com", "A-1"));
        queue.close();
    }

    private SessionSyncHandler handlerOn(CacheReplica cache) {
        return new SessionSyncHandler(cache, queue.deadLetters(), clock, new FunctionLog("SessionSyncFunction", "Sessions",
                new PrintStream(logs, true, StandardCharsets.UTF_8), LogSettings.INFO));
    }

    /** An events/ file's own bytes through the function. */
    private List<String> handle(String file) {
        return StreamEvents.failures(Invoke.stream(handler, EventFiles.bytes(file)));
    }

    private List<String> handle(DynamodbEvent event) {
        return StreamEvents.failures(Invoke.stream(handler, StreamEvents.bytes(event)));
    }

    private Session cached(String id) {
        return assertInstanceOf(CacheReplica.Hit.class, replica.read(id)).session();
    }

    @Test
    void givenInsert_whenSynced_thenTheSessionIsInTheReplica() {
        List<String> failures = handle("stream-insert.json");

        assertTrue(failures.isEmpty());
        Session session = cached(EVENT_SESSION);
        assertEquals(1, session.revision());
        assertEquals("alice@example.com", session.principal());
        assertEquals("dark", session.data().get("theme"));
    }

    @Test
    void givenReplaysThriceReversedAndInterleaved_whenSynced_thenTheReplicaEndsAsOneCleanDeliveryLeavesIt() {
        handle("stream-insert.json");
        handle("stream-modify-visit.json");
        DynamodbEvent clean = StreamEvents.load("stream-replay-out-of-order.json");
        // one clean delivery: the records in order, each once
        redis.call("DEL", RedisCacheReplica.key(EVENT_SESSION));
        List<DynamodbEvent.DynamodbStreamRecord> inOrder = new ArrayList<>(clean.getRecords().subList(0, 3));
        inOrder.sort((a, b) -> a.getDynamodb().getSequenceNumber().compareTo(b.getDynamodb().getSequenceNumber()));
        handle(StreamEvents.event(inOrder));
        Session once = cached(EVENT_SESSION);

        for (int i = 0; i < 3; i++) {
            handle("stream-replay-out-of-order.json");
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
        handle("stream-insert.json");

        handle("stream-remove.json");
        handle("stream-modify-visit.json");
        handle("stream-replay-out-of-order.json");

        assertInstanceOf(CacheReplica.Revoked.class, replica.read(EVENT_SESSION));
    }

    @Test
    void givenRotationAndItsForwardPointerExpiring_whenSynced_thenTheNewIdCachedTheOldTombstonedNoExpiryCounted() {
        handle("stream-insert.json");

        List<String> failures = handle("stream-rotate.json");

        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(4, cached(ROTATED_SESSION).revision());
        assertInstanceOf(CacheReplica.Revoked.class, replica.read(EVENT_SESSION));
        assertFalse(logs.toString(StandardCharsets.UTF_8).contains("SessionsExpired"),
                "a forward pointer's TTL deletion is no session's expiry: " + logs.toString(StandardCharsets.UTF_8));
        assertTrue(queue.messages().isEmpty(), "nothing set aside: " + queue.messages());
    }

    @Test
    void givenTtlDeletion_whenSynced_thenEvictedAndCountedAsAnExpiry() {
        handle("stream-insert.json");

        handle("stream-ttl-expiry.json");

        assertInstanceOf(CacheReplica.Revoked.class, replica.read(EVENT_SESSION));
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("\"SessionsExpired\":1"), logs.toString(StandardCharsets.UTF_8));
    }

    /** Three INSERTs of new sessions, built from the insert fixture. */
    private static List<DynamodbEvent.DynamodbStreamRecord> threeInserts() {
        String first = StreamEvents.load("stream-replay-out-of-order.json").getRecords().getFirst().getDynamodb()
                .getSequenceNumber();
        List<DynamodbEvent.DynamodbStreamRecord> three = new ArrayList<>();
        for (String id : List.of("first", "second", "third")) {
            DynamodbEvent.DynamodbStreamRecord record = StreamEvents.load("stream-insert.json").getRecords().getFirst();
            String sessionId = SessionToken.generate().id();
            record.getDynamodb().getNewImage().get("id").setS(sessionId);
            record.getDynamodb().getKeys().get("id").setS(sessionId);
            record.getDynamodb().setSequenceNumber(first + three.size());
            record.setEventID(id);
            three.add(record);
        }
        return three;
    }

    private static String keyOf(DynamodbEvent.DynamodbStreamRecord record) {
        return record.getDynamodb().getKeys().get("id").getS();
    }

    @Test
    void givenRedisFailingOnTheSecondRecord_whenSynced_thenExactlyTheUnappliedRecordsAreReported() {
        List<DynamodbEvent.DynamodbStreamRecord> three = threeInserts();
        // the second session's key holds a string, not a hash: Redis refuses the script there (WRONGTYPE)
        redis.call("SET", RedisCacheReplica.key(keyOf(three.get(1))), "not a hash");

        List<String> failures = handle(StreamEvents.event(three));

        assertEquals(List.of(three.get(1).getDynamodb().getSequenceNumber()), failures);
        assertInstanceOf(CacheReplica.Hit.class, replica.read(keyOf(three.get(0))));
        assertInstanceOf(CacheReplica.Miss.class, replica.read(keyOf(three.get(2))),
                "nothing after the failure was applied: the mapping retries it in order");
        assertTrue(queue.messages().isEmpty(), "a transient failure is retried, not set aside");
    }

    @Test
    void givenRedisDown_whenSynced_thenTheFirstRecordIsReported() {
        handler = handlerOn(new RedisCacheReplica(new RedisConnection(RedisConnection.Settings.fromUrl(
                "redis://127.0.0.1:" + ServerProcess.freePort(), Duration.ofMillis(300), Duration.ofMillis(300)))));
        DynamodbEvent event = StreamEvents.load("stream-replay-out-of-order.json");

        assertEquals(List.of(event.getRecords().getFirst().getDynamodb().getSequenceNumber()),
                handle("stream-replay-out-of-order.json"));
    }

    @Test
    void givenRecordsThatAreNoSessions_whenSynced_thenEachSetAsideWithItsMetadataAndNoneRetried() {
        DynamodbEvent generated = StreamEvents.load("stream-not-a-session.json"); // sam local generate-event dynamodb update
        List<DynamodbEvent.DynamodbStreamRecord> poison = new ArrayList<>(generated.getRecords());
        DynamodbEvent.DynamodbStreamRecord noImage = StreamEvents.load("stream-insert.json").getRecords().getFirst();
        noImage.getDynamodb().setNewImage(null);
        noImage.setEventID("no-image");
        DynamodbEvent.DynamodbStreamRecord unknownEvent = StreamEvents.load("stream-insert.json").getRecords().getFirst();
        unknownEvent.setEventName("TRUNCATE");
        unknownEvent.setEventID("unknown-event");
        poison.add(noImage);
        poison.add(unknownEvent);

        List<String> failures = handle(StreamEvents.event(poison));

        assertEquals(List.of(), failures, "nothing for the mapping to retry");
        List<Map<String, Object>> letters = queue.messages();
        assertEquals(poison.size(), letters.size());
        for (Map<String, Object> letter : letters) {
            Map<?, ?> record = (Map<?, ?>) letter.get("poisonRecord");
            assertEquals("SessionSyncFunction", record.get("function"));
            assertTrue(record.get("eventID") instanceof String && record.get("reason") instanceof String, letter.toString());
            assertFalse(Json.write(letter).contains("dark") || Json.write(letter).contains("New item"), "no image data");
        }
        String log = logs.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("\"PoisonRecords\":" + poison.size()), log);
        assertTrue(log.contains("\"eventID\":\"unknown-event\""), "an ERROR line names each record: " + log);
    }

    @Test
    void givenAPoisonRecordBetweenGoodOnes_whenSynced_thenTheGoodOnesAppliedThePoisonSetAsideAndNothingRetried() {
        List<DynamodbEvent.DynamodbStreamRecord> three = threeInserts();
        three.get(1).getDynamodb().getNewImage().remove("revision");

        List<String> failures = handle(StreamEvents.event(three));

        assertEquals(List.of(), failures);
        assertInstanceOf(CacheReplica.Hit.class, replica.read(keyOf(three.get(0))));
        assertInstanceOf(CacheReplica.Miss.class, replica.read(keyOf(three.get(1))));
        assertInstanceOf(CacheReplica.Hit.class, replica.read(keyOf(three.get(2))));
        List<Map<String, Object>> letters = queue.messages();
        assertEquals(1, letters.size());
        assertEquals("second", ((Map<?, ?>) letters.getFirst().get("poisonRecord")).get("eventID"));
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
                var issued = sessions.create(new SessionService.NewSession("bob", Map.of("k", "v"), Optional.empty()),
                        UUID.randomUUID().toString()).issued();
                sessions.visit(Optional.of(issued.token()), UUID.randomUUID().toString());
                sessions.patch(issued.token(), new MergePatch(Map.of("k", "w")), Optional.empty(),
                        UUID.randomUUID().toString());
                var gone = sessions.create(new SessionService.NewSession(null, Map.of(), Optional.empty()),
                        UUID.randomUUID().toString()).issued();
                sessions.end(gone.token());
                var rotated = sessions.rotate(issued.token(), UUID.randomUUID().toString());
                clock.set(now.instant());

                // the rotation is an INSERT of the new id and a MODIFY of the old one into its forward pointer
                handle(StreamEvents.event(StreamEvents.read(dynamo, streams, table, 7)));

                Session inTable = store.find(rotated.token().id(), now.instant(), true).orElseThrow();
                assertEquals(inTable, cached(rotated.token().id()));
                assertInstanceOf(CacheReplica.Revoked.class, replica.read(issued.token().id()));
                assertInstanceOf(CacheReplica.Revoked.class, replica.read(gone.token().id()));
                assertEquals(Map.of("k", "w"), Json.parseObject(Json.write(cached(rotated.token().id()).data()), 4));
                assertTrue(queue.messages().isEmpty(), "the forward pointer is no poison record: " + queue.messages());
            } finally {
                dynamo.deleteTable(b -> b.tableName(table));
            }
        }
    }
}
