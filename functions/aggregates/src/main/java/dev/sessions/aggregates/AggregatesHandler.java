package dev.sessions.aggregates;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.domain.CounterStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps {@code visits}, {@code sessionsCreated} and {@code activeSessions} in the sharded counters
 * table from the sessions table's stream. Each record is counted exactly once however often it is
 * delivered: its eventID is claimed in the same transaction as the counter update. A record that
 * cannot be counted (throttled, unavailable) is reported as the batch's first failure.
 */
public final class AggregatesHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    private final CounterStore counters;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;
    private final Clock clock;
    private final String namespace;
    private final PrintStream out;

    public AggregatesHandler() {
        this(FunctionSettings.fromEnvironment(System.getenv()), System.out);
    }

    private AggregatesHandler(FunctionSettings settings, PrintStream out) {
        this(new DynamoDbCounterStore(DynamoDbClients.fromEnvironment(),
                FunctionSettings.required(settings.countersTable(), "COUNTERS_TABLE"), settings.counterShards()),
                Clock.systemUTC(), settings.metricsNamespace(), out);
    }

    AggregatesHandler(CounterStore counters, Clock clock, String namespace, PrintStream out) {
        this.counters = counters;
        this.clock = clock;
        this.namespace = namespace;
        this.out = out;
        this.priming = Priming.register(() -> {
            counters.totals(); // a read: the client, the transaction-free path and the marshalling
            Tally.of(Tally.Change.MODIFY, false, 1, 2).plus(Tally.NONE);
        });
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        RequestLog log = new RequestLog("AggregatesFunction", namespace, out)
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
                Tally tally = tallyOf(record);
                if (tally.isEmpty()) {
                    continue;
                }
                log.count(counters.addOnce(record.getEventID(), tally, now)
                        ? Metric.RECORDS_APPLIED : Metric.DUPLICATES_SKIPPED);
            } catch (StoreUnavailable | IllegalArgumentException | NullPointerException e) {
                failures.add(new StreamsEventResponse.BatchItemFailure(change.getSequenceNumber()));
                if (e instanceof StoreUnavailable unavailable && unavailable.throttled()) {
                    log.count(Metric.STORE_THROTTLES);
                }
                log.field("failedAt", change.getSequenceNumber())
                        .field("error", e.getClass().getSimpleName() + ": " + e.getMessage());
                break;
            }
        }
        if (log.metric(Metric.RECORDS_APPLIED) > 0) {
            try {
                // one read per batch that changed something: the dashboard's active-sessions gauge
                log.max(Metric.ACTIVE_SESSIONS, counters.totals().activeSessions());
            } catch (StoreUnavailable e) {
                log.field("gaugeError", e.getMessage());
            }
        }
        log.emit(failures.isEmpty() ? "INFO" : "ERROR", null);
        return new StreamsEventResponse(failures);
    }

    static Tally tallyOf(DynamodbEvent.DynamodbStreamRecord record) {
        StreamRecord change = record.getDynamodb();
        Tally.Change kind = Tally.Change.valueOf(record.getEventName());
        boolean rotated = change.getNewImage() != null && change.getNewImage().containsKey("rotatedFrom");
        return Tally.of(kind, rotated, StreamImages.number(change.getOldImage(), "visits", 0),
                StreamImages.number(change.getNewImage(), "visits", 0));
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
