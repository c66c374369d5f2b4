package dev.sessions.testing;

import dev.sessions.domain.IdTaken;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionData;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionStore;
import dev.sessions.domain.VersionConflict;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The session store in a map: the reference the DynamoDB store is held to by the same contract.
 * It remembers the last request that wrote each session, as the DynamoDB store does.
 */
public final class InMemorySessionStore implements SessionStore {

    private final Map<String, Session> sessions = new HashMap<>();
    /** Rotated ids: the id each moved to, as the DynamoDB store's forward pointers say it. */
    private final Map<String, String> movedTo = new HashMap<>();
    private final Map<String, String> lastRequest = new HashMap<>();
    private final Map<String, dev.sessions.domain.EndReason> endReasons = new HashMap<>();
    private final SessionPolicy policy;
    private final int pageSize;

    public InMemorySessionStore(SessionPolicy policy) {
        this(policy, 1000);
    }

    public InMemorySessionStore(SessionPolicy policy, int pageSize) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.pageSize = pageSize;
    }

    @Override
    public synchronized Session create(Session session, String requestId) {
        SessionData.validate(session.data(), policy);
        Session there = sessions.get(session.id());
        if (movedTo.containsKey(session.id())) {
            throw new IdTaken(null);
        }
        if (there != null) {
            if (requestId.equals(lastRequest.get(session.id())) && there.createdAt().equals(session.createdAt())) {
                return there;
            }
            throw new IdTaken(null);
        }
        return put(session, requestId);
    }

    @Override
    public synchronized Optional<Session> find(String id, Instant now, boolean consistent) {
        return live(id, now);
    }

    @Override
    public synchronized Session touch(Session seen, Instant now) {
        Session s = live(seen.id(), now).orElseThrow(SessionNotFound::new);
        if (!policy.dueForTouch(s.lastAccessedAt(), now)) {
            return s;
        }
        Session touched = new Session(s.id(), s.principal(), s.data(), s.visits(), s.version(), s.revision() + 1,
                s.createdAt(), now, min(policy.idleExpiry(now), s.absoluteExpiresAt()), s.absoluteExpiresAt());
        sessions.put(s.id(), touched);
        return touched;
    }

    @Override
    public synchronized Session recordVisit(String id, Instant now, String requestId) {
        Session s = live(id, now).orElseThrow(SessionNotFound::new);
        if (requestId.equals(lastRequest.get(id))) {
            return s;
        }
        return put(new Session(s.id(), s.principal(), s.data(), s.visits() + 1, s.version(), s.revision() + 1,
                s.createdAt(), now, min(policy.idleExpiry(now), s.absoluteExpiresAt()), s.absoluteExpiresAt()), requestId);
    }

    @Override
    public synchronized Session patch(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now,
                                      String requestId) {
        SessionData.validatePatch(patch.document(), policy);
        Session s = live(id, now).orElseThrow(SessionNotFound::new);
        if (requestId.equals(lastRequest.get(id))) {
            return s;
        }
        if (expectedVersion.isPresent() && expectedVersion.get() != s.version()) {
            throw new VersionConflict(expectedVersion.get(), s.version());
        }
        Map<String, Object> merged = patch.applyTo(s.data());
        SessionData.validate(merged, policy);
        return put(new Session(s.id(), s.principal(), merged, s.visits(), s.version() + 1, s.revision() + 1,
                s.createdAt(), now, min(policy.idleExpiry(now), s.absoluteExpiresAt()), s.absoluteExpiresAt()), requestId);
    }

    @Override
    public synchronized Removal delete(String id, dev.sessions.domain.EndReason reason) {
        if (movedTo.containsKey(id)) {
            return new Moved(movedTo.get(id));
        }
        lastRequest.remove(id);
        Session removed = sessions.remove(id);
        if (removed != null) {
            endReasons.put(id, reason);
        }
        return removed == null ? new Absent() : new Removed(removed);
    }

    /** Why each session this store deleted ended, as the DynamoDB store records it before its delete. */
    public synchronized Map<String, dev.sessions.domain.EndReason> endReasons() {
        return Map.copyOf(endReasons);
    }

    @Override
    public synchronized Session rotate(String oldId, String newId, Instant now, String requestId) {
        if (sessions.containsKey(newId) || movedTo.containsKey(newId)) {
            if (requestId.equals(lastRequest.get(newId)) && newId.equals(movedTo.get(oldId))) {
                return sessions.get(newId);
            }
            throw new IdTaken(null);
        }
        Session s = live(oldId, now).orElseThrow(SessionNotFound::new);
        sessions.remove(oldId);
        movedTo.put(oldId, newId);
        return put(new Session(newId, s.principal(), s.data(), s.visits(), s.version(), s.revision() + 1,
                s.createdAt(), now, min(policy.idleExpiry(now), s.absoluteExpiresAt()), s.absoluteExpiresAt(),
                s.device()), requestId);
    }

    @Override
    public synchronized Session takeOver(String oldId, String newId, java.util.function.UnaryOperator<Session> successor,
                                         Instant now, String requestId) {
        if (sessions.containsKey(newId) || movedTo.containsKey(newId)) {
            if (requestId.equals(lastRequest.get(newId)) && newId.equals(movedTo.get(oldId))) {
                return sessions.get(newId);
            }
            throw new IdTaken(null);
        }
        Session s = live(oldId, now).orElseThrow(SessionNotFound::new);
        Session next = successor.apply(s);
        if (!next.id().equals(newId)) {
            throw new IllegalArgumentException("the successor must have the new id");
        }
        SessionData.validate(next.data(), policy);
        sessions.remove(oldId);
        movedTo.put(oldId, newId);
        return put(next, requestId);
    }

    @Override
    public synchronized Optional<Session> findCurrent(String id, Instant now) {
        String next = id;
        while (movedTo.containsKey(next)) { // to the end of the moves: a new id never repeats an old one
            next = movedTo.get(next);
        }
        return live(next, now);
    }

    @Override
    public synchronized Optional<SessionUse> currentUse(String id, Instant now) {
        return findCurrent(id, now).map(s -> new SessionUse(s.id(), s.createdAt(), s.lastAccessedAt()));
    }

    @Override
    public synchronized List<Session> listByPrincipal(String principal, Instant now) {
        return sessions.values().stream()
                .filter(s -> principal.equals(s.principal()) && !s.isExpired(now))
                .sorted(Comparator.comparing(Session::createdAt).thenComparing(Session::id))
                .toList();
    }

    @Override
    public synchronized List<SessionUse> usesOfPrincipal(String principal, Instant now) {
        return listByPrincipal(principal, now).stream()
                .map(s -> new SessionUse(s.id(), s.createdAt(), s.lastAccessedAt())).toList();
    }

    @Override
    public synchronized SessionPage pageOfPrincipal(String principal, String after, int limit, Instant now) {
        if (after != null && !after.matches("\\d{20}/[A-Za-z0-9_-]{1,128}")) {
            throw new dev.sessions.domain.InvalidData("cursor is not one a page of this listing gave");
        }
        List<String> keys = sessions.values().stream().filter(s -> principal.equals(s.principal()))
                .map(s -> String.format("%020d/%s", s.createdAt().toEpochMilli(), s.id()))
                .filter(key -> after == null || key.compareTo(after) > 0).sorted().toList();
        List<String> page = keys.subList(0, Math.min(limit, keys.size()));
        List<Session> live = page.stream().map(key -> live(key.substring(key.indexOf('/') + 1), now))
                .flatMap(Optional::stream).toList();
        return new SessionPage(live, keys.size() > limit ? page.getLast() : null);
    }

    @Override
    public synchronized IdPage idsOfPrincipal(String principal, String after) {
        // like DynamoDB's exclusive start key: a page starts after the last one's last key, so sessions
        // deleted meanwhile shift nothing
        List<String> keys = sessions.values().stream().filter(s -> principal.equals(s.principal()))
                .map(s -> String.format("%020d/%s", s.createdAt().toEpochMilli(), s.id()))
                .filter(key -> after == null || key.compareTo(after) > 0).sorted().toList();
        List<String> page = keys.subList(0, Math.min(pageSize, keys.size()));
        return new IdPage(page.stream().map(key -> key.substring(key.indexOf('/') + 1)).toList(),
                keys.size() > pageSize ? page.getLast() : null);
    }

    private Optional<Session> live(String id, Instant now) {
        Session s = sessions.get(id);
        return s == null || s.isExpired(now) ? Optional.empty() : Optional.of(s);
    }

    private Session put(Session session, String requestId) {
        sessions.put(session.id(), session);
        lastRequest.put(session.id(), requestId);
        return session;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
