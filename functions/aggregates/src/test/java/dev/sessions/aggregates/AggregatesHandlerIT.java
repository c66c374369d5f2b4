package dev.sessions.aggregates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.EventFiles;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.EventBusFixture;
import dev.sessions.testing.QueueFixture;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.MutableClock;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RequestCounter;
import dev.sessions.testing.SessionsTableFixture;
import dev.sessions.testing.StreamEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The sharded aggregates from stream batches, on the real emulator: every change counted exactly once. */
@ExtendWith(LocalServices.class)
class AggregatesHandlerIT {

    private DynamoDbClient dynamo;
    private final RequestCounter requests = new RequestCounter();
    private String counters;
    private DynamoDbCounterStore store;
    private QueueFixture queue;
    private EventBusFixture bus;
    private AwsEndpoint aws;
    private AggregatesHandler handler;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    // the handler's clock is the test's now, not the fixtures' dates: it dates the claims' TTL,
    // which a real table (or an emulator that runs TTL) would act on
    @BeforeEach
    void start(AwsEndpoint aws) {
        this.aws = aws;
        dynamo = aws.dynamoDb(requests);
        counters = SessionsTableFixture.create(dynamo, SessionsTableFixture.countersTable("counters"));
        store = new DynamoDbCounterStore(dynamo, counters, 8);
        queue = new QueueFixture(aws);
        bus = EventBusFixture.create(aws);
        handler = new AggregatesHandler(store, queue.deadLetters(), bus.publisher(), new MutableClock(Instant.now()),
                new FunctionLog("AggregatesFunction", "Sessions", new PrintStream(logs, true, StandardCharsets.UTF_8),
                        LogSettings.INFO));
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(logs.toString(StandardCharsets.UTF_8), List.of("alice@example.com", "A-1"));
        dynamo.deleteTable(b -> b.tableName(counters));
        dynamo.close();
        queue.close();
        bus.close();
    }

    /** The totals once eventually consistent reads see every count written (they trail the writes). */
    private Tally totals() {
        aws.awaitReadsCaughtUp();
        return store.totals();
    }

    private static DynamodbEvent load(String file) {
        return StreamEvents.load(file);
    }

    /** An events/ file's own bytes through the function. */
    private List<String> handle(String file) {
        return StreamEvents.failures(Invoke.stream(handler, EventFiles.bytes(file)));
    }

    private List<String> handle(DynamodbEvent event) {
        return StreamEvents.failures(Invoke.stream(handler, StreamEvents.bytes(event)));
    }

    @Test
    void givenInsertAndVisits_whenCounted_thenCreatedActiveAndVisits() {
        handle("stream-insert.json");
        handle("stream-modify-visit.json");

        assertEquals(new Tally(1, 1, 1), totals());
    }

    @Test
    void givenReplaysThriceReversedAndInterleaved_whenCounted_thenExactlyAsOneCleanDelivery() {
        DynamodbEvent replay = load("stream-replay-out-of-order.json");

        for (int i = 0; i < 3; i++) {
            handle("stream-replay-out-of-order.json");
        }
        List<DynamodbEvent.DynamodbStreamRecord> reversed = new ArrayList<>(replay.getRecords());
        Collections.reverse(reversed);
        handle(StreamEvents.event(reversed));

        assertEquals(new Tally(2, 1, 1), totals(), "one INSERT and two visits, each counted once");
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("\"DuplicatesSkipped\""));
    }

    @Test
    void givenTwoHundredFiftyVisitsDeliveredInPartsAndAgain_whenCounted_thenEachOnceAndOneTransactionPerGroup() {
        List<DynamodbEvent.DynamodbStreamRecord> visits = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            DynamodbEvent.DynamodbStreamRecord record = load("stream-modify-visit.json").getRecords().getFirst();
            record.setEventID("visit-" + i);
            record.getDynamodb().setSequenceNumber(Long.toString(1_000_000 + i));
            visits.add(record);
        }
        handle(StreamEvents.event(visits.subList(0, 50)));
        requests.reset();

        List<String> failures = handle(StreamEvents.event(visits));

        assertEquals(List.of(), failures);
        // groups of 96, 96 and 58; the first group's 50 counted claims cost it one more attempt
        assertEquals(List.of("TransactWriteItems", "TransactWriteItems", "TransactWriteItems", "TransactWriteItems",
                "BatchGetItem"), requests.operations());
        handle(StreamEvents.event(visits));
        assertEquals(new Tally(250, 0, 0), totals(), "each visit once, whatever the grouping of the deliveries");
        String log = logs.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("\"RecordsApplied\":200") || log.contains("\"RecordsApplied\":200.0"), log);
    }

    /** Each event's kind and what it says, as a consumer reads them. */
    private static List<String> summaries(List<Map<String, Object>> events) {
        return events.stream().map(e -> {
            Map<?, ?> detail = (Map<?, ?>) e.get("detail");
            return e.get("detail-type") + " " + detail.get("sessionId").toString().substring(0, 6) + " "
                    + (detail.containsKey("reason") ? detail.get("reason") : detail.get("startedBy"));
        }).toList();
    }

    @Test
    void givenSessionsStartedRotatedEndedAndExpired_whenTheStreamIsRead_thenEachStartAndEndOnTheBusInTheStreamsOrder() {
        handle("stream-insert.json");
        handle("stream-rotate.json");
        handle("stream-remove.json");
        handle("stream-ttl-expiry.json");
        handle("stream-modify-visit.json"); // a visit is no lifecycle event

        List<Map<String, Object>> events = new ArrayList<>();
        Poll.until(Duration.ofSeconds(10), "the five events on the queue", () -> {
            events.addAll(bus.received());
            return events.size() >= 5;
        });

        assertEquals(List.of("Session Started 62FqTx created", "Session Started " + rotated("stream-rotate.json", 0)
                + " rotated", "Session Ended " + rotated("stream-rotate.json", 1) + " rotated",
                "Session Ended 62FqTx signed-out", "Session Ended 62FqTx expired"), summaries(events).subList(0, 5),
                summaries(events).toString());
        Map<?, ?> started = (Map<?, ?>) events.getFirst().get("detail");
        assertEquals("dev.sessions", events.getFirst().get("source"));
        assertEquals("alice@example.com", started.get("principal"));
        assertTrue(started.get("eventId").toString().endsWith("-started"));
        assertFalse(events.toString().contains("A-1"), "never the session's data");
    }

    private static String rotated(String file, int record) {
        return load(file).getRecords().get(record).getDynamodb().getKeys().get("id").getS().substring(0, 6);
    }

    @Test
    void givenTheBusRefusingThenLosingItsAnswer_whenRedelivered_thenEachEventLandsAndOnceAfterDedupe(AwsEndpoint aws) {
        DynamodbEvent rotation = load("stream-rotate.json");
        String first = rotation.getRecords().getFirst().getDynamodb().getSequenceNumber();
        // the first call: the bus refuses both entries (throttled); the second: it takes them, and its
        // answer is lost on the way back, so the SDK sends them again
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri())
                .fail("PutEvents", 0, 1, new FaultyEndpoint.Answer(200, null, "{\"FailedEntryCount\":2,\"Entries\":["
                        + "{\"ErrorCode\":\"ThrottlingException\",\"ErrorMessage\":\"Rate exceeded\"},"
                        + "{\"ErrorCode\":\"ThrottlingException\",\"ErrorMessage\":\"Rate exceeded\"}]}"))
                .fail("PutEvents", 1, 1, new FaultyEndpoint.LoseAnswer())) {
            AggregatesHandler publishing = publishingVia(faulty, aws);

            List<String> refused = StreamEvents.failures(Invoke.stream(publishing, StreamEvents.bytes(rotation)));
            assertEquals(List.of(first), refused, "redelivered from the record whose event the bus refused");
            assertEquals(List.of(), bus.received(), "nothing reached the bus");

            List<String> redelivered = StreamEvents.failures(Invoke.stream(publishing, StreamEvents.bytes(rotation)));
            assertEquals(List.of(), redelivered);
            assertEquals(2, faulty.faults());
        }

        List<Map<String, Object>> received = new ArrayList<>();
        Poll.until(Duration.ofSeconds(10), "the events on the queue", () -> {
            received.addAll(bus.received());
            return received.size() >= 4;
        });
        Set<String> ids = new HashSet<>();
        List<Map<String, Object>> deduped = received.stream().filter(e -> ids.add(String.valueOf(((Map<?, ?>) e
                .get("detail")).get("eventId")))).toList();
        assertEquals(List.of("Session Started " + rotated("stream-rotate.json", 0) + " rotated", "Session Ended "
                + rotated("stream-rotate.json", 1) + " rotated"), summaries(deduped), "each once after dedupe, in order");
        assertEquals(4, received.size(), "the lost answer's call came twice: " + summaries(received));
        assertEquals(new Tally(0, 0, 0), totals(), "a rotation counts for nothing, however often delivered");
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("\"EventPublishFailures\":1"));
    }

    @Test
    void givenTheBusTakingOneEntryAndRefusingTheNext_whenPublished_thenTheBatchFailsFromTheRefusedEntrysRecord(
            AwsEndpoint aws) {
        DynamodbEvent rotation = load("stream-rotate.json");
        String second = rotation.getRecords().get(1).getDynamodb().getSequenceNumber();
        // PutEvents answers per entry: the first taken, the second refused
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri())
                .fail("PutEvents", 0, 1, new FaultyEndpoint.Answer(200, null, "{\"FailedEntryCount\":1,\"Entries\":["
                        + "{\"EventId\":\"3f1c2a4e-0000-4000-8000-000000000001\"},"
                        + "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"Internal failure\"}]}"))) {
            List<String> refused = StreamEvents.failures(Invoke.stream(publishingVia(faulty, aws),
                    StreamEvents.bytes(rotation)));

            assertEquals(List.of(second), refused, "redelivered from the refused entry's record, not from the first");
            assertEquals(1, faulty.faults());
        }
    }

    private AggregatesHandler publishingVia(FaultyEndpoint faulty, AwsEndpoint aws) {
        return new AggregatesHandler(store, queue.deadLetters(), bus.publisherVia(faulty.uri(), aws),
                new MutableClock(Instant.now()), new FunctionLog("AggregatesFunction", "Sessions",
                new PrintStream(logs, true, StandardCharsets.UTF_8), LogSettings.INFO));
    }

    @Test
    void givenAPoisonRecordBetweenVisits_whenCounted_thenTheVisitsCountedThePoisonSetAsideAndNothingRetried() {
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            DynamodbEvent.DynamodbStreamRecord visit = load("stream-modify-visit.json").getRecords().getFirst();
            visit.setEventID("visit-" + i);
            visit.getDynamodb().setSequenceNumber(Long.toString(2_000_000 + i * 2));
            records.add(visit);
        }
        DynamodbEvent.DynamodbStreamRecord poison = load("stream-not-a-session.json").getRecords().getFirst();
        poison.getDynamodb().setSequenceNumber("2000001");
        records.add(1, poison);
        DynamodbEvent.DynamodbStreamRecord badNumber = load("stream-modify-visit.json").getRecords().getFirst();
        badNumber.setEventID("bad-number");
        badNumber.getDynamodb().getNewImage().get("visits").setN("many");
        badNumber.getDynamodb().setSequenceNumber("2000003");
        records.add(3, badNumber);

        List<String> failures = handle(StreamEvents.event(records));

        assertEquals(List.of(), failures);
        assertEquals(new Tally(3, 0, 0), totals(), "the three good visits, each once");
        List<Map<String, Object>> letters = queue.messages();
        assertEquals(2, letters.size());
        assertTrue(letters.stream().allMatch(l -> "AggregatesFunction".equals(((Map<?, ?>) l.get("poisonRecord")).get("function"))));
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("\"PoisonRecords\":2"));
    }

    @Test
    void givenAPoisonRecordInAGroupThatFails_whenRedelivered_thenSetAsideOnce(AwsEndpoint aws) {
        DynamodbEvent.DynamodbStreamRecord visit = load("stream-modify-visit.json").getRecords().getFirst();
        visit.getDynamodb().setSequenceNumber("3000000");
        DynamodbEvent.DynamodbStreamRecord poison = load("stream-not-a-session.json").getRecords().getFirst();
        poison.getDynamodb().setSequenceNumber("3000001");
        DynamodbEvent batch = StreamEvents.event(List.of(visit, poison));
        // the group's transaction is throttled on every attempt of the first delivery (the function's
        // client makes three)
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("TransactWriteItems", 0, 3,
                FaultyEndpoint.throttled())) {
            AggregatesHandler throttled = new AggregatesHandler(new DynamoDbCounterStore(
                    DynamoDbClients.fromEnvironment(Map.of("AWS_ENDPOINT_URL", faulty.uri().toString(), "AWS_REGION",
                            aws.region().id(), "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test")),
                    counters, 8), queue.deadLetters(), bus.publisher(),
                    new MutableClock(Instant.now()), new FunctionLog("AggregatesFunction", "Sessions",
                    new PrintStream(logs, true, StandardCharsets.UTF_8), LogSettings.INFO));

            List<String> first = StreamEvents.failures(Invoke.stream(throttled, StreamEvents.bytes(batch)));
            assertEquals(List.of("3000000"), first, "redelivered from the group's start");
        }

        List<String> again = handle(batch); // Lambda's redelivery

        assertEquals(List.of(), again);
        assertEquals(1, queue.messages().size(), "one dead letter per poison record: " + queue.messages());
        assertEquals(new Tally(1, 0, 0), totals());
    }

    @Test
    void givenTheGaugeReadRefused_whenCounted_thenTheBatchStillSucceeds(AwsEndpoint aws) {
        try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("BatchGetItem", 0, 100,
                new FaultyEndpoint.Answer(400, "AccessDeniedException", "{\"__type\":\"com.amazon.coral.service#"
                        + "AccessDeniedException\",\"message\":\"not authorized to perform: dynamodb:BatchGetItem\"}"))) {
            DynamoDbClient denied = new AwsEndpoint(faulty.uri(), aws.region(), true).dynamoDb();
            handler = new AggregatesHandler(new DynamoDbCounterStore(denied, counters, 8), queue.deadLetters(),
                    bus.publisher(), new MutableClock(Instant.now()), new FunctionLog("AggregatesFunction", "Sessions",
                    new PrintStream(logs, true, StandardCharsets.UTF_8), LogSettings.INFO));

            List<String> failures = handle("stream-insert.json");

            assertEquals(List.of(), failures, "the counts were committed; the gauge is not worth a retry");
            assertEquals(new Tally(0, 1, 1), totals());
            assertTrue(logs.toString(StandardCharsets.UTF_8).contains("gaugeError"));
        }
    }

    @Test
    void givenRotationAndItsForwardPointerExpiring_whenCounted_thenTheActiveCountIsUnchanged() {
        handle("stream-insert.json");

        handle("stream-rotate.json");

        assertEquals(new Tally(0, 1, 1), totals(), "a rotation nets zero; the pointer's expiry counts nothing");
    }

    /**
     * One change counted as a stream mapping counts it: 40 writers on 8 counter items make DynamoDB's
     * transactions meet one another, and a batch whose transaction stays held past the store's own
     * retries fails and is delivered again, which must count it once all the same.
     */
    private boolean countAsTheMappingWould(String changeId) {
        for (int delivery = 1; ; delivery++) {
            try {
                return store.addOnce(changeId, new Tally(1, 0, 0), Instant.now());
            } catch (StoreUnavailable held) {
                if (!held.busy() || delivery == 20) {
                    throw held;
                }
            }
        }
    }

    @Test
    void givenRemovalsOfBothKinds_whenCounted_thenActiveSessionsFall() {
        handle("stream-insert.json");
        handle("stream-remove.json");
        handle("stream-ttl-expiry.json");

        assertEquals(new Tally(0, 1, -1), totals());
    }

    @Test
    void givenTwoHundredConcurrentVisits_whenCountedOnShards_thenTheyAllSumExactly() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Callable<Boolean>> visits = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String changeId = "visit-" + i;
                visits.add(() -> countAsTheMappingWould(changeId));
            }
            for (Future<Boolean> visit : pool.invokeAll(visits)) {
                assertTrue(visit.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(new Tally(200, 0, 0), totals());
        Set<String> shards = new HashSet<>();
        dynamo.scan(b -> b.tableName(counters)).items().forEach(item -> {
            if (item.get("pk").s().startsWith("visits#")) {
                shards.add(item.get("pk").s());
            }
        });
        assertTrue(shards.size() > 4, "writes spread over the shards: " + shards);
    }

    @Test
    void givenRealStreamRecordsFromTheEmulator_whenCounted_thenTheAggregatesMatch(AwsEndpoint aws) {
        try (var streams = aws.streams()) {
            String sessions = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("agg"));
            try {
                MutableClock now = new MutableClock(Instant.now());
                SessionPolicy policy = SessionPolicy.defaults();
                SessionService service = new SessionService(new DynamoDbSessionStore(dynamo, sessions, policy), policy, now);
                var visitor = service.visit(Optional.empty(), UUID.randomUUID().toString());
                service.visit(visitor.newToken(), UUID.randomUUID().toString());
                service.visit(visitor.newToken(), UUID.randomUUID().toString());
                var other = service.create(new SessionService.NewSession("carol", Map.of(), Optional.empty()),
                        UUID.randomUUID().toString()).issued();
                service.rotate(other.token(), UUID.randomUUID().toString());

                List<DynamodbEvent.DynamodbStreamRecord> records = StreamEvents.read(dynamo, streams, sessions, 6);
                handle(StreamEvents.event(records));
                handle(StreamEvents.event(records));

                assertEquals(new Tally(3, 2, 2), totals(), "3 visits, 2 sessions created, the rotation nets zero");
            } finally {
                dynamo.deleteTable(b -> b.tableName(sessions));
            }
        }
    }
}
