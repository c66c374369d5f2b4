package dev.sessions.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where sessions live: the port every backend implements. Sessions are addressed by id (the
 * token's hash), never by token. Time is passed in; an expired session is absent to every
 * operation, whatever the backend's own expiry has or has not removed yet.
 *
 * <p>Every operation throws only {@link SessionException}s. Implementations are thread-safe.
 */
public interface SessionStore {

    /**
     * Stores a new session.
     *
     * @throws StoreUnavailable also when a session with that id already exists (a token collision,
     *     which 256 random bits make practically impossible)
     */
    void create(Session session);

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
     * @return the touched session, or empty when the interval has not passed since its last touch
     *     (by this or any other caller) or it is gone
     */
    Optional<Session> touch(Session seen, Instant now);

    /**
     * Adds one visit atomically and slides the idle window.
     *
     * @return the session with its new visit count
     * @throws SessionNotFound when it is missing or expired; nothing is written
     */
    Session recordVisit(String id, Instant now);

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
    Session patch(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now);

    /**
     * Deletes the session; deleting a missing one is not an error.
     *
     * @return the session that was there (live or expired), or empty
     */
    Optional<Session> delete(String id);

    /**
     * Moves a live session to {@code newId} in one transaction: same principal, data, version,
     * visits, creation and absolute expiry; the old id is gone.
     *
     * @throws SessionNotFound when the old session is missing or expired
     */
    Session rotate(String oldId, String newId, Instant now);

    /** The live sessions of a principal, oldest first. Eventually consistent: a new one may be missing for a moment. */
    List<Session> listByPrincipal(String principal, Instant now);

    /**
     * Deletes every session of a principal (expired ones too).
     *
     * @return the sessions that were live, so that callers can evict them from caches
     */
    List<Session> revokeByPrincipal(String principal, Instant now);
}
