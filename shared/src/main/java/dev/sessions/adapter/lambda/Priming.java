package dev.sessions.adapter.lambda;

import java.io.OutputStream;
import java.io.PrintStream;
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

    /** Where warm-ups write: nowhere, so that they add no log lines or metrics. */
    public static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** A well-formed token that no session has: warm-ups read with it. */
    public static final String TOKEN = "primingPrimingPrimingPrimingPrimingPriming0";

    /** What a function runs before a snapshot. */
    @FunctionalInterface
    public interface WarmUp {
        void run() throws Exception;
    }

    private final WarmUp warmUp;

    private Priming(WarmUp warmUp) {
        this.warmUp = warmUp;
    }

    /**
     * Registers {@code warmUp} to run before a snapshot; with {@code PRIME_AT_INIT=true} (the
     * benchmarks') it runs during init as well, to measure locally what a snapshot keeps.
     */
    public static Priming register(WarmUp warmUp) {
        Priming priming = new Priming(warmUp);
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

    private void run() {
        try {
            warmUp.run();
        } catch (Exception failedWarmUp) {
            // a warm-up that fails (a dependency down at deploy time) must not fail the snapshot
        }
    }
}
