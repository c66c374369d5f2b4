package dev.sessions.domain;

/** The store was throttled, down or unreachable; the cause is kept. Worth retrying later. */
public final class StoreUnavailable extends SessionException {

    private static final long serialVersionUID = 1L;

    private final boolean throttled;

    public StoreUnavailable(String message, boolean throttled, Throwable cause) {
        super(message, cause);
        this.throttled = throttled;
    }

    /** True when the store refused for capacity rather than failing. */
    public boolean throttled() {
        return throttled;
    }
}
