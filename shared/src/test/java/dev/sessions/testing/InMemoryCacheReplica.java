package dev.sessions.testing;

import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The cache replica in a map, with the Redis replica's rules (monotonic by revision, tombstones),
 * for the domain's own tests; it can be told to be unreachable. The Redis replica itself is tested
 * against a real redis-server.
 */
public final class InMemoryCacheReplica implements CacheReplica {

    private final Map<String, Session> copies = new HashMap<>();
    private final Map<String, Instant> tombstones = new HashMap<>();
    private volatile boolean down;

    /** Makes every call fail as an unreachable server does, or work again. */
    public void down(boolean down) {
        this.down = down;
    }

    public synchronized boolean tombstoned(String id) {
        return tombstones.containsKey(id);
    }

    /** Until when the id's tombstone stands, or {@code null} for none. */
    public synchronized Instant tombstonedUntil(String id) {
        return tombstones.get(id);
    }

    @Override
    public synchronized Read read(String id) {
        if (down) {
            return new Miss(true);
        }
        if (tombstones.containsKey(id)) {
            return new Revoked();
        }
        Session copy = copies.get(id);
        return copy == null ? new Miss(false) : new Hit(copy);
    }

    @Override
    public synchronized Write put(Session session, Instant now) {
        failIfDown();
        if (tombstones.containsKey(session.id())) {
            return Write.TOMBSTONED;
        }
        if (session.isExpired(now)) {
            return Write.EXPIRED;
        }
        Session held = copies.get(session.id());
        if (held != null && held.revision() >= session.revision()) {
            return Write.STALE;
        }
        copies.put(session.id(), session);
        return Write.APPLIED;
    }

    @Override
    public synchronized boolean evict(String id, Instant until, Instant now) {
        failIfDown();
        copies.remove(id);
        Instant held = tombstones.get(id);
        if (held == null || held.isBefore(until)) {
            tombstones.put(id, until); // as the Redis replica: a tombstone is never shortened
        }
        return held != null;
    }

    @Override
    public synchronized void lift(String id) {
        failIfDown();
        tombstones.remove(id);
    }

    private void failIfDown() {
        if (down) {
            throw new CacheUnavailable("the replica is down", null);
        }
    }
}
