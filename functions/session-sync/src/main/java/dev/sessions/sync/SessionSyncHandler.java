package dev.sessions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.adapter.dynamodb.StreamPayload;
import dev.sessions.adapter.lambda.DeadLetters;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.StreamBatch;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.adapter.sqs.SqsDeadLetters;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.SessionToken;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Keeps the cache replica current from the sessions table's stream. Delivery is at least once,
 * retried, split and possibly out of order across retries, so every action is idempotent and
 * monotonic: an image is written only if its revision is newer (a Lua compare-and-set), and a
 * REMOVE leaves a tombstone that no older image can get past.
 *
 * <p>A record that can never apply (not a session item) is set aside to the dead-letter queue
 * and the batch goes on; one that cannot apply now (Redis unreachable) is reported as the batch's
 * first failure, so the mapping retries from it.
 */
public final class SessionSyncHandler implements RequestStreamHandler {

    static final String FUNCTION = "SessionSyncFunction";

    private final CacheReplica cache;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final FunctionLog logs;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public SessionSyncHandler() {
        this(FunctionSettings.fromEnvironment(System.getenv()), System.out);
    }

    private SessionSyncHandler(FunctionSettings settings, PrintStream out) {
        this(new RedisCacheReplica(new RedisConnection(RedisConnection.Settings.fromUrl(
                settings.redisUrl().orElseThrow(() -> new IllegalStateException(
                        "environment variable REDIS_URL is not set (template.yaml sets it when CacheEnabled)")),
                settings.redisTimeout(), settings.redisTimeout()))),
                SqsDeadLetters.fromEnvironment(settings.deadLetterQueueUrl().orElseThrow(() -> new IllegalStateException(
                        "environment variable DEAD_LETTER_QUEUE_URL is not set (template.yaml sets it)")), System.getenv()),
                Clock.systemUTC(), new FunctionLog(FUNCTION, settings.metricsNamespace(), out, settings.logs()));
    }

    /** With its parts given: tests and benchmarks build it on their own replica, queue, clock and log. */
    public SessionSyncHandler(CacheReplica cache, DeadLetters deadLetters, Clock clock, FunctionLog logs) {
        this.cache = cache;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.logs = logs;
        this.priming = Priming.register(logs, () -> {
            // a read of a session that is not cached, and the batch and replica codecs: no write
            cache.read(SessionToken.parse(Priming.TOKEN).orElseThrow().id());
            StreamPayload.warmUp();
            RedisCacheReplica.warmUp();
        });
    }

    /** The batch's JSON in, the response's out: no event serializer for the runtime to build (docs/design.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        Invocation invocation = Invocation.of(context, clock);
        StreamPayload.writeResponse(sync(StreamPayload.readEvent(event), invocation), response);
    }

    private StreamsEventResponse sync(DynamodbEvent event, Invocation invocation) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        RequestLog log = logs.start(invocation.awsRequestId(), invocation.traceId())
                .field("source", "sessions-stream").field("records", records.size());
        StreamBatch batch = new StreamBatch(FUNCTION, deadLetters, log);
        Instant now = clock.instant();
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            batch.lag(record, now);
            try {
                ReplicaChange.apply(cache, record, now, log);
            } catch (StreamImages.NotASession e) {
                if (!batch.setAside(record, e.getMessage())) {
                    break;
                }
            } catch (CacheReplica.CacheUnavailable e) {
                // this record and every later one are retried, in order, from here
                log.count(Metric.CACHE_ERRORS);
                batch.fail(record.getDynamodb().getSequenceNumber(), e);
                break;
            }
        }
        return batch.finish();
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
