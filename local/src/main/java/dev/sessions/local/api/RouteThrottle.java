package dev.sessions.local.api;

/**
 * API Gateway's throttle of one route: a token bucket of {@code burst} requests, refilled at
 * {@code rate} a second (HTTP API developer guide, "Throttling requests"). A request that finds
 * it empty is answered 429 and reaches no function.
 */
final class RouteThrottle {

    private final double rate;
    private final double burst;
    private double tokens;
    private long lastNanos;

    RouteThrottle(double rate, double burst) {
        this.rate = rate;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = System.nanoTime();
    }

    /** Takes a token for one request. @return false when the route is throttled */
    synchronized boolean admit(long nowNanos) {
        double refill = (nowNanos - lastNanos) / 1e9 * rate;
        tokens = Math.min(burst, tokens + refill);
        lastNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
