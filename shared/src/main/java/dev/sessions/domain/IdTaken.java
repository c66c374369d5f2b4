package dev.sessions.domain;

/**
 * A new session's id belongs to another session already: two tokens hashed alike. With 256
 * random bits it does not happen in practice; the service draws another token. Not a
 * {@link SessionException}: it never reaches a caller of the service.
 */
public final class IdTaken extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IdTaken(Throwable cause) {
        super("a session with that id exists already", cause);
    }
}
