package dev.sessions.domain;

/** A compare-and-set found another version of the data than the one expected; nothing changed. */
public final class VersionConflict extends SessionException {

    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long actual;

    public VersionConflict(long expected, long actual) {
        super("expected version " + expected + " but the session is at version " + actual, null);
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
