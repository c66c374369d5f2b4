package dev.sessions.verifier;

import dev.sessions.domain.SessionService;
import dev.sessions.domain.StoreUnavailable;

/**
 * What {@link SessionVerifier} decided: a live session, a refusal, or that it could not decide
 * because the session store failed (refuse then too: the decision fails closed).
 */
public sealed interface Verdict permits Verdict.Live, Verdict.Refused, Verdict.Unavailable {

    /**
     * The request presents a live session.
     *
     * @param session the caller's session
     * @param lookup where it was read from (the replica, or the table), for metrics
     * @param touchFailure why its idle window could not slide, or {@code null}: the verdict stands
     */
    record Live(LiveSession session, SessionService.CacheLookup lookup, StoreUnavailable touchFailure)
            implements Verdict {

        public Live(LiveSession session) {
            this(session, SessionService.CacheLookup.NOT_ASKED, null);
        }
    }

    /** It does not; {@code reason} says why, for a log line (never for the caller: it tells nothing of tokens). */
    record Refused(Reason reason) implements Verdict {
    }

    /**
     * The store could not be read (throttled, unreachable): nothing is known of the session, so the
     * caller must refuse, and should count and log it.
     *
     * @param cause what failed
     */
    record Unavailable(RuntimeException cause) implements Verdict {
    }

    /** Why a request was refused. */
    enum Reason {
        /** No token: no Authorization header and no session cookie (or not where the source says to look). */
        NO_TOKEN,
        /** A token that cannot be one: another scheme, the wrong length or alphabet. */
        MALFORMED,
        /** More than one session cookie: which one would be a guess. */
        AMBIGUOUS,
        /** No live session has that token: unknown, ended, rotated away, or expired. */
        NO_SESSION
    }

    /** Whether the request may go on. */
    default boolean allowed() {
        return this instanceof Live;
    }
}
