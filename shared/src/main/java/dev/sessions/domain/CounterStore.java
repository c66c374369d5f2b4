package dev.sessions.domain;

import java.time.Instant;
import java.util.List;

/**
 * Where the aggregates live: counters that take each change exactly once, however often it is
 * delivered, and that many writers can add to at once without a hot key.
 */
public interface CounterStore {

    /** The most changes one {@link #addOnce(List, Instant)} takes. */
    int MAX_CHANGES = 96;

    /**
     * A change to count once.
     *
     * @param id what identifies the change (a stream record's eventID)
     * @param tally what it adds
     */
    record Change(String id, Tally tally) {
    }

    /**
     * Adds the tally of each change not counted before, all of them at once or none: a change
     * whose id was counted already (a redelivery) adds nothing, as does a repeat of an id.
     *
     * @param changes at most {@link #MAX_CHANGES}
     * @return how many changes were added; the others had been counted already
     * @throws StoreUnavailable when the store is throttled or down: nothing was added (the caller retries)
     */
    int addOnce(List<Change> changes, Instant now);

    /** {@link #addOnce(List, Instant)} for one change. @return true when added, false when counted already */
    default boolean addOnce(String changeId, Tally tally, Instant now) {
        return addOnce(List.of(new Change(changeId, tally)), now) == 1;
    }

    /** The totals, summed over every shard (eventually consistent). */
    Tally totals();
}
