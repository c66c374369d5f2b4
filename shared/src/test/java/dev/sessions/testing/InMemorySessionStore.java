package dev.sessions.testing;

import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionData;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.VersionConflict;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The session store in a map: the reference the DynamoDB store is held to by the same contract. */
public final class InMemorySessionStore implements SessionStore {

    private final Map<String, Session> sessions = new HashMap<>();
    private final SessionPolicy policy;

    public InMemorySessionStore(SessionPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public synchronized void create(Session session) {
        SessionData.validate(session.data(), policy);
        if (sessions.putIfAbsent(session.id(), session) != null) {
            throw new StoreUnavailable("a session with that id exists already", false, null);
        }
    }

    @Override
    public synchronized Optional<Session> find(String id, Instant now, boolean consistent) {
        return live(id, now);
    }

    @Override
    public synchronized Optional<Session> touch(Session seen, Instant now) {
        Optional<Session> current = live(seen.id(), now);
        if (current.isEmpty() || !policy.dueForTouch(current.get().lastAccessedAt(), now)) {
            return Optional.empty();
        }
        Session s = current.get();
        return Optional.of(put(new Session(s.id(), s.principal(), s.data(), s.visits(), s.version(), s.revision() + 1,
                s.createdAt(), now, min(policy.idleExpiry(now), s.absoluteExpiresAt()), s.absoluteExpiresAt())));
    }

    @Override
    public synchronized Session recordVisit(String id, Instant now) {
        Session s = live(id, now).orElseThrow(SessionNotFound::new);
        return put(new Session(s.id(), s.principal(), s.data(), s.visits() + 1, s.version(), s.revision() + 1,
                s.createdAt(), now, policy.idleExpiry(now), s.absoluteExpiresAt()));
    }

    @Override
    public synchronized Session patch(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now) {
        SessionData.validatePatch(patch.document(), policy);
        Session s = live(id, now).orElseThrow(SessionNotFound::new);
        if (expectedVersion.isPresent() && expectedVersion.get() != s.version()) {
            throw new VersionConflict(expectedVersion.get(), s.version());
        }
        Map<String, Object> merged = patch.applyTo(s.data());
        SessionData.validate(merged, policy);
        return put(new Session(s.id(), s.principal(), merged, s.visits(), s.version() + 1, s.revision() + 1,
                s.createdAt(), now, policy.idleExpiry(now), s.absoluteExpiresAt()));
    }

    @Override
    public synchronized Optional<Session> delete(String id) {
        return Optional.ofNullable(sessions.remove(id));
    }

    @Override
    public synchronized Session rotate(String oldId, String newId, Instant now) {
        Session s = live(oldId, now).orElseThrow(SessionNotFound::new);
        if (sessions.containsKey(newId)) {
            throw new StoreUnavailable("a session with the new id exists already", false, null);
        }
        sessions.remove(oldId);
        return put(new Session(newId, s.principal(), s.data(), s.visits(), s.version(), s.revision() + 1,
                s.createdAt(), now, min(policy.idleExpiry(now), s.absoluteExpiresAt()), s.absoluteExpiresAt()));
    }

    @Override
    public synchronized List<Session> listByPrincipal(String principal, Instant now) {
        return sessions.values().stream()
                .filter(s -> principal.equals(s.principal()) && !s.isExpired(now))
                .sorted(Comparator.comparing(Session::createdAt).thenComparing(Session::id))
                .toList();
    }

    @Override
    public synchronized List<Session> revokeByPrincipal(String principal, Instant now) {
        List<Session> live = listByPrincipal(principal, now);
        sessions.values().removeIf(s -> principal.equals(s.principal()));
        return live;
    }

    private Optional<Session> live(String id, Instant now) {
        Session s = sessions.get(id);
        return s == null || s.isExpired(now) ? Optional.empty() : Optional.of(s);
    }

    private Session put(Session session) {
        sessions.put(session.id(), session);
        return session;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
