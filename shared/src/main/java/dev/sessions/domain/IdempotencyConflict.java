package dev.sessions.domain;

/** An {@code Idempotency-Key} that cannot be honoured for this request; see {@link Reason}. */
public final class IdempotencyConflict extends SessionException {

    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason {
        /** The key was used with another body (422). */
        OTHER_REQUEST,
        /** A request with the key is still being served (409; retry in a moment). */
        IN_PROGRESS,
        /** The session the key created has ended; a repeat cannot bring it back (409). */
        SESSION_ENDED
    }

    private final Reason reason;

    public IdempotencyConflict(Reason reason) {
        super("idempotency key conflict: " + reason, null);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
