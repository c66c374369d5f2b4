package dev.sessions.local.runtime;

import dev.sessions.local.template.LambdaFunction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The execution environments of one function, and the two limits that bound them, which are not
 * the same thing:
 *
 * <ul>
 *   <li>the function's <em>concurrency</em> ({@link Concurrency}: its reserved concurrency, or the
 *       account's unreserved share), past which Lambda throttles an invocation at once;
 *   <li>the machine's <em>environments</em>: how many JVMs this machine runs for the function. Lambda
 *       would start another environment; here, past them, an invocation waits for one to come free,
 *       as a cold start would make it wait for an init, for at most {@code maxWait}.
 * </ul>
 *
 * Idle environments stay warm until {@link #reapIdle} ends them; a dead one (timeout, crash) is
 * dropped and replaced on demand.
 */
public final class EnvironmentPool implements AutoCloseable {

    private final LambdaFunction function;
    private final Concurrency concurrency;
    private final int environments;
    private final Duration maxWait;
    private final Supplier<ExecutionEnvironment> starter;
    private final Deque<ExecutionEnvironment> idle = new ArrayDeque<>();
    private final List<ExecutionEnvironment> all = new ArrayList<>();
    private int starting;
    private boolean closed;

    /**
     * @param concurrency what throttles the function's invocations
     * @param environments how many JVMs the machine runs for it at most
     * @param maxWait how long an invocation waits for one of them when all are busy
     */
    public EnvironmentPool(LambdaFunction function, Concurrency concurrency, int environments, Duration maxWait,
                           Supplier<ExecutionEnvironment> starter) {
        if (environments < 1) {
            throw new IllegalArgumentException("environments must be at least 1");
        }
        this.function = function;
        this.concurrency = concurrency;
        this.environments = environments;
        this.maxWait = maxWait;
        this.starter = starter;
    }

    /**
     * An environment for one invocation, which the caller gives back with {@link #release}; every
     * environment busy, it waits for one, up to {@code maxWait}.
     *
     * @throws Throttled when the function is at its concurrency: Lambda refuses the invocation
     * @throws EnvironmentsBusy when no environment came free in time: a limit of this machine, not of Lambda
     */
    public Lease acquire() {
        Concurrency.Slot slot = concurrency.take().orElseThrow(() -> new Throttled(function.logicalId(), concurrency));
        try {
            return new Lease(environment(), slot);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    /**
     * An environment serving one invocation, and the share of the function's concurrency it takes.
     */
    public record Lease(ExecutionEnvironment environment, Concurrency.Slot slot) {
    }

    private ExecutionEnvironment environment() {
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("the local runtime is shutting down");
                }
                all.removeIf(env -> !env.isAlive());
                idle.removeIf(env -> !env.isAlive());
                ExecutionEnvironment warm = idle.pollFirst();
                if (warm != null) {
                    return warm;
                }
                if (all.size() + starting < environments) {
                    starting++;
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new EnvironmentsBusy(function.logicalId(), environments, maxWait);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for an environment", e);
                }
            }
        }
        // a JVM starts outside the lock: the others' releases and starts go on meanwhile
        ExecutionEnvironment fresh = null;
        try {
            fresh = starter.get();
            return fresh;
        } finally {
            synchronized (this) {
                starting--;
                if (fresh != null) {
                    all.add(fresh);
                }
                notifyAll();
            }
        }
    }

    /** Gives an environment back, with the invocation's concurrency: kept warm if alive, dropped if not. */
    public void release(Lease lease) {
        lease.slot().close();
        ExecutionEnvironment environment = lease.environment();
        synchronized (this) {
            if (environment.isAlive() && !closed) {
                idle.addFirst(environment); // the most recently used first: the others can be reaped
            } else {
                all.remove(environment);
                environment.close();
            }
            notifyAll();
        }
    }

    /** Ends environments idle for longer than {@code maxIdle}. */
    public void reapIdle(Duration maxIdle) {
        endIdle(maxIdle.toNanos());
    }

    /** Ends every idle environment. @return how many ended */
    public int endIdle() {
        return endIdle(-1);
    }

    private int endIdle(long maxIdleNanos) {
        List<ExecutionEnvironment> expired = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            idle.removeIf(env -> {
                boolean old = now - env.lastUsedNanos() > maxIdleNanos || !env.isAlive();
                if (old) {
                    expired.add(env);
                    all.remove(env);
                }
                return old;
            });
        }
        expired.forEach(ExecutionEnvironment::close);
        return expired.size();
    }

    /** How many environments exist (busy or idle). */
    public synchronized int size() {
        all.removeIf(env -> !env.isAlive());
        return all.size();
    }

    /** How many environments are serving an invocation now. */
    public synchronized int busy() {
        return all.size() - idle.size();
    }

    /** How many JVMs the machine runs for the function at most. */
    public int environments() {
        return environments;
    }

    @Override
    public void close() {
        List<ExecutionEnvironment> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(all);
            all.clear();
            idle.clear();
            notifyAll();
        }
        toClose.forEach(ExecutionEnvironment::close);
    }

    /** The function is at its concurrency: Lambda throttles the invocation. */
    public static final class Throttled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient Concurrency concurrency;

        Throttled(String function, Concurrency concurrency) {
            super(function + " is at its concurrency (" + concurrency.describe() + ")");
            this.concurrency = concurrency;
        }

        /** Lambda's reason: the function's reserved concurrency, or the account's. */
        public String reason() {
            return concurrency.throttleReason();
        }
    }

    /** Every environment this machine runs for the function stayed busy past the wait: a local limit. */
    public static final class EnvironmentsBusy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EnvironmentsBusy(String function, int environments, Duration waited) {
            super("the " + environments + " local environments of " + function + " stayed busy for "
                    + waited.toSeconds() + " s: a limit of this machine, not Lambda's (--max-environments raises it)");
        }
    }
}
