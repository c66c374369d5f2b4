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
     * it expires at the session's {@link Session#expiresAt()}.
     *
     * @throws CacheUnavailable when the replica cannot be reached (stream sync retries the record)
     */
    Write put(Session session, Instant now);

    /**
     * Removes a session's copy and leaves a tombstone until {@code until}.
     *
     * @throws CacheUnavailable when the replica cannot be reached
     */
    void evict(String id, Instant until);

    /** The replica could not be reached or answered an error; the cause is kept. */
    final class CacheUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CacheUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
