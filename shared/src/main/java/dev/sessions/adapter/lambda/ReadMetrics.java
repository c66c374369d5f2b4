package dev.sessions.adapter.lambda;

import dev.sessions.domain.SessionService;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;

/**
 * What a session read tells the metrics, the same for every function that reads one ({@code GET
 * /sessions/current}, the session authorizer): where it was served from (CacheHits, CacheMisses,
 * CacheErrors when the replica could not be reached) and a failed touch (TouchFailures: the read
 * stands, its idle window did not slide).
 */
public final class ReadMetrics {

    private ReadMetrics() {
    }

    public static void count(SessionService.CacheLookup lookup, StoreUnavailable touchFailure, RequestLog log) {
        switch (lookup) {
            case HIT -> log.count(Metric.CACHE_HITS);
            case MISS, EXPIRED_COPY -> log.count(Metric.CACHE_MISSES);
            case UNAVAILABLE -> log.count(Metric.CACHE_MISSES).count(Metric.CACHE_ERRORS);
            case NOT_ASKED -> { }
        }
        if (touchFailure != null) {
            log.count(Metric.TOUCH_FAILURES).field("touchError", touchFailure.getMessage());
        }
    }

    /** The same for a read of the session service, with a DEBUG line of where it came from and whether it slid. */
    public static void count(SessionService.Read read, RequestLog log) {
        count(read.lookup(), read.touchFailure(), log);
        log.debug("read", "cacheLookup", read.lookup().name(), "slid", read.slid());
    }
}
