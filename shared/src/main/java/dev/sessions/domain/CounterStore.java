package dev.sessions.domain;

import java.time.Instant;

/**
 * Where the aggregates live: counters that take each change exactly once, however often it is
 * delivered, and that many writers can add to at once without a hot key.
 */
public interface CounterStore {

    /**
     * Adds {@code tally} once for {@code changeId}: a second call with the same id adds nothing.
     *
     * @param changeId what identifies the change (a stream record's eventID)
     * @return true when added, false when that change had been counted already
     * @throws StoreUnavailable when the store is throttled or down (the caller retries)
     */
    boolean addOnce(String changeId, Tally tally, Instant now);

    /** The totals, summed over every shard (eventually consistent). */
    Tally totals();
}
