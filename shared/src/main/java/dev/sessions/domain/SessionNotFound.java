package dev.sessions.domain;

/** No session has that id, or it has expired (whatever TTL has or has not deleted yet). */
public final class SessionNotFound extends SessionException {

    private static final long serialVersionUID = 1L;

    public SessionNotFound() {
        super("session not found or expired", null);
    }
}
