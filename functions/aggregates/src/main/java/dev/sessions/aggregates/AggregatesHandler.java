package dev.sessions.aggregates;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.adapter.dynamodb.StreamPayload;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.domain.CounterStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps {@code visits}, {@code sessionsCreated} and {@code activeSessions} in the sharded counters
 * table from the sessions table's stream. Each record is counted exactly once however often it is
 * delivered: its eventID is claimed in the same transaction as the counter update, and up to
 * {@link CounterStore#MAX_CHANGES} records share one transaction (a claim each, one summed counter
 * update). A group that cannot be counted (throttled, unavailable) is reported as the batch's
 * first failure.
 */
public final class AggregatesHandler implements RequestStreamHandler {

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
            StreamPayload.warmUp(); // the batch codec
            Tally.of(Tally.Change.MODIFY, false, 1, 2).plus(Tally.NONE);
        });
    }

    /** The batch's JSON in, the response's out: no event serializer for the runtime to build (docs/performance.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        StreamPayload.writeResponse(handleRequest(StreamPayload.readEvent(event), context), response);
    }

    /** The same for a batch in the Java events library's type, as tests load them. */
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        RequestLog log = new RequestLog("AggregatesFunction", namespace, out)
                .field("requestId", context == null ? null : context.getAwsRequestId())
                .field("source", "sessions-stream")
                .field("records", event.getRecords() == null ? 0 : event.getRecords().size());
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        Instant now = clock.instant();
        // records are counted in groups, each in one transaction; the first group or record that
        // fails is the batch's failure, and Lambda redelivers from there (what went before is kept)
        Group group = new Group();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords() == null
                ? List.<DynamodbEvent.DynamodbStreamRecord>of() : event.getRecords()) {
            StreamRecord change = record.getDynamodb();
            if (change.getApproximateCreationDateTime() != null) {
                log.max(Metric.SYNC_LAG, Math.max(0, now.toEpochMilli() - change.getApproximateCreationDateTime().getTime()));
            }
            Tally tally;
            try {
                tally = tallyOf(record);
            } catch (IllegalArgumentException | NullPointerException e) {
                if (count(group, now, log, failures)) {
                    fail(change.getSequenceNumber(), e, log, failures);
                }
                break;
            }
            if (tally.isEmpty()) {
                continue;
            }
            group.add(change.getSequenceNumber(), new CounterStore.Change(record.getEventID(), tally));
            if (group.size() == CounterStore.MAX_CHANGES && !count(group, now, log, failures)) {
                break;
            }
        }
        if (failures.isEmpty()) {
            count(group, now, log, failures);
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

    /** Records to count together: their changes, and where the group starts in the stream. */
    private static final class Group {
        private final List<CounterStore.Change> changes = new ArrayList<>();
        private String firstSequenceNumber;

        void add(String sequenceNumber, CounterStore.Change change) {
            if (changes.isEmpty()) {
                firstSequenceNumber = sequenceNumber;
            }
            changes.add(change);
        }

        int size() {
            return changes.size();
        }
    }

    /** Counts the group and empties it. @return false when it failed (then recorded in failures) */
    private boolean count(Group group, Instant now, RequestLog log, List<StreamsEventResponse.BatchItemFailure> failures) {
        if (group.changes.isEmpty()) {
            return true;
        }
        try {
            int added = counters.addOnce(group.changes, now);
            log.add(Metric.RECORDS_APPLIED, added);
            if (added < group.size()) {
                log.add(Metric.DUPLICATES_SKIPPED, group.size() - added);
            }
            group.changes.clear();
            return true;
        } catch (StoreUnavailable e) {
            if (e.throttled()) {
                log.count(Metric.STORE_THROTTLES);
            }
            fail(group.firstSequenceNumber, e, log, failures);
            return false;
        }
    }

    private static void fail(String sequenceNumber, Exception e, RequestLog log,
                             List<StreamsEventResponse.BatchItemFailure> failures) {
        failures.add(new StreamsEventResponse.BatchItemFailure(sequenceNumber));
        log.field("failedAt", sequenceNumber).field("error", e.getClass().getSimpleName() + ": " + e.getMessage());
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
