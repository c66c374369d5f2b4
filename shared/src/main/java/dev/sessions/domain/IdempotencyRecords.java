package dev.sessions.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * What creates with an {@code Idempotency-Key} remember, by the key's hash: which request body
 * (its fingerprint) the key was first used with, which request claimed it, and the id of the
 * session it makes (named when the key is claimed, before the session is written, so that a
 * session whose request failed later is still found). A record lives {@link #LIFETIME}; a claim
 * whose session was never written can be taken over after its lease.
 */
public interface IdempotencyRecords {

    /** How long a key is remembered. */
    Duration LIFETIME = Duration.ofHours(24);

    /**
     * The longest a claim stands uncompleted before another request may take it over: longer than a
     * request can run (API Gateway gives up after 30 s), so that it never takes over a live one. A
     * request that knows its own deadline (its function's timeout) claims for less: until then.
     */
    Duration LEASE = Duration.ofSeconds(35);

    /** What {@link #claim} found. */
    sealed interface Claim permits Claimed, Existing, OtherRequest {
    }

    /** The key is this request's now (or was already: a repeat of its own claim): write the session, then {@link #complete}. */
    record Claimed() implements Claim {
    }

    /**
     * Another request with the same key and body claimed it for session {@code sessionId}.
     *
     * @param completed whether that request recorded the session as written
     * @param leaseRunning whether that request, not completed, may still be writing it
     */
    record Existing(String sessionId, boolean completed, boolean leaseRunning) implements Claim {
    }

    /** The key was used with another body. */
    record OtherRequest() implements Claim {
    }

    /**
     * Claims {@code keyHash} for request {@code requestId}, whose body has {@code fingerprint},
     * for the session {@code sessionId} it is about to write, unless a live record holds it. A
     * repeat of the same request's claim (its first answer lost) is {@link Claimed} again.
     *
     * @param lease how long an uncompleted claim stands before another request may take it over
     * @throws StoreUnavailable when the records cannot be reached
     */
    Claim claim(String keyHash, String fingerprint, String sessionId, String requestId, Instant now, Duration lease);

    /**
     * Takes over an uncompleted claim for {@code staleSessionId} whose lease ran out (its request
     * failed before writing the session), for request {@code requestId} and session {@code sessionId}.
     *
     * @return false when another request took it over, or completed it, first
     */
    boolean takeOver(String keyHash, String fingerprint, String staleSessionId, String sessionId, String requestId,
                     Instant now, Duration lease);

    /** Records that the key's session is written, now under {@code sessionId} (a replay moves it to a new id). */
    void complete(String keyHash, String sessionId, Instant now);

    /** Gives up request {@code requestId}'s uncompleted claim (its session was not written), so that a retry need not wait for the lease. */
    void release(String keyHash, String requestId);
}
