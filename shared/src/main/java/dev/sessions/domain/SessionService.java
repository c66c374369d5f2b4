package dev.sessions.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The session use cases, in domain terms: tokens in, sessions out. Stateless itself; all state
 * is in the {@link SessionStore}. Time comes from the injected {@link Clock}.
 */
public final class SessionService {

    private final SessionStore store;
    private final SessionPolicy policy;
    private final Clock clock;
    private final Supplier<SessionToken> tokens;

    public SessionService(SessionStore store, SessionPolicy policy, Clock clock) {
        this(store, policy, clock, SessionToken::generate);
    }

    public SessionService(SessionStore store, SessionPolicy policy, Clock clock, Supplier<SessionToken> tokens) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    public SessionPolicy policy() {
        return policy;
    }

    /** Now, to the millisecond: the precision sessions store. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Creates a session.
     *
     * @param principal its owner, or {@code null}; checked by {@link Principal#requireValid}
     * @param data its data, or {@code null} for an empty object
     * @param visits its initial visit count (1 when a visit creates it)
     */
    public IssuedSession create(String principal, Map<String, Object> data, long visits) {
        Map<String, Object> initial = data == null ? Map.of() : data;
        if (principal != null) {
            Principal.requireValid(principal);
        }
        SessionData.validate(initial, policy);
        Instant now = now();
        SessionToken token = tokens.get();
        Session session = new Session(token.id(), principal, initial, visits, 1, 1, now, now,
                policy.idleExpiry(now), policy.absoluteExpiry(now));
        store.create(session);
        return new IssuedSession(token, session);
    }

    /**
     * The live session of {@code token}, sliding its idle window if a touch is due.
     *
     * @throws SessionNotFound when it is missing or expired
     */
    public Session get(SessionToken token, boolean consistent) {
        return touchIfDue(find(token, consistent), now());
    }

    /**
     * The live session of {@code token}, as stored: no touch.
     *
     * @throws SessionNotFound when it is missing or expired
     */
    public Session find(SessionToken token, boolean consistent) {
        return store.find(token.id(), now(), consistent).orElseThrow(SessionNotFound::new);
    }

    /**
     * Slides the idle window of a session just read (from the table or a cache replica) if a touch
     * is due; returns the same instance when nothing was written.
     */
    public Session touchIfDue(Session session, Instant now) {
        if (!policy.dueForTouch(session.lastAccessedAt(), now)) {
            return session;
        }
        return store.touch(session, now).orElse(session);
    }

    /**
     * Counts a visit of {@code token}'s session; when there is no live one, starts a new session
     * with one visit.
     *
     * @param token the token the client sent, or empty
     * @return the session, with the new token when one was created
     */
    public Visit visit(Optional<SessionToken> token) {
        if (token.isPresent()) {
            try {
                return new Visit(store.recordVisit(token.get().id(), now()), Optional.empty());
            } catch (SessionNotFound expired) {
                // falls through: a visit without a live session starts one
            }
        }
        IssuedSession issued = create(null, Map.of(), 1);
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

    /** Applies a merge patch to the data of {@code token}'s session. See {@link SessionStore#patch}. */
    public Session patch(SessionToken token, MergePatch patch, Optional<Long> expectedVersion) {
        SessionData.validatePatch(patch.document(), policy);
        return store.patch(token.id(), patch, expectedVersion, now());
    }

    /** Ends {@code token}'s session; idempotent. @return the session that was there, or empty */
    public Optional<Session> delete(SessionToken token) {
        return store.delete(token.id());
    }

    /** Moves {@code token}'s session to a new token; the old one stops working at once. */
    public IssuedSession rotate(SessionToken token) {
        SessionToken fresh = tokens.get();
        Session moved = store.rotate(token.id(), fresh.id(), now());
        return new IssuedSession(fresh, moved);
    }

    /** The live sessions of a principal, oldest first. */
    public List<Session> listByPrincipal(String principal) {
        return store.listByPrincipal(Principal.requireValid(principal), now());
    }

    /** Ends every session of a principal. @return the sessions that were live */
    public List<Session> revokeByPrincipal(String principal) {
        return store.revokeByPrincipal(Principal.requireValid(principal), now());
    }
}
