package dev.sessions.domain;

/** The session's data would exceed its size limit; nothing was written. */
public final class DataTooLarge extends SessionException {

    private static final long serialVersionUID = 1L;

    private final long size;
    private final long limit;

    public DataTooLarge(long size, long limit) {
        super("session data of " + size + " bytes exceeds the limit of " + limit + " bytes", null);
        this.size = size;
        this.limit = limit;
    }

    /** The size the data would have had, in bytes of compact UTF-8 JSON (at least). */
    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
