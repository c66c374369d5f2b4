package dev.sessions.sync;

import dev.sessions.domain.CacheReplica;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;

/** Builds the sync handler with explicit parts, for the throughput benchmark (its constructor is package-private). */
public final class SyncBenchAccess {

    private SyncBenchAccess() {
    }

    public static SessionSyncHandler handler(CacheReplica cache, Clock clock) {
        return new SessionSyncHandler(cache, clock, "Sessions", new PrintStream(OutputStream.nullOutputStream()));
    }
}
