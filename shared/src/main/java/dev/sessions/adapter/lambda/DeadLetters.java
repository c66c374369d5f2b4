package dev.sessions.adapter.lambda;

/**
 * Where a stream function sets aside the records it can never apply, so that its shard moves on:
 * the mapping's dead-letter queue.
 */
public interface DeadLetters {

    /**
     * Sends {@code record}'s metadata to the queue.
     *
     * @throws Unavailable when it could not be sent; the record is then retried like any failure
     */
    void setAside(PoisonRecord record);

    /** The queue could not be reached or refused the message; the cause is kept. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
