package dev.sessions.testing;

import dev.sessions.domain.IdempotencyRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Idempotency records in a map, by the DynamoDB records' rules, for the domain's own tests. */
public final class InMemoryIdempotencyRecords implements IdempotencyRecords {

    private record Record(String fingerprint, String sessionId, Instant leaseUntil, Instant expiresAt) {
    }

    private final Map<String, Record> records = new HashMap<>();

    @Override
    public synchronized Claim claim(String keyHash, String fingerprint, Instant now, Duration lease) {
        Record held = records.get(keyHash);
        boolean free = held == null || !held.expiresAt().isAfter(now)
                || held.fingerprint().equals(fingerprint) && held.sessionId() == null && !held.leaseUntil().isAfter(now);
        if (free) {
            records.put(keyHash, new Record(fingerprint, null, now.plus(lease), now.plus(LIFETIME)));
            return new Claimed();
        }
        if (!held.fingerprint().equals(fingerprint)) {
            return new OtherRequest();
        }
        return held.sessionId() != null ? new Completed(held.sessionId()) : new InProgress();
    }

    @Override
    public synchronized void complete(String keyHash, String sessionId, Instant now) {
        Record held = records.get(keyHash);
        records.put(keyHash, new Record(held.fingerprint(), sessionId, held.leaseUntil(), held.expiresAt()));
    }

    @Override
    public synchronized void release(String keyHash) {
        Record held = records.get(keyHash);
        if (held != null && held.sessionId() == null) {
            records.remove(keyHash);
        }
    }
}
