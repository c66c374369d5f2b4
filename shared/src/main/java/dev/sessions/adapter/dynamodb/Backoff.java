package dev.sessions.adapter.dynamodb;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A pause before trying a write again that met another request's transaction: exponential with
 * full jitter, as AWS advises for transaction conflicts, short because a transaction is over in
 * milliseconds.
 */
final class Backoff {

    private static final long BASE_MILLIS = 20;
    private static final long MAX_MILLIS = 400;

    private Backoff() {
    }

    /** Sleeps up to 20 ms times 2 to the {@code attempt} (0 first), at most 400 ms. */
    static void pause(int attempt) {
        long ceiling = Math.min(MAX_MILLIS, BASE_MILLIS << Math.min(attempt, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off a transaction conflict", e);
        }
    }
}
