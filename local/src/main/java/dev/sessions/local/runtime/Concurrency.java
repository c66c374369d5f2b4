package dev.sessions.local.runtime;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many invocations may run at once before Lambda throttles the next: a function's reserved
 * concurrency ({@code ReservedConcurrentExecutions}), or, for every function without one, the
 * account's concurrency less what the others reserve, which they share (Lambda's default account
 * limit is 1,000). The machine's limit on JVMs is another thing ({@link EnvironmentPool}).
 */
public final class Concurrency {

    /** Lambda's default concurrency of an account in a region. */
    public static final int DEFAULT_ACCOUNT_LIMIT = 1000;

    private final int limit;
    private final String description;
    private final String throttleReason;
    private final AtomicInteger inUse = new AtomicInteger();

    private Concurrency(int limit, String description, String throttleReason) {
        if (limit < 0) {
            throw new IllegalArgumentException("a concurrency limit is 0 or more, not " + limit);
        }
        this.limit = limit;
        this.description = description;
        this.throttleReason = throttleReason;
    }

    /** A function's own reserved concurrency (0 stops every invocation, as on Lambda). */
    public static Concurrency reserved(int limit) {
        return new Concurrency(limit, "ReservedConcurrentExecutions " + limit,
                "ReservedFunctionConcurrentInvocationLimitExceeded");
    }

    /** The account's unreserved concurrency, shared by every function without a reservation. */
    public static Concurrency unreserved(int accountLimit, int reservedByOthers) {
        return new Concurrency(Math.max(0, accountLimit - reservedByOthers), "the account's " + accountLimit
                + (reservedByOthers > 0 ? " less " + reservedByOthers + " reserved" : ""),
                "ConcurrentInvocationLimitExceeded");
    }

    /** A slot for one invocation, or empty when every slot is taken: the invocation is throttled. */
    public Optional<Slot> take() {
        while (true) {
            int now = inUse.get();
            if (now >= limit) {
                return Optional.empty();
            }
            if (inUse.compareAndSet(now, now + 1)) {
                return Optional.of(new Slot(this));
            }
        }
    }

    /** How many invocations hold a slot now. */
    public int inUse() {
        return inUse.get();
    }

    public int limit() {
        return limit;
    }

    String describe() {
        return description;
    }

    /** The {@code Reason} of Lambda's {@code TooManyRequestsException} for this limit. */
    String throttleReason() {
        return throttleReason;
    }

    /** One invocation's share; closing it (once, whatever happens) frees it. */
    public static final class Slot implements AutoCloseable {
        private final Concurrency owner;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Slot(Concurrency owner) {
            this.owner = owner;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                owner.inUse.decrementAndGet();
            }
        }
    }
}
