package dev.sessions.adapter.redis;

/** Redis answered with an error reply, such as {@code NOSCRIPT} or {@code WRONGTYPE}. */
public final class RedisErrorReply extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RedisErrorReply(String message) {
        super(message, null, false, false);
    }

    /** The error's first word, such as {@code NOSCRIPT}. */
    public String code() {
        String message = getMessage();
        int space = message.indexOf(' ');
        return space < 0 ? message : message.substring(0, space);
    }
}
