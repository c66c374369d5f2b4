package dev.sessions.aggregates;

import dev.sessions.adapter.lambda.StreamBatch;
import dev.sessions.domain.CounterStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of one batch counted together, in one transaction: their changes, and where the group
 * starts in the stream, which is where Lambda redelivers from when the group cannot be counted.
 */
final class CounterGroup {

    private final CounterStore counters;
    private final Instant now;
    private final RequestLog log;
    private final StreamBatch batch;
    private final List<CounterStore.Change> changes = new ArrayList<>();
    private String firstSequenceNumber;

    CounterGroup(CounterStore counters, Instant now, RequestLog log, StreamBatch batch) {
        this.counters = counters;
        this.now = now;
        this.log = log;
        this.batch = batch;
    }

    /** Adds a record's change. @return false when the group was full and could not be counted */
    boolean add(String sequenceNumber, CounterStore.Change change) {
        if (changes.isEmpty()) {
            firstSequenceNumber = sequenceNumber;
        }
        changes.add(change);
        return changes.size() < CounterStore.MAX_CHANGES || count();
    }

    /**
     * Counts the group and empties it; a group that fails is the batch's failure.
     *
     * @return false when it failed
     */
    boolean count() {
        if (changes.isEmpty()) {
            return true;
        }
        try {
            int added = counters.addOnce(changes, now);
            log.add(Metric.RECORDS_APPLIED, added);
            if (added < changes.size()) {
                log.add(Metric.DUPLICATES_SKIPPED, changes.size() - added);
            }
            changes.clear();
            return true;
        } catch (StoreUnavailable e) {
            if (e.throttled()) {
                log.count(Metric.STORE_THROTTLES);
            }
            batch.fail(firstSequenceNumber, e);
            return false;
        }
    }
}
