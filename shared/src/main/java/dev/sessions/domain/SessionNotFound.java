package dev.sessions.domain;

/** No session has that id, or it has expired (whatever TTL has or has not deleted yet), or it was ended. */
public final class SessionNotFound extends SessionException {

    private static final long serialVersionUID = 1L;

    private final boolean revokedInCache;

    public SessionNotFound() {
        this(false);
    }

    /** @param revokedInCache the cache replica's tombstone said so, without a store request */
    public SessionNotFound(boolean revokedInCache) {
        super("session not found or expired", null);
        this.revokedInCache = revokedInCache;
    }

    /** Whether the cache replica answered (its tombstone for an ended session). */
    public boolean revokedInCache() {
        return revokedInCache;
    }
}
