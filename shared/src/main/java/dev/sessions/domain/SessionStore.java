package dev.sessions.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where sessions live: the port every backend implements. Sessions are addressed by id (the
 * token's hash), never by token. Time is passed in; an expired session is absent to every
 * operation, whatever the backend's own expiry has or has not removed yet.
 *
 * <p>Writes are exact under retries: each takes the id of the request that makes it, the item
 * remembers the last request that wrote it, and a repeat of that request (a client library's
 * retry after the first attempt committed but its answer was lost) applies nothing again and
 * returns what the first attempt did.
 *
 * <p>Every operation throws only {@link SessionException}s, and {@link #create} also
 * {@link IdTaken}. Implementations are thread-safe.
 */
public interface SessionStore {

    /**
     * Stores a new session.
     *
     * @param requestId the request that creates it
     * @return the session as stored: {@code session}, or the first attempt's when this is its repeat
     * @throws IdTaken when another session has that id (a token collision: 256 random bits make it
     *     practically impossible; the caller draws another token)
     */
    Session create(Session session, String requestId);

    /**
     * The live session with that id.
     *
     * @param consistent read the latest write (costs twice a plain read on DynamoDB)
     * @return empty when there is none or it has expired at {@code now}
     */
    Optional<Session> find(String id, Instant now, boolean consistent);

    /**
     * Slides the idle window of a session read at {@code seen}, at most once per touch interval and
     * never beyond its absolute expiry.
     *
     * @return the touched session; or, when another request touched it within the interval, the
     *     session as it stands (no write)
     * @throws SessionNotFound when it is gone or expired: the read that saw it is out of date
     */
    Session touch(Session seen, Instant now);

    /**
     * Adds one visit atomically and slides the idle window.
     *
     * @return the session with its new visit count
     * @throws SessionNotFound when it is missing or expired; nothing is written
     */
    Session recordVisit(String id, Instant now, String requestId);

    /**
     * Merges {@code patch} into the session's data and adds 1 to its version. Without an expected
     * version, only the keys the patch names are written, so concurrent patches of different keys
     * all survive. With one, it is a compare-and-set.
     *
     * @param expectedVersion the version the caller last saw, or empty for none
     * @throws SessionNotFound when it is missing or expired
     * @throws VersionConflict when {@code expectedVersion} is not the current version
     * @throws DataTooLarge when the merged data would exceed the limit; nothing is written
     * @throws InvalidData when the patch breaks a rule of {@link SessionData}
     */
    Session patch(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now, String requestId);

    /** What {@link #delete} found at an id. */
    sealed interface Removal permits Removed, Moved, Absent {
    }

    /** A session was there (live or expired); it is deleted now. */
    record Removed(Session session) implements Removal {
    }

    /**
     * A rotation moved the session to {@code to}; the old id's forward pointer stays, so that
     * whoever follows the id (an admin revoke, an idempotent create) still finds the session.
     */
    record Moved(String to) implements Removal {
    }

    /** Nothing was there. */
    record Absent() implements Removal {
    }

    /**
     * Deletes the session, recording first why it ends (so that the table's stream can tell its
     * REMOVE apart from another's); deleting a missing one is not an error (so a repeat is
     * harmless). A rotated id's forward pointer is left as it is.
     */
    Removal delete(String id, EndReason reason);

    /**
     * Moves a live session to {@code newId} in one transaction: same principal, data, version,
     * visits, creation and absolute expiry. The old id is then a forward pointer to the new one
     * until the absolute expiry, never a session again.
     *
     * @throws SessionNotFound when the old session is missing or expired
     * @throws IdTaken when {@code newId} belongs to another session
     */
    Session rotate(String oldId, String newId, Instant now, String requestId);

    /**
     * Moves a live session to {@code newId} in one transaction as the session {@code successor}
     * makes of it (a sign-in: a principal, merged data, fresh times). The old id is then a forward
     * pointer to the new one until its absolute expiry, as a rotation leaves it.
     *
     * @param successor the new session, given the old one as it stands; it must have {@code newId}
     * @throws SessionNotFound when the old session is missing or expired; nothing is written
     * @throws IdTaken when {@code newId} belongs to another session
     */
    Session takeOver(String oldId, String newId, java.util.function.UnaryOperator<Session> successor, Instant now,
                     String requestId);

    /**
     * The live session that {@code id} is, or that rotations have moved it to, following the
     * forward pointers with consistent reads to their end, however many rotations there were.
     *
     * @return empty when there is none at the end of the moves, or it has expired
     */
    Optional<Session> findCurrent(String id, Instant now);

    /**
     * The live sessions of a principal, oldest first. Eventually consistent: a new one may be
     * missing for a moment.
     */
    List<Session> listByPrincipal(String principal, Instant now);

    /**
     * How each live session of a principal was last used, read from the principal index alone
     * (no session's data): what a session limit decides by. Eventually consistent: a session
     * created or used a moment ago may be missing or show its previous use.
     */
    List<SessionUse> usesOfPrincipal(String principal, Instant now);

    /**
     * How the live session that {@code id} is, or that rotations have moved it to, was last used,
     * followed as {@link #findCurrent} follows it, read consistently without its data: what a
     * session limit confirms a candidate by.
     *
     * @return empty when there is none at the end of the moves, or it has expired
     */
    Optional<SessionUse> currentUse(String id, Instant now);

    /**
     * When a session was created and last used.
     *
     * @param id the session's id (a rotated session's new one)
     */
    record SessionUse(String id, Instant createdAt, Instant lastAccessedAt) {
    }

    /**
     * One page of a principal's live sessions, oldest first: at most {@code limit} entries of the
     * principal index, read as {@link #listByPrincipal} reads them (a page can hold fewer live
     * sessions than its limit, even none, and still have a next one).
     *
     * @param after the page's {@link SessionPage#next()} to continue from, or {@code null} for the first
     * @param limit how many index entries the page reads, 1 or more
     * @throws InvalidData when {@code after} is not a cursor a page of this principal gave
     */
    SessionPage pageOfPrincipal(String principal, String after, int limit, Instant now);

    /**
     * A page of sessions.
     *
     * @param sessions the live sessions, oldest first
     * @param next where the next page starts, or {@code null} when this is the last
     */
    record SessionPage(List<Session> sessions, String next) {
        public SessionPage {
            sessions = List.copyOf(sessions);
        }
    }

    /**
     * One page of the ids of a principal's sessions (live or expired), in creation order, from
     * the principal index: eventually consistent.
     *
     * @param after the page's {@link IdPage#next()} to continue from, or {@code null} for the first
     */
    IdPage idsOfPrincipal(String principal, String after);

    /**
     * A page of session ids.
     *
     * @param ids the ids, possibly none
     * @param next where the next page starts, or {@code null} when this is the last
     */
    record IdPage(List<String> ids, String next) {
        public IdPage {
            ids = List.copyOf(ids);
        }
    }
}
