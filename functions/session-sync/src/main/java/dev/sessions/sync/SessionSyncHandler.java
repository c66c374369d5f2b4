package dev.sessions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.adapter.dynamodb.StreamPayload;
import dev.sessions.adapter.apigw.SessionJson;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionToken;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps the cache replica current from the sessions table's stream. Delivery is at least once,
 * retried, split and possibly out of order across retries, so every action is idempotent and
 * monotonic: an image is written only if its revision is newer (a Lua compare-and-set), and a
 * REMOVE leaves a tombstone that no older image can get past. A record that cannot be applied
 * (Redis unreachable) is reported as the batch's first failure, so the mapping retries from it.
 */
public final class SessionSyncHandler implements RequestStreamHandler {

    /** How long a tombstone stands when the removed image has no absolute expiry to go by. */
    static final Duration DEFAULT_TOMBSTONE = Duration.ofHours(12);

    private final CacheReplica cache;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;
    private final Clock clock;
    private final String namespace;
    private final PrintStream out;

    public SessionSyncHandler() {
        this(FunctionSettings.fromEnvironment(System.getenv()), System.out);
    }

    private SessionSyncHandler(FunctionSettings settings, PrintStream out) {
        this(new RedisCacheReplica(new RedisConnection(RedisConnection.Settings.fromUrl(
                settings.redisUrl().orElseThrow(() -> new IllegalStateException(
                        "environment variable REDIS_URL is not set (template.yaml sets it when CacheEnabled)")),
                settings.redisTimeout(), settings.redisTimeout()))), Clock.systemUTC(), settings.metricsNamespace(), out);
    }

    SessionSyncHandler(CacheReplica cache, Clock clock, String namespace, PrintStream out) {
        this.cache = cache;
        this.clock = clock;
        this.namespace = namespace;
        this.out = out;
        this.priming = Priming.register(() -> {
            // a read of a session that is not cached, and the image and cache codecs: no write
            cache.read(SessionToken.parse(Priming.TOKEN).orElseThrow().id());
            StreamPayload.warmUp(); // the batch codec
            Instant now = clock.instant();
            SessionJson.read(SessionJson.writeWithRevision(new Session("priming", null, Map.of("k", List.of(1)), 0, 1, 1,
                    now, now, now, now)));
        });
    }

    /** The batch's JSON in, the response's out: no event serializer for the runtime to build (docs/performance.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        StreamPayload.writeResponse(handleRequest(StreamPayload.readEvent(event), context), response);
    }

    /** The same for a batch in the Java events library's type, as tests load them. */
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        RequestLog log = new RequestLog("SessionSyncFunction", namespace, out)
                .field("requestId", context == null ? null : context.getAwsRequestId())
                .field("source", "sessions-stream")
                .field("records", event.getRecords() == null ? 0 : event.getRecords().size());
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        Instant now = clock.instant();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords() == null
                ? List.<DynamodbEvent.DynamodbStreamRecord>of() : event.getRecords()) {
            StreamRecord change = record.getDynamodb();
            if (change.getApproximateCreationDateTime() != null) {
                log.max(Metric.SYNC_LAG, Math.max(0, now.toEpochMilli() - change.getApproximateCreationDateTime().getTime()));
            }
            try {
                apply(record, now, log);
            } catch (CacheReplica.CacheUnavailable | IllegalArgumentException | NullPointerException e) {
                // this record and every later one are retried, in order, from here
                failures.add(new StreamsEventResponse.BatchItemFailure(change.getSequenceNumber()));
                log.count(Metric.CACHE_ERRORS).field("failedAt", change.getSequenceNumber())
                        .field("error", e.getClass().getSimpleName() + ": " + e.getMessage());
                break;
            }
        }
        log.emit(failures.isEmpty() ? "INFO" : "ERROR", null);
        return new StreamsEventResponse(failures);
    }

    private void apply(DynamodbEvent.DynamodbStreamRecord record, Instant now, RequestLog log) {
        StreamRecord change = record.getDynamodb();
        switch (record.getEventName()) {
            case "INSERT", "MODIFY" -> {
                CacheReplica.Write write = cache.put(StreamImages.session(change.getNewImage()), now);
                log.count(write == CacheReplica.Write.APPLIED ? Metric.RECORDS_APPLIED : Metric.DUPLICATES_SKIPPED);
            }
            case "REMOVE" -> {
                Map<String, AttributeValue> old = change.getOldImage();
                long absolute = StreamImages.number(old, "absoluteExpiresAt", -1);
                Instant until = absolute > 0 ? Instant.ofEpochSecond(absolute) : now.plus(DEFAULT_TOMBSTONE);
                cache.evict(change.getKeys().get("id").getS(), until, now);
                log.count(Metric.RECORDS_APPLIED);
                if (isTimeToLive(record)) {
                    log.count(Metric.SESSIONS_EXPIRED);
                }
            }
            default -> throw new IllegalArgumentException("unknown stream event " + record.getEventName());
        }
    }

    /** A deletion by DynamoDB's TTL: userIdentity Service / dynamodb.amazonaws.com. */
    static boolean isTimeToLive(DynamodbEvent.DynamodbStreamRecord record) {
        return record.getUserIdentity() != null && "Service".equals(record.getUserIdentity().getType())
                && "dynamodb.amazonaws.com".equals(record.getUserIdentity().getPrincipalId());
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
