package dev.sessions.aggregates;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.adapter.dynamodb.StreamLifecycle;
import dev.sessions.adapter.eventbridge.EventBridgeSessionEvents;
import dev.sessions.adapter.dynamodb.StreamPayload;
import dev.sessions.adapter.lambda.DeadLetters;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.StreamBatch;
import dev.sessions.adapter.sqs.SqsDeadLetters;
import dev.sessions.domain.CounterStore;
import dev.sessions.domain.SessionEvent;
import dev.sessions.domain.SessionEvents;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.FunctionLog;
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
 * The sessions table's stream's second reader (DynamoDB advises two at most): keeps {@code visits},
 * {@code sessionsCreated} and {@code activeSessions} in the sharded counters table, and announces
 * each session's start and end on the stack's EventBridge bus ({@link StreamLifecycle}), in the
 * stream's order, at least once. Each record is counted exactly once however often it is
 * delivered: its eventID is claimed in the same transaction as the counter update, and up to
 * {@link CounterStore#MAX_CHANGES} records share one transaction (a claim each, one summed counter
 * update). A group that cannot be counted now (throttled, unavailable) is reported as the batch's
 * first failure; a record that can never be counted (not a session's change) ends its group, is
 * set aside to the dead-letter queue once the group before it is counted, and the batch goes on.
 * The events of the records before the batch's first failure are published after the counting;
 * the first one the bus refuses becomes the batch's failure (its record and what follows are
 * redelivered: counted no second time, announced again, and deduped by consumers on eventId).
 */
public final class AggregatesHandler implements RequestStreamHandler {

    static final String FUNCTION = "AggregatesFunction";

    private final CounterStore counters;
    private final SessionEvents events;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final FunctionLog logs;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public AggregatesHandler() {
        this(FunctionSettings.fromEnvironment(System.getenv()), System.out);
    }

    private AggregatesHandler(FunctionSettings settings, PrintStream out) {
        this(new DynamoDbCounterStore(DynamoDbClients.fromEnvironment(),
                FunctionSettings.required(settings.countersTable(), "COUNTERS_TABLE"), settings.counterShards()),
                SqsDeadLetters.fromEnvironment(settings.deadLetterQueueUrl().orElseThrow(() -> new IllegalStateException(
                        "environment variable DEAD_LETTER_QUEUE_URL is not set (template.yaml sets it)")), System.getenv()),
                EventBridgeSessionEvents.fromEnvironment(System.getenv()),
                Clock.systemUTC(), new FunctionLog(FUNCTION, settings.metricsNamespace(), out, settings.logs()));
    }

    AggregatesHandler(CounterStore counters, DeadLetters deadLetters, SessionEvents events, Clock clock,
                      FunctionLog logs) {
        this.counters = counters;
        this.events = events;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.logs = logs;
        this.priming = Priming.register(logs, () -> {
            counters.totals(); // a read: the client, the transaction-free path and the marshalling
            StreamPayload.warmUp(); // the batch codec
            Tally.of(Tally.Change.MODIFY, false, 1, 2).plus(Tally.NONE);
            EventBridgeSessionEvents.detail(new SessionEvent(SessionEvent.Kind.ENDED, "warm-up", "warm-up", null,
                    java.time.Instant.EPOCH, java.time.Instant.EPOCH, java.time.Instant.EPOCH, "0", null,
                    dev.sessions.domain.EndReason.EXPIRED, null, null)); // the detail's codec, not the bus
        });
    }

    /** The batch's JSON in, the response's out: no event serializer for the runtime to build (docs/design.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        Invocation invocation = Invocation.of(context, clock);
        StreamPayload.writeResponse(count(StreamPayload.readEvent(event), invocation), response);
    }

    private StreamsEventResponse count(DynamodbEvent event, Invocation invocation) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        RequestLog log = logs.start(invocation.awsRequestId(), invocation.traceId())
                .field("source", "sessions-stream").field("records", records.size());
        StreamBatch batch = new StreamBatch(FUNCTION, deadLetters, log);
        Instant now = clock.instant();
        // records are counted in groups, each in one transaction; the first group that fails is the
        // batch's failure, and Lambda redelivers from there (what went before is kept)
        CounterGroup group = new CounterGroup(counters, now, log, batch);
        List<Announcement> announcements = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            batch.lag(record, now);
            Tally tally;
            try {
                tally = RecordTally.of(record);
                StreamLifecycle.of(record).ifPresent(e -> announcements.add(new Announcement(record, e)));
            } catch (StreamImages.NotASession e) {
                // the group before it is counted first: were it to fail afterwards, the redelivery
                // (from the group's start) would set the record aside a second time
                if (!group.count() || !batch.setAside(record, e.getMessage())) {
                    break;
                }
                continue;
            }
            if (!tally.isEmpty() && !group.add(record.getDynamodb().getSequenceNumber(),
                    new CounterStore.Change(record.getEventID(), tally))) {
                break;
            }
        }
        if (!batch.failed()) {
            group.count();
        }
        announce(announcements, batch, log);
        if (log.metric(Metric.RECORDS_APPLIED) > 0) {
            try {
                // one read per batch that changed something: the dashboard's active-sessions gauge;
                // the counts are committed whatever happens to it
                log.max(Metric.ACTIVE_SESSIONS, counters.totals().activeSessions());
            } catch (RuntimeException e) {
                log.field("gaugeError", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        return batch.finish();
    }

    /** A lifecycle event and the record it came from. */
    private record Announcement(DynamodbEvent.DynamodbStreamRecord record, SessionEvent event) {
    }

    /**
     * Publishes the events of the records before the batch's first failure (the rest come again),
     * in order; the first one the bus does not take is the batch's failure from then on.
     */
    private void announce(List<Announcement> announcements, StreamBatch batch, RequestLog log) {
        List<Announcement> due = announcements.stream().filter(a -> batch.before(a.record())).toList();
        if (due.isEmpty()) {
            return;
        }
        int accepted = events.publish(due.stream().map(Announcement::event).toList());
        log.add(Metric.EVENTS_PUBLISHED, accepted);
        if (accepted < due.size()) {
            Announcement refused = due.get(accepted);
            log.count(Metric.EVENT_PUBLISH_FAILURES);
            batch.fail(refused.record().getDynamodb().getSequenceNumber(), new IllegalStateException(
                    "the event bus did not take event " + refused.event().eventId()));
        }
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
