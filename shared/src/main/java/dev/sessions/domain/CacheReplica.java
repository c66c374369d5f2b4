package dev.sessions.domain;

import java.time.Instant;

/**
 * A read replica of sessions (ElastiCache, Valkey or Redis), kept current from the table's stream.
 * Writes are monotonic by {@link Session#revision()}, so retried, split and reordered deliveries
 * never regress it; a removed session leaves a tombstone so that no older write brings it back.
 *
 * <p>It is a cache: callers treat every failure as a miss (a cache outage costs latency, never a
 * failed request), so no method throws for unavailability.
 */
public interface CacheReplica {

    /** What the replica holds for a session. */
    sealed interface Read permits Hit, Revoked, Miss {
    }

    /** The cached copy; the caller still checks its expiry. */
    record Hit(Session session) implements Read {
    }

    /** The session was removed: a tombstone stands in its place. */
    record Revoked() implements Read {
    }

    /** Nothing cached, or the replica could not be reached. */
    record Miss(boolean unavailable) implements Read {
    }

    /** What a write did. */
    enum Write {
        /** The copy is now this revision. */
        APPLIED,
        /** The replica already held this revision or a newer one. */
        STALE,
        /** The session was removed; nothing was written. */
        TOMBSTONED,
        /** The session had expired; nothing was written. */
        EXPIRED
    }

    Read read(String id);

    /**
     * Writes {@code session} unless the replica holds its revision or a newer one, or a tombstone;
     * the copy lives for what is left of the session at {@code now} ({@link Session#expiresAt()}
     * minus {@code now}), so the replica's own clock never decides it.
     *
     * @param now the writer's time, from the clock that decides expiry
     * @throws CacheUnavailable when the replica cannot be reached (stream sync retries the record)
     */
    Write put(Session session, Instant now);

    /**
     * Removes a session's copy and leaves a tombstone for {@code until} minus {@code now} (at
     * least a minute), measured from the writer's clock like {@link #put}; a tombstone that stands
     * longer already is left as it is.
     *
     * @param until when no copy of the session can be live any more: its absolute expiry
     * @param now the writer's time
     * @return true when a tombstone stood there already (the session was revoked before)
     * @throws CacheUnavailable when the replica cannot be reached
     */
    boolean evict(String id, Instant until, Instant now);

    /**
     * Takes back the tombstone of a revocation whose table change failed, so that the session
     * reads as it stands in the table again (from the table: no copy is left).
     *
     * @throws CacheUnavailable when the replica cannot be reached
     */
    void lift(String id);

    /** The replica could not be reached or answered an error; the cause is kept. */
    final class CacheUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CacheUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
