package dev.sessions.local;

/** A failure of the local runtime itself, reported as one line and a non-zero exit. */
public final class LocalRuntimeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LocalRuntimeException(String message) {
        super(message);
    }

    public LocalRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
