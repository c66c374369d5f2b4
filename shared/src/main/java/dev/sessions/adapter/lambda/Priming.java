package dev.sessions.adapter.lambda;

import dev.sessions.telemetry.FunctionLog;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Warms a function's code paths before SnapStart takes its snapshot ({@code beforeCheckpoint}),
 * so that classes are loaded, the SDK client is built and JIT-compiled paths are in the snapshot,
 * not in the first request after a restore.
 *
 * <p>A warm-up must have no side effect on real data: it reads (an item that does not exist, an
 * empty index query), never writes; and it draws no token, seed or random bytes, which every
 * restored environment would otherwise share. Connections it opens are broken after a restore;
 * the SDK and {@code RedisConnection} reconnect.
 *
 * <p>Keep the returned instance in a field: CRaC holds resources weakly.
 */
public final class Priming implements Resource {

    /** A well-formed token that no session has: warm-ups read with it. */
    public static final String TOKEN = "primingPrimingPrimingPrimingPrimingPriming0";

    /** What a function runs before a snapshot. */
    @FunctionalInterface
    public interface WarmUp {
        void run() throws Exception;
    }

    private final FunctionLog logs;
    private final WarmUp warmUp;

    private Priming(FunctionLog logs, WarmUp warmUp) {
        this.logs = logs;
        this.warmUp = warmUp;
    }

    /**
     * Registers {@code warmUp} to run before a snapshot; with {@code PRIME_AT_INIT=true} (the
     * benchmarks') it runs during init as well, to measure locally what a snapshot keeps.
     *
     * @param logs the function's log, for the WARN line of a warm-up that fails
     */
    public static Priming register(FunctionLog logs, WarmUp warmUp) {
        Priming priming = new Priming(logs, warmUp);
        Core.getGlobalContext().register(priming);
        if ("true".equals(System.getenv("PRIME_AT_INIT"))) {
            priming.run();
        }
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        run();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to restore: clients reconnect on first use
    }

    /** Runs the warm-up now, as a snapshot would (tests check it writes nothing). */
    public void warmUp() {
        run();
    }

    /**
     * Runs the warm-up. One that fails (a dependency down at deploy time, a missing permission)
     * must not fail the snapshot, but must not go unseen either: it writes one WARN line naming
     * the function and the error, whose message is scrubbed of anything shaped like a token.
     */
    private void run() {
        try {
            warmUp.run();
        } catch (Exception failedWarmUp) {
            logs.warn("warm-up failed; the snapshot holds a colder path", failedWarmUp);
        }
    }
}
