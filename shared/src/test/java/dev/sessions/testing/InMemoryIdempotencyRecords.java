package dev.sessions.testing;

import dev.sessions.domain.IdempotencyRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Idempotency records in a map, by the DynamoDB records' rules, for the domain's own tests. */
public final class InMemoryIdempotencyRecords implements IdempotencyRecords {

    /** @param leaseUntil null once completed */
    private record Record(String fingerprint, String sessionId, String claimedBy, Instant leaseUntil, Instant expiresAt) {
    }

    private final Map<String, Record> records = new HashMap<>();

    @Override
    public synchronized Claim claim(String keyHash, String fingerprint, String sessionId, String requestId, Instant now,
                                    Duration lease) {
        Record held = records.get(keyHash);
        boolean free = held == null || !held.expiresAt().isAfter(now)
                || held.claimedBy().equals(requestId) && held.leaseUntil() != null;
        if (free) {
            records.put(keyHash, new Record(fingerprint, sessionId, requestId, now.plus(lease), now.plus(LIFETIME)));
            return new Claimed();
        }
        if (!held.fingerprint().equals(fingerprint)) {
            return new OtherRequest();
        }
        boolean completed = held.leaseUntil() == null;
        return new Existing(held.sessionId(), completed, !completed && held.leaseUntil().isAfter(now));
    }

    @Override
    public synchronized boolean takeOver(String keyHash, String fingerprint, String staleSessionId, String sessionId,
                                         String requestId, Instant now, Duration lease) {
        Record held = records.get(keyHash);
        boolean stale = held != null && held.fingerprint().equals(fingerprint) && held.sessionId().equals(staleSessionId)
                && held.leaseUntil() != null && !held.leaseUntil().isAfter(now);
        if (!stale) {
            return false;
        }
        records.put(keyHash, new Record(fingerprint, sessionId, requestId, now.plus(lease), held.expiresAt()));
        return true;
    }

    @Override
    public synchronized void complete(String keyHash, String sessionId, Instant now) {
        Record held = records.get(keyHash);
        if (held != null) {
            records.put(keyHash, new Record(held.fingerprint(), sessionId, held.claimedBy(), null, held.expiresAt()));
        }
    }

    @Override
    public synchronized void release(String keyHash, String requestId) {
        Record held = records.get(keyHash);
        if (held != null && held.claimedBy().equals(requestId) && held.leaseUntil() != null) {
            records.remove(keyHash);
        }
    }
}
