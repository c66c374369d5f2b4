package dev.sessions.domain;

/**
 * The store was throttled, down or unreachable, or another request held the session (a
 * transaction of it, or writes that kept changing it); the cause is kept. Nothing was written by
 * the call that failed. Worth retrying later.
 */
public final class StoreUnavailable extends SessionException {

    private static final long serialVersionUID = 1L;

    private final boolean throttled;
    private final boolean busy;

    public StoreUnavailable(String message, boolean throttled, Throwable cause) {
        this(message, throttled, false, cause);
    }

    private StoreUnavailable(String message, boolean throttled, boolean busy, Throwable cause) {
        super(message, cause);
        this.throttled = throttled;
        this.busy = busy;
    }

    /** Another request held the session for longer than the call could wait: a retry in a moment will do. */
    public static StoreUnavailable busy(String message, Throwable cause) {
        return new StoreUnavailable(message, false, true, cause);
    }

    /** True when the store refused for capacity rather than failing. */
    public boolean throttled() {
        return throttled;
    }

    /** True when another request held the session (see {@link #busy}). */
    public boolean busy() {
        return busy;
    }
}
