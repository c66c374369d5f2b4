package dev.sessions.adapter.lambda;

import dev.sessions.domain.SessionPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A function's configuration, from its environment variables (set by template.yaml). A variable
 * that is required and missing, or not a number, fails init with a message naming it: a
 * misconfigured function never serves.
 *
 * @param sessionsTable {@code SESSIONS_TABLE}, or null where the function does not use it
 * @param countersTable {@code COUNTERS_TABLE}, or null where the function does not use it
 * @param policy {@code IDLE_TIMEOUT_SECONDS}, {@code ABSOLUTE_TIMEOUT_SECONDS}, {@code TOUCH_INTERVAL_SECONDS},
 *     {@code MAX_DATA_BYTES}
 * @param maxBodyBytes {@code MAX_BODY_BYTES} (default 65536)
 * @param secureCookies {@code COOKIE_SECURE} (default true; only the local runtime sets false)
 * @param redisUrl {@code REDIS_URL}; empty disables the cache replica
 * @param redisTimeout {@code REDIS_TIMEOUT_MS} (default 250): what a Redis outage can cost a request
 * @param metricsNamespace {@code METRICS_NAMESPACE} (default {@code Sessions})
 * @param counterShards {@code COUNTER_SHARDS} (default 8)
 */
public record FunctionSettings(String sessionsTable, String countersTable, SessionPolicy policy, int maxBodyBytes,
                               boolean secureCookies, Optional<String> redisUrl, Duration redisTimeout,
                               String metricsNamespace, int counterShards) {

    public static FunctionSettings fromEnvironment(Map<String, String> env) {
        SessionPolicy defaults = SessionPolicy.defaults();
        SessionPolicy policy = new SessionPolicy(
                Duration.ofSeconds(number(env, "IDLE_TIMEOUT_SECONDS", defaults.idleTimeout().toSeconds())),
                Duration.ofSeconds(number(env, "ABSOLUTE_TIMEOUT_SECONDS", defaults.absoluteTimeout().toSeconds())),
                Duration.ofSeconds(number(env, "TOUCH_INTERVAL_SECONDS", defaults.touchInterval().toSeconds())),
                (int) number(env, "MAX_DATA_BYTES", defaults.maxDataBytes()),
                defaults.maxDepth(), defaults.maxKeyLength());
        String redis = env.getOrDefault("REDIS_URL", "").trim();
        return new FunctionSettings(
                env.get("SESSIONS_TABLE"),
                env.get("COUNTERS_TABLE"),
                policy,
                (int) number(env, "MAX_BODY_BYTES", 64 * 1024),
                !"false".equalsIgnoreCase(env.getOrDefault("COOKIE_SECURE", "true").trim()),
                redis.isEmpty() ? Optional.empty() : Optional.of(redis),
                Duration.ofMillis(number(env, "REDIS_TIMEOUT_MS", 250)),
                env.getOrDefault("METRICS_NAMESPACE", "Sessions"),
                (int) number(env, "COUNTER_SHARDS", 8));
    }

    /** A variable this function cannot work without. @throws IllegalStateException naming it when unset */
    public static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set (template.yaml sets it)");
        }
        return value;
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a whole number, not " + value);
        }
    }
}
