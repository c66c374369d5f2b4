package dev.sessions.adapter.lambda;

import dev.sessions.adapter.apigw.CrossSiteCheck;
import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.telemetry.LogSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A function's configuration, from its environment variables (set by template.yaml). A variable
 * that is required and missing, or malformed, fails init with a message naming it: a
 * misconfigured function never serves.
 *
 * @param sessionsTable {@code SESSIONS_TABLE}, or null where the function does not use it
 * @param countersTable {@code COUNTERS_TABLE}, or null where the function does not use it
 * @param idempotencyTable {@code IDEMPOTENCY_TABLE}: where create's idempotency keys are kept;
 *     empty where the function takes none
 * @param policy {@code IDLE_TIMEOUT_SECONDS}, {@code ABSOLUTE_TIMEOUT_SECONDS}, {@code TOUCH_INTERVAL_SECONDS},
 *     {@code MAX_DATA_BYTES}
 * @param maxSessionsPerPrincipal {@code MAX_SESSIONS_PER_PRINCIPAL} (default 0: no limit)
 * @param maxBodyBytes {@code MAX_BODY_BYTES} (default 65536)
 * @param cookie {@code COOKIE_SECURE} (default true; only the local runtime sets false),
 *     {@code COOKIE_SAME_SITE} (Lax, Strict or None; default Lax), {@code COOKIE_DOMAIN} (default none)
 * @param redisUrl {@code REDIS_URL}; empty disables the cache replica
 * @param redisTimeout {@code REDIS_TIMEOUT_MS} (default 250): what a Redis outage can cost a request
 * @param metricsNamespace {@code METRICS_NAMESPACE} (default {@code Sessions})
 * @param counterShards {@code COUNTER_SHARDS} (default 8)
 * @param deadLetterQueueUrl {@code DEAD_LETTER_QUEUE_URL}: where the stream functions set aside
 *     records that can never apply; empty where the function has none
 * @param principalClaim {@code PRINCIPAL_CLAIM}: with a JWT authorizer, the verified claim that is a
 *     new session's principal; empty where principals are what the caller of POST /sessions writes
 * @param logs {@code LOG_LEVEL} (else Lambda's {@code AWS_LAMBDA_LOG_LEVEL}) and {@code LOG_DEBUG_SAMPLE_RATE}
 * @param trustedOrigins {@code TRUSTED_ORIGINS}: the origins (comma-separated, as CorsAllowOrigins
 *     lists them) whose pages may send the session cookie with an unsafe request; {@code *} trusts none
 */
public record FunctionSettings(String sessionsTable, String countersTable, Optional<String> idempotencyTable,
                               SessionPolicy policy, int maxSessionsPerPrincipal, int maxBodyBytes,
                               SessionCookie cookie, Optional<String> redisUrl, Duration redisTimeout,
                               String metricsNamespace, int counterShards, Optional<String> deadLetterQueueUrl,
                               Optional<String> principalClaim, LogSettings logs,
                               CrossSiteCheck trustedOrigins) {

    public static FunctionSettings fromEnvironment(Map<String, String> env) {
        SessionPolicy defaults = SessionPolicy.defaults();
        SessionPolicy policy;
        try {
            policy = new SessionPolicy(
                    Duration.ofSeconds(number(env, "IDLE_TIMEOUT_SECONDS", defaults.idleTimeout().toSeconds())),
                    Duration.ofSeconds(number(env, "ABSOLUTE_TIMEOUT_SECONDS", defaults.absoluteTimeout().toSeconds())),
                    Duration.ofSeconds(number(env, "TOUCH_INTERVAL_SECONDS", defaults.touchInterval().toSeconds())),
                    (int) number(env, "MAX_DATA_BYTES", defaults.maxDataBytes()),
                    defaults.maxDepth(), defaults.maxKeyLength());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("session timeouts or limits out of range: " + e.getMessage(), e);
        }
        long maxSessions = number(env, "MAX_SESSIONS_PER_PRINCIPAL", 0);
        if (maxSessions < 0 || maxSessions > 1000) {
            throw new IllegalStateException("environment variable MAX_SESSIONS_PER_PRINCIPAL must be 0 (no limit) to"
                    + " 1000, not " + maxSessions);
        }
        return new FunctionSettings(
                env.get("SESSIONS_TABLE"),
                env.get("COUNTERS_TABLE"),
                optional(env, "IDEMPOTENCY_TABLE"),
                policy,
                (int) maxSessions,
                (int) number(env, "MAX_BODY_BYTES", 64 * 1024),
                SessionCookie.of(!"false".equalsIgnoreCase(env.getOrDefault("COOKIE_SECURE", "true").trim()),
                        env.getOrDefault("COOKIE_SAME_SITE", ""), env.getOrDefault("COOKIE_DOMAIN", "")),
                optional(env, "REDIS_URL"),
                Duration.ofMillis(number(env, "REDIS_TIMEOUT_MS", 250)),
                env.getOrDefault("METRICS_NAMESPACE", "Sessions"),
                (int) number(env, "COUNTER_SHARDS", 8),
                optional(env, "DEAD_LETTER_QUEUE_URL"),
                optional(env, "PRINCIPAL_CLAIM"),
                LogSettings.fromEnvironment(env),
                CrossSiteCheck.trusting(env.getOrDefault("TRUSTED_ORIGINS", "")));
    }

    /** A variable this function cannot work without. @throws IllegalStateException naming it when unset */
    public static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set (template.yaml sets it)");
        }
        return value;
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        String value = env.getOrDefault(name, "").trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
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
