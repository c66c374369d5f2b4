package dev.sessions.domain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The session use cases, in domain terms: tokens in, sessions out. Stateless itself; the state is
 * in the {@link SessionStore}, with an optional {@link CacheReplica} in front of reads and
 * optional {@link IdempotencyRecords} behind repeatable creates. Time comes from the injected
 * {@link Clock}.
 *
 * <p>The read policy lives here, so that every function runs the same one: a read is served from
 * the replica when it has a live copy, falls back to the store otherwise, and slides the idle
 * window at most once per touch interval, best effort. Revocation fails closed: ending or
 * rotating a session writes its tombstone in the replica <em>before</em> the store changes, and
 * if the replica cannot take it, nothing changes and {@link CacheReplica.CacheUnavailable} says so.
 *
 * <p>Every write takes the id of the request that makes it ({@code requestId}), which lets the
 * store recognise a repeat of that request (see {@link SessionStore}).
 */
public final class SessionService {

    /** Draws of a new token when its id is taken (it never is in practice) before giving up. */
    private static final int TOKEN_DRAWS = 3;

    /**
     * How long a tombstone stands before the table has shown that a session was there: long
     * enough for a write in flight for the id (a slow handler's copy) to meet it.
     */
    static final Duration PROVISIONAL_TOMBSTONE = Duration.ofMinutes(1);

    /**
     * How long a claimed idempotency key stays its request's after the request's deadline: enough
     * for a write that left just before it to land, and for the clocks of two functions to differ.
     */
    public static final Duration LEASE_MARGIN = Duration.ofSeconds(1);

    private final SessionStore store;
    private final SessionPolicy policy;
    private final Clock clock;
    private final Supplier<SessionToken> tokens;
    private final Optional<CacheReplica> cache;
    private final Optional<IdempotencyRecords> idempotency;
    private final int maxSessionsPerPrincipal;

    public SessionService(SessionStore store, SessionPolicy policy, Clock clock) {
        this(store, policy, clock, SessionToken::generate, Optional.empty(), Optional.empty(), 0);
    }

    private SessionService(SessionStore store, SessionPolicy policy, Clock clock, Supplier<SessionToken> tokens,
                           Optional<CacheReplica> cache, Optional<IdempotencyRecords> idempotency,
                           int maxSessionsPerPrincipal) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
        if (maxSessionsPerPrincipal < 0) {
            throw new IllegalArgumentException("maxSessionsPerPrincipal must be 0 (none) or more, not "
                    + maxSessionsPerPrincipal);
        }
        this.maxSessionsPerPrincipal = maxSessionsPerPrincipal;
    }

    /** The same service drawing its tokens from {@code tokens} (tests seed known tokens). */
    public SessionService withTokens(Supplier<SessionToken> tokens) {
        return new SessionService(store, policy, clock, tokens, cache, idempotency, maxSessionsPerPrincipal);
    }

    /** The same service reading through, and revoking in, {@code cache}. */
    public SessionService withCache(CacheReplica cache) {
        return new SessionService(store, policy, clock, tokens, Optional.of(cache), idempotency,
                maxSessionsPerPrincipal);
    }

    /** The same service honouring idempotency keys on create, remembered in {@code records}. */
    public SessionService withIdempotency(IdempotencyRecords records) {
        return new SessionService(store, policy, clock, tokens, cache, Optional.of(records), maxSessionsPerPrincipal);
    }

    /**
     * The same service keeping at most {@code max} sessions per principal (0: no limit): a create
     * past it revokes the principal's least recently used sessions.
     */
    public SessionService withMaxSessionsPerPrincipal(int max) {
        return new SessionService(store, policy, clock, tokens, cache, idempotency, max);
    }

    public SessionPolicy policy() {
        return policy;
    }

    /** The cache replica reads go through, if any. */
    public Optional<CacheReplica> cache() {
        return cache;
    }

    /** Now, to the millisecond: the precision sessions store. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * What {@code POST /sessions} asks for.
     *
     * @param principal its owner, or {@code null}; checked by {@link Principal#requireValid}
     * @param data its data, or {@code null} for an empty object
     * @param idempotencyKey the client's key, if it sent one
     * @param presented the session token the request carries (its cookie, say), if any: a sign-in
     *     takes that session over, or ends it when it is someone else's ({@link Succession})
     * @param device what the request tells of the device, or {@code null}
     */
    public record NewSession(String principal, Map<String, Object> data, Optional<IdempotencyKey> idempotencyKey,
                             Optional<SessionToken> presented, Device device) {
        public NewSession {
            data = data == null ? Map.of() : data;
            Objects.requireNonNull(idempotencyKey, "idempotencyKey");
            presented = presented == null ? Optional.empty() : presented;
        }

        /** A create that presents no session and tells nothing of its device. */
        public NewSession(String principal, Map<String, Object> data, Optional<IdempotencyKey> idempotencyKey) {
            this(principal, data, idempotencyKey, Optional.empty(), null);
        }
    }

    /** What became of a live session the create was presented with. */
    public enum Succession {
        /** None was presented (or it was not live): a plain create. */
        NONE,
        /**
         * It had no principal, or the new one's: the new session took it over, its data (the body's
         * merged in) and visits carried, and its token stopped working in the same step.
         */
        TOOK_OVER,
        /** It was another principal's: it ended (its token stopped working), and nothing of it carried. */
        REPLACED
    }

    /**
     * A created session.
     *
     * @param issued the session with its token
     * @param replayed true when an idempotency key found the session a first request made (it
     *     now has a new token; the first one stopped working)
     * @param revoked how many of the principal's sessions were revoked to stay within the limit
     * @param succession what became of the session the request was presented with
     * @param previousId that session's id, or {@code null} when there was none
     */
    public record Created(IssuedSession issued, boolean replayed, int revoked, Succession succession,
                          String previousId) {

        public Created(IssuedSession issued, boolean replayed, int revoked) {
            this(issued, replayed, revoked, Succession.NONE, null);
        }
    }

    /**
     * Creates a session; with an idempotency key, a repeat of an earlier create (same key, same
     * body, within {@link IdempotencyRecords#LIFETIME}) creates nothing and answers with that
     * session, wherever rotations have moved it since, under a fresh token.
     *
     * @throws IdempotencyConflict when the key was used with another body, is in use right now,
     *     or made a session that has ended
     * @throws InvalidData when the principal or data break the rules; nothing is written
     */
    public Created create(NewSession request, String requestId) {
        return create(request, requestId, null);
    }

    /**
     * As {@link #create(NewSession, String)}, by a request that can run until {@code deadline} (its
     * function's timeout): a key it claims is its own until then and {@link #LEASE_MARGIN} more, so
     * that a retry after the request failed is served as soon as the request can no longer write.
     *
     * @param deadline when the request stops for good, or {@code null} for the longest a request can
     *     run ({@link IdempotencyRecords#LEASE})
     */
    public Created create(NewSession request, String requestId, Instant deadline) {
        if (request.principal() != null) {
            Principal.requireValid(request.principal());
        }
        SessionData.validate(request.data(), policy);
        Instant now = now();
        if (request.idempotencyKey().isEmpty() || idempotency.isEmpty()) {
            return succeed(request, Optional.empty(), now, requestId);
        }
        IdempotencyRecords records = idempotency.get();
        String key = request.idempotencyKey().get().hash();
        String fingerprint = Fingerprint.of(request.principal(), request.data());
        // the session's token is drawn first, so that the claim names the session it will make
        SessionToken token = tokens.get();
        Duration lease = deadline == null ? IdempotencyRecords.LEASE
                : Duration.between(now, deadline).plus(LEASE_MARGIN).truncatedTo(ChronoUnit.MILLIS);
        if (lease.isNegative() || lease.compareTo(IdempotencyRecords.LEASE) > 0) {
            lease = IdempotencyRecords.LEASE;
        }
        return switch (records.claim(key, fingerprint, token.id(), requestId, now, lease)) {
            case IdempotencyRecords.Claimed claimed -> firstUse(records, key, token, request, now, requestId);
            case IdempotencyRecords.Existing existing -> {
                if (!existing.completed() && existing.leaseRunning()) {
                    throw new IdempotencyConflict(IdempotencyConflict.Reason.IN_PROGRESS);
                }
                Optional<Session> current = store.findCurrent(existing.sessionId(), now);
                if (current.isPresent()) {
                    yield replay(records, key, current.get(), now, requestId);
                }
                if (existing.completed()) {
                    throw new IdempotencyConflict(IdempotencyConflict.Reason.SESSION_ENDED);
                }
                // its request failed before it wrote the session: this one makes it
                if (!records.takeOver(key, fingerprint, existing.sessionId(), token.id(), requestId, now, lease)) {
                    throw new IdempotencyConflict(IdempotencyConflict.Reason.IN_PROGRESS);
                }
                yield firstUse(records, key, token, request, now, requestId);
            }
            case IdempotencyRecords.OtherRequest other ->
                    throw new IdempotencyConflict(IdempotencyConflict.Reason.OTHER_REQUEST);
        };
    }

    /** The key's first use: the session its claim names, then the claim completed. */
    private Created firstUse(IdempotencyRecords records, String key, SessionToken token, NewSession request,
                             Instant now, String requestId) {
        Created created;
        try {
            created = succeed(request, Optional.of(token), now, requestId);
        } catch (IdTaken taken) {
            throw new IllegalStateException("a freshly drawn token's id was taken: is the token source random?", taken);
        } catch (StoreUnavailable failed) {
            // the write may have committed with its answer lost: only a session that is not there frees the key
            if (!written(token.id(), now, failed)) {
                releaseQuietly(records, key, requestId, failed);
            }
            throw failed;
        } catch (RuntimeException failed) {
            releaseQuietly(records, key, requestId, failed);
            throw failed;
        }
        try {
            records.complete(key, token.id(), now);
        } catch (StoreUnavailable notRecorded) {
            // the claim names the session already: a repeat finds it through the claim after its lease
        }
        return created;
    }

    /**
     * A new session, for the session the request presents: a live one without a principal, or with
     * the new one's, is taken over (its token ends in the same step, its data and visits carry);
     * another principal's ends first (OWASP: a new id at every sign-in, the old one destroyed;
     * docs/design.md, decision 47); then the principal's limit, then the session itself.
     *
     * @param drawn the token the idempotency claim names, or empty to draw one
     */
    private Created succeed(NewSession request, Optional<SessionToken> drawn, Instant now, String requestId) {
        Optional<Session> presented = request.presented().flatMap(token -> store.find(token.id(), now, true));
        Succession succession = Succession.NONE;
        if (presented.isPresent()) {
            Session previous = presented.get();
            if (previous.principal() == null || previous.principal().equals(request.principal())) {
                int revoked = previous.principal() == null ? makeRoomFor(request.principal(), now) : 0;
                try {
                    IssuedSession successor = tombstoned(previous.id(), now, () -> drawn.map(token -> new IssuedSession(
                                    token, store.takeOver(previous.id(), token.id(),
                                            old -> successor(old, token.id(), request, now), now, requestId)))
                            .orElseGet(() -> underFreshToken(fresh -> store.takeOver(previous.id(), fresh.id(),
                                    old -> successor(old, fresh.id(), request, now), now, requestId))),
                            moved -> Optional.of(previous.absoluteExpiresAt()));
                    return new Created(successor, false, revoked, Succession.TOOK_OVER, previous.id());
                } catch (SessionNotFound endedMeanwhile) {
                    // it ended between the read and the move: nothing to take over, a plain create then
                }
            } else {
                tombstoned(previous.id(), now, () -> store.delete(previous.id(), EndReason.REPLACED_AT_SIGN_IN),
                        SessionService::endOf);
                succession = Succession.REPLACED;
            }
        }
        int revoked = makeRoomFor(request.principal(), now);
        IssuedSession issued = drawn.map(token -> new IssuedSession(token, store.create(newSession(token.id(), request,
                        now), requestId)))
                .orElseGet(() -> underFreshToken(fresh -> store.create(newSession(fresh.id(), request, now), requestId)));
        return new Created(issued, false, revoked, succession,
                succession == Succession.NONE ? null : presented.get().id());
    }

    private Session newSession(String id, NewSession request, Instant now) {
        return new Session(id, request.principal(), request.data(), 0, 1, 1, now, now, policy.idleExpiry(now),
                policy.absoluteExpiry(now), request.device());
    }

    /**
     * The session a sign-in makes of the one it takes over: the new principal, the old data with
     * the request's merged in (RFC 7396: its keys replace, {@code null} removes), the visits
     * carried; a new version, times and device, as any new session has.
     *
     * @throws InvalidData or {@link DataTooLarge} when the merged data breaks the rules; nothing is written
     */
    private Session successor(Session old, String newId, NewSession request, Instant now) {
        Map<String, Object> data = new MergePatch(request.data()).applyTo(old.data());
        SessionData.validate(data, policy);
        return new Session(newId, request.principal(), data, old.visits(), 1, old.revision() + 1, now, now,
                policy.idleExpiry(now), policy.absoluteExpiry(now), request.device());
    }

    /** A repeat's answer: the key's session moved to a fresh token, and the record pointed at it. */
    private Created replay(IdempotencyRecords records, String key, Session current, Instant now, String requestId) {
        IssuedSession moved;
        try {
            moved = moveToNewToken(current.id(), now, requestId);
        } catch (SessionNotFound endedMeanwhile) {
            throw new IdempotencyConflict(IdempotencyConflict.Reason.SESSION_ENDED);
        }
        try {
            records.complete(key, moved.session().id(), now);
        } catch (StoreUnavailable notRecorded) {
            // the old id's forward pointer leads a later repeat to the same session
        }
        return new Created(moved, true, 0);
    }

    /** Whether session {@code id} is in the store; unknown (the store unreachable too) counts as written. */
    private boolean written(String id, Instant now, RuntimeException failed) {
        try {
            return store.find(id, now, true).isPresent();
        } catch (RuntimeException alsoFailed) {
            failed.addSuppressed(alsoFailed);
            return true; // the claim's lease runs out instead; a repeat then finds whichever is true
        }
    }

    /** Where a read was served from, as the response and the metrics tell it. */
    public enum CacheLookup {
        /** No replica, or a consistent read: the store answered. */
        NOT_ASKED,
        /** The replica's live copy answered. */
        HIT,
        /** The replica had nothing; the store answered. */
        MISS,
        /** The replica's copy had expired; the store answered (it may know a later touch). */
        EXPIRED_COPY,
        /** The replica could not be reached; the store answered. */
        UNAVAILABLE
    }

    /**
     * A session read.
     *
     * @param session the session, after its touch if one was due and made
     * @param lookup where it came from
     * @param slid whether the read moved the session's expiry (a cookie should say so)
     * @param touchFailure why a due touch failed (the read is answered all the same), or {@code null}
     */
    public record Read(Session session, CacheLookup lookup, boolean slid, StoreUnavailable touchFailure) {
    }

    /**
     * The live session of {@code token}: from the replica unless {@code fromStore}, else (or on a
     * miss) from the store, read consistently; its idle window slid if a touch is due.
     *
     * <p>The store is always read consistently: an eventually consistent read can miss a session
     * created or rotated a moment ago (its new token would get 401) and can still return one that
     * was just ended (its old token would still work where no replica holds the tombstone).
     * docs/design.md, "Consistency", says what that costs.
     *
     * @param fromStore skip the replica (the client asked for its own latest write)
     * @throws SessionNotFound when it is missing, expired or ended (a tombstone in the replica, or a
     *     touch that finds it gone, whose stale copy is then tombstoned)
     */
    public Read read(SessionToken token, boolean fromStore) {
        return read(token, fromStore, Instant.MAX);
    }

    /**
     * As {@link #read(SessionToken, boolean)}, starting the touch (best effort) only before
     * {@code touchBy}: a caller that must answer by a deadline keeps the touch's longest time back,
     * and a slow read then leaves the idle window where it was rather than the answer late.
     */
    public Read read(SessionToken token, boolean fromStore, Instant touchBy) {
        Instant now = now();
        String id = token.id();
        Session found = null;
        CacheLookup lookup = CacheLookup.NOT_ASKED;
        if (!fromStore && cache.isPresent()) {
            switch (cache.get().read(id)) {
                case CacheReplica.Hit hit when !hit.session().isExpired(now) -> {
                    found = hit.session();
                    lookup = CacheLookup.HIT;
                }
                case CacheReplica.Hit expired -> lookup = CacheLookup.EXPIRED_COPY;
                case CacheReplica.Revoked revoked -> throw new SessionNotFound(true);
                case CacheReplica.Miss miss -> lookup = miss.unavailable() ? CacheLookup.UNAVAILABLE : CacheLookup.MISS;
            }
        }
        if (found == null) {
            found = store.find(id, now, true).orElseThrow(SessionNotFound::new);
        }
        if (!policy.dueForTouch(found.lastAccessedAt(), now) || !clock.instant().isBefore(touchBy)) {
            return new Read(found, lookup, false, null);
        }
        try {
            Session touched = store.touch(found, now);
            return new Read(touched, lookup, !touched.expiresAt().equals(found.expiresAt()), null);
        } catch (SessionNotFound gone) {
            // what was read is out of date: the session was ended or expired meanwhile
            tombstoneQuietly(id, found.absoluteExpiresAt(), now);
            throw gone;
        } catch (StoreUnavailable touchFailed) {
            return new Read(found, lookup, false, touchFailed); // the touch is best effort; the read stands
        }
    }

    /**
     * Counts a visit of {@code token}'s session; when there is no live one, starts a new session
     * with one visit.
     *
     * @param token the token the client sent, or empty
     * @return the session, with the new token when one was created
     */
    public Visit visit(Optional<SessionToken> token, String requestId) {
        return visit(token, requestId, null);
    }

    /**
     * As {@link #visit(Optional, String)}; a session it starts records {@code device}.
     *
     * @param device what the request tells of the device, or {@code null}
     */
    public Visit visit(Optional<SessionToken> token, String requestId, Device device) {
        Instant now = now();
        if (token.isPresent()) {
            try {
                return new Visit(store.recordVisit(token.get().id(), now, requestId), Optional.empty());
            } catch (SessionNotFound expired) {
                // falls through: a visit without a live session starts one
            }
        }
        IssuedSession issued = underFreshToken(fresh -> store.create(new Session(fresh.id(), null, Map.of(), 1, 1, 1, now,
                now, policy.idleExpiry(now), policy.absoluteExpiry(now), device), requestId));
        return new Visit(issued.session(), Optional.of(issued.token()));
    }

    /**
     * The outcome of a visit.
     *
     * @param session the session after the visit
     * @param newToken the token of a session the visit created, or empty when it counted an existing one
     */
    public record Visit(Session session, Optional<SessionToken> newToken) {
    }

    /**
     * A patched session.
     *
     * @param session the session after the patch
     * @param replicaFailure why the replica could not take the new copy, or {@code null}: its reads
     *     can then trail the patch until the stream delivers it
     */
    public record Patched(Session session, CacheReplica.CacheUnavailable replicaFailure) {
    }

    /**
     * Applies a merge patch to the data of {@code token}'s session (see {@link SessionStore#patch}),
     * then writes the new copy to the replica, so that the next read from it sees the patch without
     * waiting for the stream (the copy is written only over older revisions, so the stream's own
     * delivery, earlier or later, never regresses it).
     */
    public Patched patch(SessionToken token, MergePatch patch, Optional<Long> expectedVersion, String requestId) {
        SessionData.validatePatch(patch.document(), policy);
        Instant now = now();
        Session patched = store.patch(token.id(), patch, expectedVersion, now, requestId);
        if (cache.isPresent()) {
            try {
                cache.get().put(patched, now);
            } catch (CacheReplica.CacheUnavailable behind) {
                return new Patched(patched, behind);
            }
        }
        return new Patched(patched, null);
    }

    /**
     * Ends {@code token}'s session: its tombstone first (also when the table has no such session,
     * so no cached copy outlives it), then the table. Idempotent. A token that a rotation replaced
     * ends nothing but itself: the session it moved to is the new token's.
     *
     * @return the session that was there, or empty
     * @throws CacheReplica.CacheUnavailable when the tombstone could not be written; nothing changed
     * @throws StoreUnavailable when the table could not be changed; the tombstone is taken back, so
     *     nothing changed either (unless the replica failed too: then cached reads already get 401)
     */
    public Optional<Session> end(SessionToken token) {
        Instant now = now();
        return switch (tombstoned(token.id(), now, () -> store.delete(token.id(), EndReason.SIGNED_OUT),
                SessionService::endOf)) {
            case SessionStore.Removed removed -> Optional.of(removed.session());
            case SessionStore.Moved moved -> Optional.empty();
            case SessionStore.Absent absent -> Optional.empty();
        };
    }

    /**
     * Moves {@code token}'s session to a new token; the old one stops working at once (its
     * tombstone is written first).
     *
     * @throws SessionNotFound when it is missing or expired
     * @throws CacheReplica.CacheUnavailable when the tombstone could not be written; nothing changed
     * @throws StoreUnavailable when the table could not be changed; the tombstone is taken back
     */
    public IssuedSession rotate(SessionToken token, String requestId) {
        return moveToNewToken(token.id(), now(), requestId);
    }

    /** The live sessions of a principal, oldest first. */
    public List<Session> listByPrincipal(String principal) {
        return store.listByPrincipal(Principal.requireValid(principal), now());
    }

    /** The most index entries one page of a listing reads: 200 sessions of the largest data stay under Lambda's 6 MB answer. */
    public static final int MAX_PAGE = 200;

    /**
     * One page of a principal's live sessions, oldest first (see {@link SessionStore#pageOfPrincipal}).
     *
     * @param limit 1 to {@link #MAX_PAGE}
     * @throws InvalidData for a limit out of range or a cursor no page gave
     */
    public SessionStore.SessionPage pageOfPrincipal(String principal, String after, int limit) {
        Principal.requireValid(principal);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new InvalidData("limit must be 1 to " + MAX_PAGE + ", not " + limit);
        }
        return store.pageOfPrincipal(principal, after, limit, now());
    }

    /**
     * A page of the sessions of the current session's principal, for its user ("where you're
     * signed in"); one without a principal sees only itself.
     *
     * @param page the sessions; on the last page the current one is added when the lagging index
     *     does not list it yet (it is the newest)
     * @param currentId the current session's id, to mark it
     */
    public record OwnSessions(SessionStore.SessionPage page, String currentId) {
    }

    /**
     * The sessions of {@code current}'s principal, a page at a time, oldest first.
     *
     * @throws SessionNotFound when {@code current} is no live session
     * @throws InvalidData for a limit out of range or a cursor no page gave
     */
    public OwnSessions ownSessions(SessionToken current, String after, int limit) {
        Instant now = now();
        Session session = store.find(current.id(), now, true).orElseThrow(SessionNotFound::new);
        if (session.principal() == null) {
            return new OwnSessions(new SessionStore.SessionPage(List.of(session), null), session.id());
        }
        SessionStore.SessionPage page = pageOfPrincipal(session.principal(), after, limit);
        List<Session> listed = page.sessions();
        // the index has not got it yet: a single page would show it; on a last page after others, only one
        // newer than every session listed there is sure to be on no earlier page (pages go oldest first, and
        // one created in the same millisecond as the last listed may have been on the page before)
        boolean missing = page.next() == null && listed.stream().noneMatch(s -> s.id().equals(session.id()))
                && (after == null || !listed.isEmpty() && session.createdAt().isAfter(listed.getLast().createdAt()));
        if (missing) {
            List<Session> withCurrent = new java.util.ArrayList<>(listed);
            withCurrent.add(session);
            page = new SessionStore.SessionPage(withCurrent, null);
        }
        return new OwnSessions(page, session.id());
    }

    /**
     * Ends session {@code id} for the user of {@code current}: when it is (or a rotation moved it
     * to) a live session of the same principal, or {@code current} itself. Any other id, a
     * stranger's included, ends nothing and answers the same, so that it tells nothing.
     *
     * @return whether a session ended
     * @throws SessionNotFound when {@code current} is no live session
     */
    public boolean endOwn(SessionToken current, String id) {
        Instant now = now();
        Session session = store.find(current.id(), now, true).orElseThrow(SessionNotFound::new);
        if (id.equals(session.id())) {
            return end(current).isPresent();
        }
        if (session.principal() == null) {
            return false;
        }
        Optional<Session> target = store.findCurrent(id, now);
        if (target.isEmpty() || !session.principal().equals(target.get().principal())
                || target.get().id().equals(session.id())) {
            return false; // unknown, ended, a stranger's, or the current one under an old id: nothing to end
        }
        return revoke(target.get().id(), session.principal(), Instant.MAX, session.id(),
                EndReason.ENDED_FROM_ANOTHER_DEVICE, new HashSet<>()) == Revoke.ENDED;
    }

    /**
     * Ends every session of {@code current}'s principal but {@code current} ("sign out everywhere
     * else"), as an admin revoke pages through them, before {@code deadline}.
     *
     * @throws SessionNotFound when {@code current} is no live session
     */
    public Revocation endOthers(SessionToken current, Instant deadline) {
        Session session = store.find(current.id(), now(), true).orElseThrow(SessionNotFound::new);
        return session.principal() == null ? new Revocation(0, true)
                : revokeAll(session.principal(), deadline, session.id(), EndReason.ENDED_FROM_ANOTHER_DEVICE);
    }

    /**
     * How far a revocation got.
     *
     * @param revoked how many live sessions it ended
     * @param complete false when it stopped at its deadline with sessions left: call again
     */
    public record Revocation(int revoked, boolean complete) {
    }

    /**
     * Ends every session of a principal, paging through the principal index to its end, each
     * session's tombstone before its delete; a session that rotated meanwhile is followed to its new
     * id and ended there, however often it rotates. Stops before {@code deadline} and says so.
     *
     * @param deadline when to stop starting new table or cache calls (the caller's time to answer,
     *     less the longest one call can take)
     * @throws CacheReplica.CacheUnavailable when a tombstone could not be written; the sessions
     *     before it are ended, the rest untouched: a repeat continues
     */
    public Revocation revokeByPrincipal(String principal, Instant deadline) {
        return revokeAll(Principal.requireValid(principal), deadline, null, EndReason.REVOKED_BY_ADMINISTRATOR);
    }

    /** Every session of {@code principal} but {@code spared} (or none), as {@link #revokeByPrincipal} says. */
    private Revocation revokeAll(String principal, Instant deadline, String spared, EndReason reason) {
        int revoked = 0;
        String after = null;
        // a rotated session is in the index under every id of its chain (decision 37): each id is
        // walked once per call, or a chain of n moves would cost n*n/2 steps
        Set<String> walked = new HashSet<>();
        do {
            if (!clock.instant().isBefore(deadline)) {
                return new Revocation(revoked, false);
            }
            SessionStore.IdPage page = store.idsOfPrincipal(principal, after);
            for (String id : page.ids()) {
                switch (revoke(id, principal, deadline, spared, reason, walked)) {
                    case ENDED -> revoked++;
                    case NOT_LIVE -> {
                    }
                    case OUT_OF_TIME -> {
                        return new Revocation(revoked, false);
                    }
                }
            }
            after = page.next();
        } while (after != null);
        return new Revocation(revoked, true);
    }

    /** How one revocation ended. */
    private enum Revoke { ENDED, NOT_LIVE, OUT_OF_TIME }

    /**
     * Ends session {@code id} if it belongs to {@code principal}; when a rotation moved it, the
     * session it moved to, following each move to the end, however many there were (a stolen token
     * rotated in a loop is caught when a delete lands before its next rotation, which the delete
     * then makes fail).
     */
    private Revoke revoke(String id, String principal, Instant deadline, EndReason reason) {
        return revoke(id, principal, deadline, null, reason, new HashSet<>());
    }

    /**
     * As {@link #revoke(String, String, Instant, EndReason)}, leaving session {@code spared} alone
     * should the moves lead to it, and stopping at an id in {@code walked} (which it adds to): that
     * id's revocation was tried already, and wherever it led is done.
     */
    private Revoke revoke(String id, String principal, Instant deadline, String spared, EndReason reason,
                          Set<String> walked) {
        String next = id;
        while (walked.add(next)) { // a new id never repeats an old one: this ends
            if (!clock.instant().isBefore(deadline)) {
                return Revoke.OUT_OF_TIME;
            }
            if (next.equals(spared)) {
                return Revoke.NOT_LIVE;
            }
            Instant now = now();
            String at = next;
            switch (tombstoned(at, now, () -> store.delete(at, reason), SessionService::endOf)) {
                case SessionStore.Removed removed -> {
                    Session session = removed.session();
                    return principal.equals(session.principal()) && !session.isExpired(now) ? Revoke.ENDED
                            : Revoke.NOT_LIVE;
                }
                case SessionStore.Moved moved -> next = moved.to();
                case SessionStore.Absent absent -> {
                    return Revoke.NOT_LIVE;
                }
            }
        }
        return Revoke.NOT_LIVE;
    }

    /**
     * Revokes the principal's least recently used sessions so that one more fits the limit. The
     * index decides who is a candidate (its projection alone: a principal's thousand sessions cost
     * their few bytes, not their data), and a consistent read of each candidate confirms it before
     * it is revoked: the index lags, so an entry can show a session that has ended (it counted for
     * nothing), that has rotated to another id the index also lists (it counted twice), or its use
     * before the last one (it may not be the least recently used any more).
     */
    private int makeRoomFor(String principal, Instant now) {
        if (principal == null || maxSessionsPerPrincipal == 0) {
            return 0;
        }
        List<SessionStore.SessionUse> uses = store.usesOfPrincipal(principal, now);
        int excess = uses.size() - maxSessionsPerPrincipal + 1;
        if (excess <= 0) {
            return 0;
        }
        PriorityQueue<SessionStore.SessionUse> oldestFirst = new PriorityQueue<>(
                Comparator.comparing(SessionStore.SessionUse::lastAccessedAt)
                        .thenComparing(SessionStore.SessionUse::createdAt));
        oldestFirst.addAll(uses);
        Set<String> counted = new HashSet<>();
        uses.forEach(use -> counted.add(use.id()));
        Set<String> confirmed = new HashSet<>();
        int revoked = 0;
        while (excess > 0 && !oldestFirst.isEmpty()) {
            SessionStore.SessionUse candidate = oldestFirst.poll();
            if (!confirmed.contains(candidate.id())) {
                Optional<SessionStore.SessionUse> current = store.currentUse(candidate.id(), now);
                if (current.isEmpty()) {
                    excess--; // it had ended: it took no room
                    continue;
                }
                SessionStore.SessionUse session = current.get();
                if (!session.id().equals(candidate.id()) && !counted.add(session.id())) {
                    excess--; // rotated, and the index lists it under its new id as well: counted twice
                    continue;
                }
                confirmed.add(session.id());
                if (!session.id().equals(candidate.id())
                        || !session.lastAccessedAt().equals(candidate.lastAccessedAt())) {
                    // as it is now: it may not be the least recently used any more
                    oldestFirst.add(session);
                    continue;
                }
            }
            excess--;
            if (revoke(candidate.id(), principal, Instant.MAX, EndReason.REVOKED_BY_SESSION_LIMIT) == Revoke.ENDED) {
                revoked++;
            }
        }
        return revoked;
    }

    private IssuedSession moveToNewToken(String oldId, Instant now, String requestId) {
        return tombstoned(oldId, now, () -> underFreshToken(fresh -> store.rotate(oldId, fresh.id(), now, requestId)),
                issued -> Optional.of(issued.session().absoluteExpiresAt()));
    }

    /** Writes a session under a newly drawn token, drawing again while its id is taken (it never is in practice). */
    private IssuedSession underFreshToken(Function<SessionToken, Session> write) {
        for (int draw = 0; draw < TOKEN_DRAWS; draw++) {
            SessionToken token = tokens.get();
            try {
                return new IssuedSession(token, write.apply(token));
            } catch (IdTaken taken) {
                // another token, then
            }
        }
        throw new IllegalStateException("every token drawn was taken: is the token source random?");
    }

    /** Until when a removed session's id must stay tombstoned: its absolute expiry, if there was one. */
    private static Optional<Instant> endOf(SessionStore.Removal removal) {
        return removal instanceof SessionStore.Removed removed
                ? Optional.of(removed.session().absoluteExpiresAt()) : Optional.empty();
    }

    /**
     * Runs a table change that ends or moves session {@code id} after its tombstone (revocation
     * fails closed: docs/design.md, decision 7). The tombstone is provisional at first, standing
     * {@link #PROVISIONAL_TOMBSTONE}: only once the table shows a session was there ({@code end}
     * answers its absolute expiry) does it stand until then, so a token nobody holds (any
     * well-formed string) makes the replica keep a key for a minute, not for a session's life
     * (docs/design.md, decision 31). When the table change fails, the tombstone this call wrote is
     * taken back, so that the failure (a 503) means nothing changed on any route.
     */
    private <T> T tombstoned(String id, Instant now, Supplier<T> change, Function<T, Optional<Instant>> end) {
        boolean revokedBefore = cache.isPresent() && cache.get().evict(id, now.plus(PROVISIONAL_TOMBSTONE), now);
        T changed;
        try {
            changed = change.get();
        } catch (StoreUnavailable | InvalidData | DataTooLarge failed) {
            // nothing changed in the table (the store failed, or a sign-in's merged data broke a rule)
            if (!revokedBefore) {
                try {
                    cache.ifPresent(replica -> replica.lift(id));
                } catch (CacheReplica.CacheUnavailable alsoFailed) {
                    failed.addSuppressed(alsoFailed); // cached reads get 401 until a retry completes it
                }
            }
            throw failed;
        }
        end.apply(changed).ifPresent(until -> tombstoneQuietly(id, until, now));
        return changed;
    }

    /**
     * Writes the id's tombstone until {@code until}, or leaves it to the stream: the table change is
     * made, and its stream record makes the sync function write the same tombstone.
     */
    private void tombstoneQuietly(String id, Instant until, Instant now) {
        try {
            cache.ifPresent(replica -> replica.evict(id, until, now));
        } catch (CacheReplica.CacheUnavailable unavailable) {
            // the stream's REMOVE (or pointer) will write it; meanwhile the provisional one stands
        }
    }

    private static void releaseQuietly(IdempotencyRecords records, String key, String requestId,
                                       RuntimeException failed) {
        try {
            records.release(key, requestId);
        } catch (RuntimeException alsoFailed) {
            failed.addSuppressed(alsoFailed); // the claim's lease runs out instead
        }
    }
}
