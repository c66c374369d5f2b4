package dev.sessions.adapter.redis;

/** Redis could not be reached or did not answer in time; the cause is kept. */
public final class RedisUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
