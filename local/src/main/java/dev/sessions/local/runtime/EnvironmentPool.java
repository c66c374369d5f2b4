package dev.sessions.local.runtime;

import dev.sessions.local.template.LambdaFunction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The execution environments of one function. An invocation takes an idle one or, below the
 * limit, starts another; at the limit it is refused at once, as Lambda throttles an invocation
 * past the function's concurrency (its reserved concurrency, or the local limit). Idle
 * environments stay warm until {@link #reapIdle} ends them; a dead one (timeout, crash) is dropped
 * and replaced on demand.
 */
public final class EnvironmentPool implements AutoCloseable {

    private final LambdaFunction function;
    private final int limit;
    private final Supplier<ExecutionEnvironment> starter;
    private final Deque<ExecutionEnvironment> idle = new ArrayDeque<>();
    private final List<ExecutionEnvironment> all = new ArrayList<>();
    private boolean closed;

    public EnvironmentPool(LambdaFunction function, int limit, Supplier<ExecutionEnvironment> starter) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.function = function;
        this.limit = limit;
        this.starter = starter;
    }

    /**
     * An environment for one invocation, which the caller gives back with {@link #release}.
     *
     * @throws PoolExhausted when every environment the limit allows is busy: the invocation is throttled
     */
    public ExecutionEnvironment acquire() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the local runtime is shutting down");
            }
            all.removeIf(env -> !env.isAlive());
            idle.removeIf(env -> !env.isAlive());
            ExecutionEnvironment warm = idle.pollFirst();
            if (warm != null) {
                return warm;
            }
            if (all.size() >= limit) {
                throw new PoolExhausted(function.logicalId(), limit);
            }
            ExecutionEnvironment fresh = starter.get();
            all.add(fresh);
            return fresh;
        }
    }

    /** Gives an environment back: kept warm if alive, dropped if not. */
    public synchronized void release(ExecutionEnvironment environment) {
        if (environment.isAlive() && !closed) {
            idle.addFirst(environment); // the most recently used first: the others can be reaped
        } else {
            all.remove(environment);
            environment.close();
        }
        notifyAll();
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

    public int limit() {
        return limit;
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

    /** Every environment the limit allows is busy: Lambda throttles the invocation. */
    public static final class PoolExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PoolExhausted(String function, int limit) {
            super(function + " is at its concurrency limit (" + limit + " busy environments)");
        }
    }
}
