package dev.sessions.bench;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.local.LocalServer;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.streams.StreamPoller;
import dev.sessions.local.template.Template;
import dev.sessions.sync.SessionSyncHandler;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.testing.StreamEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Data sync: how long a write takes to reach the cache replica through the local runtime's stream
 * poller and the sync function, and how many records per second the sync handler applies to a
 * real Redis, against the same number of plain Redis round trips as the baseline.
 */
final class SyncBench {

    private SyncBench() {
    }

    static void run(Bench bench) throws Exception {
        Template template = bench.project("bench-sync");
        Duration timeout = Duration.ofSeconds(2);
        Map<String, Object> figures = new LinkedHashMap<>();
        try (RedisConnection redis = new RedisConnection(RedisConnection.Settings.fromUrl(bench.redisUrl, timeout, timeout));
             DynamoDbClient dynamo = DynamoDbClients.fromEnvironment(bench.aws)) {
            LocalLambda lambda = bench.lambda(template, bench.projectBuild(), Map.of(), 2, (f, l) -> { });
            try (LocalServer server = new LocalServer(lambda, bench.aws, 0, true, Files.createTempDirectory("dlq"),
                    new PrintStream(new ByteArrayOutputStream()))) {
                SessionPolicy policy = SessionPolicy.defaults();
                SessionService sessions = new SessionService(new DynamoDbSessionStore(dynamo,
                        template.tables().get("SessionsTable").name(), policy), policy, Clock.systemUTC());
                awaitReplica(redis, create(sessions, Map.of()), Duration.ofSeconds(60)); // pollers ready
                List<Double> lags = new ArrayList<>();
                for (int i = 0; i < (bench.quick ? 5 : 20); i++) {
                    long written = System.nanoTime();
                    SessionToken token = create(sessions, Map.of("n", i));
                    awaitReplica(redis, token, Duration.ofSeconds(30));
                    lags.add((System.nanoTime() - written) / 1e6);
                }
                Map<String, Object> lag = new LinkedHashMap<>();
                lag.put("writeToReplica", Stats.of(lags).json("ms"));
                lag.put("pollIntervalMs", StreamPoller.POLL_INTERVAL.toMillis());
                lag.put("batchingWindowMs", 0);
                figures.put("lag", lag);
            }

            int batches = bench.quick ? 5 : 20;
            SessionSyncHandler handler = new SessionSyncHandler(new RedisCacheReplica(redis), poison -> {
                throw new IllegalStateException("the benchmark's records are sessions: " + poison.reason());
            }, Clock.systemUTC(), new FunctionLog("SessionSyncFunction", "Sessions",
                    new PrintStream(OutputStream.nullOutputStream()), LogSettings.INFO));
            List<Double> applied = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                byte[] event = StreamEvents.bytes(batch(100)); // the batch's JSON, as Lambda hands it over
                long started = System.nanoTime();
                handler.handleRequest(new ByteArrayInputStream(event), OutputStream.nullOutputStream(), null);
                applied.add(100 / ((System.nanoTime() - started) / 1e9));
            }
            List<Double> plain = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                long started = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    redis.call("SET", "bench:plain:" + i, "x", "PX", 60_000);
                }
                plain.add(100 / ((System.nanoTime() - started) / 1e9));
            }
            Stats sync = Stats.of(applied);
            Stats baseline = Stats.of(plain);
            Map<String, Object> throughput = new LinkedHashMap<>();
            throughput.put("syncHandler", sync.json("records/s"));
            throughput.put("baselinePlainSet", baseline.json("ops/s"));
            throughput.put("ratioToBaselineMedian", Stats.round(sync.median() / baseline.median()));
            figures.put("throughput", throughput);
        }
        bench.write("sync", "Lag: a session written to the table (one PutItem), then Redis polled every 2 ms until the"
                + " replica holds it; the path is the emulator's stream, the local poller (250 ms when idle, no"
                + " batching window) and a warm SessionSyncFunction. Throughput: the sync handler in-process applying"
                + " batches of 100 new sessions to a real Redis (one Lua compare-and-set each), against 100 plain SETs"
                + " on the same connection as the baseline.", figures);
    }

    private static SessionToken create(SessionService sessions, Map<String, Object> data) {
        return sessions.create(new SessionService.NewSession(null, data, Optional.empty()), UUID.randomUUID().toString())
                .issued().token();
    }

    private static void awaitReplica(RedisConnection redis, SessionToken token, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while ((Long) redis.call("HEXISTS", RedisCacheReplica.key(token.id()), "body") == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replica did not get " + token.id() + " within " + limit);
            }
            Thread.sleep(2); // the sampling period of the lag measurement
        }
    }

    private static DynamodbEvent batch(int size) {
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < size; i++) {
            String id = SessionToken.generate().id();
            Map<String, AttributeValue> image = new LinkedHashMap<>();
            image.put("id", new AttributeValue().withS(id));
            image.put("data", new AttributeValue().withM(Map.of("theme", new AttributeValue().withS("dark"))));
            image.put("visits", new AttributeValue().withN("1"));
            image.put("version", new AttributeValue().withN("1"));
            image.put("revision", new AttributeValue().withN("1"));
            image.put("createdAt", new AttributeValue().withN(Long.toString(now * 1000)));
            image.put("lastAccessedAt", new AttributeValue().withN(Long.toString(now * 1000)));
            image.put("expiresAt", new AttributeValue().withN(Long.toString(now + 1800)));
            image.put("absoluteExpiresAt", new AttributeValue().withN(Long.toString(now + 43200)));
            StreamRecord change = new StreamRecord();
            change.setKeys(Map.of("id", new AttributeValue().withS(id)));
            change.setNewImage(image);
            change.setSequenceNumber(Long.toString(1_000_000L + i));
            DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
            record.setEventID("bench-" + id);
            record.setEventName("INSERT");
            record.setDynamodb(change);
            records.add(record);
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records);
        return event;
    }
}
