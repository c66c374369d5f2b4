package dev.sessions.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * What creates with an {@code Idempotency-Key} remember, by the key's hash: which request body
 * (its fingerprint) the key was first used with and which session it made. A record lives
 * {@link #LIFETIME}; a claim that was never completed (its request failed or timed out) can be
 * taken over after its lease.
 */
public interface IdempotencyRecords {

    /** How long a key is remembered. */
    Duration LIFETIME = Duration.ofHours(24);

    /**
     * How long a claim stands uncompleted before another request may take it over: longer than a
     * request can run (API Gateway gives up after 30 s), so that it never takes over a live one.
     */
    Duration LEASE = Duration.ofSeconds(35);

    /** What {@link #claim} found. */
    sealed interface Claim permits Claimed, Completed, InProgress, OtherRequest {
    }

    /** The key is this request's now: create the session, then {@link #complete}. */
    record Claimed() implements Claim {
    }

    /** A request with the same key and body made the session {@code sessionId}. */
    record Completed(String sessionId) implements Claim {
    }

    /** A request with the same key and body holds the claim and its lease has not run out. */
    record InProgress() implements Claim {
    }

    /** The key was used with another body. */
    record OtherRequest() implements Claim {
    }

    /**
     * Claims {@code keyHash} for a request whose body has {@code fingerprint}, unless a live
     * record holds it.
     *
     * @param lease how long an uncompleted claim stands before another request may take it over
     * @throws StoreUnavailable when the records cannot be reached
     */
    Claim claim(String keyHash, String fingerprint, Instant now, Duration lease);

    /** Records that the claim made (or, after a repeat, now points at) session {@code sessionId}. */
    void complete(String keyHash, String sessionId, Instant now);

    /** Gives up an uncompleted claim (its create failed), so that a retry need not wait for the lease. */
    void release(String keyHash);
}
