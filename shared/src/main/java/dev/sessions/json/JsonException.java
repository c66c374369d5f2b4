package dev.sessions.json;

/** The text is not valid JSON, or breaks a limit; {@link #offset()} says where. */
public final class JsonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int offset;

    public JsonException(String reason, int offset) {
        super(reason + " at offset " + offset);
        this.offset = offset;
    }

    /** The character offset in the text where the problem was found. */
    public int offset() {
        return offset;
    }
}
