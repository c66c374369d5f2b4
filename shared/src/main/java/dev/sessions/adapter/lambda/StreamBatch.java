package dev.sessions.adapter.lambda;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one stream batch as a stream function builds it: the records it must have
 * retried (from the first failure on, as {@code ReportBatchItemFailures} reads them), and the
 * records it set aside because they can never apply.
 */
public final class StreamBatch {

    private final String function;
    private final DeadLetters deadLetters;
    private final RequestLog log;
    private final List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();

    /**
     * @param function the function's name, in each poison record's message
     * @param deadLetters where poison records go
     * @param log the batch's log: its metrics, and a line per poison record
     */
    public StreamBatch(String function, DeadLetters deadLetters, RequestLog log) {
        this.function = function;
        this.deadLetters = deadLetters;
        this.log = log;
    }

    /** Records how far behind the stream {@code record} was when it reached the function. */
    public void lag(DynamodbEvent.DynamodbStreamRecord record, Instant now) {
        if (record.getDynamodb() != null && record.getDynamodb().getApproximateCreationDateTime() != null) {
            log.max(Metric.SYNC_LAG, Math.max(0, now.toEpochMilli()
                    - record.getDynamodb().getApproximateCreationDateTime().getTime()));
        }
    }

    /**
     * Sets aside a record that can never apply: one ERROR line naming its eventID and why, the
     * {@code PoisonRecords} metric, and its metadata in the dead-letter queue; the batch goes on.
     *
     * @return false when the queue could not take it: then it failed like any record (see {@link #fail})
     */
    public boolean setAside(DynamodbEvent.DynamodbStreamRecord record, String reason) {
        log.line("ERROR", "stream record set aside: it can never apply", "eventID", record.getEventID(),
                "reason", reason, "sequenceNumber", sequenceNumber(record));
        try {
            deadLetters.setAside(PoisonRecord.of(function, record, reason));
            log.count(Metric.POISON_RECORDS);
            return true;
        } catch (DeadLetters.Unavailable e) {
            fail(sequenceNumber(record), e);
            return false;
        }
    }

    /**
     * Reports {@code sequenceNumber} and everything after it for the mapping to retry: a
     * transient failure (the cache or table unavailable).
     */
    public void fail(String sequenceNumber, Exception cause) {
        if (!failures.isEmpty() && !before(sequenceNumber, failures.getFirst().getItemIdentifier())) {
            return; // an earlier record failed already: the mapping retries from there
        }
        failures.clear();
        failures.add(new StreamsEventResponse.BatchItemFailure(sequenceNumber));
        log.field("failedAt", sequenceNumber).field("error", cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    public boolean failed() {
        return !failures.isEmpty();
    }

    /** Whether {@code record} comes before the batch's failure (every record does while nothing failed). */
    public boolean before(DynamodbEvent.DynamodbStreamRecord record) {
        return failures.isEmpty() || before(sequenceNumber(record), failures.getFirst().getItemIdentifier());
    }

    /** Sequence numbers are whole numbers of up to 40 digits, compared as such. */
    private static boolean before(String sequence, String other) {
        if (sequence == null || other == null) {
            return false;
        }
        return new java.math.BigInteger(sequence).compareTo(new java.math.BigInteger(other)) < 0;
    }

    /** Writes the batch's line and returns its response. */
    public StreamsEventResponse finish() {
        log.emit(failures.isEmpty() ? "INFO" : "ERROR", null);
        return new StreamsEventResponse(failures);
    }

    static String sequenceNumber(DynamodbEvent.DynamodbStreamRecord record) {
        return record.getDynamodb() == null ? null : record.getDynamodb().getSequenceNumber();
    }
}
