package dev.sessions.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition with a bound, instead of sleeping for a guessed time. */
public final class Poll {

    private static final long PAUSE_MILLIS = 20;

    private Poll() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} after {@code limit}. */
    public static void until(Duration limit, String what, BooleanSupplier condition) {
        until(limit, what, condition::getAsBoolean, ok -> ok);
    }

    /** Returns the first value of {@code probe} that {@code accept}s; fails with {@code what} after {@code limit}. */
    public static <T> T until(Duration limit, String what, Supplier<T> probe, Predicate<? super T> accept) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = null;
        while (true) {
            last = probe.get();
            if (accept.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(PAUSE_MILLIS); // pause between probes of a condition that is checked each round
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** The first answer {@code request} gets, sent again while nothing listens yet; fails after {@code limit}. */
    public static HttpResponse<String> answer(Duration limit, String what, HttpClient http, HttpRequest request) {
        return until(limit, what, () -> {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (Exception notYet) {
                return null;
            }
        }, response -> response != null);
    }
}
