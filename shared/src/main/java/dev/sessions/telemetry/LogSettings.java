package dev.sessions.telemetry;

import java.util.Locale;
import java.util.Map;

/**
 * How much a function logs: its level, and the share of requests whose DEBUG lines are written
 * whatever the level (sampling, as Powertools for AWS Lambda samples).
 *
 * @param level the lowest level written: TRACE, DEBUG, INFO, WARN, ERROR or FATAL
 * @param debugSampleRate 0 to 1: the share of requests logged at DEBUG regardless of {@code level}
 */
public record LogSettings(String level, double debugSampleRate) {

    public static final LogSettings INFO = new LogSettings("INFO", 0);

    public LogSettings {
        level = level == null || level.isBlank() ? "INFO" : level.trim().toUpperCase(Locale.ROOT);
        if (rank(level) < 0) {
            throw new IllegalStateException("log level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL, not " + level);
        }
        if (!(debugSampleRate >= 0 && debugSampleRate <= 1)) {
            throw new IllegalStateException("LOG_DEBUG_SAMPLE_RATE must be from 0 to 1, not " + debugSampleRate);
        }
    }

    /**
     * From a function's environment: {@code LOG_LEVEL} (the template's LogLevel), else Lambda's
     * {@code AWS_LAMBDA_LOG_LEVEL}, else INFO; {@code LOG_DEBUG_SAMPLE_RATE}, else 0.
     */
    public static LogSettings fromEnvironment(Map<String, String> env) {
        String level = env.getOrDefault("LOG_LEVEL", "");
        if (level.isBlank()) {
            level = env.getOrDefault("AWS_LAMBDA_LOG_LEVEL", "INFO");
        }
        String rate = env.getOrDefault("LOG_DEBUG_SAMPLE_RATE", "").trim();
        try {
            return new LogSettings(level, rate.isEmpty() ? 0 : Double.parseDouble(rate));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("LOG_DEBUG_SAMPLE_RATE must be a number from 0 to 1, not " + rate);
        }
    }

    /** Whether lines of {@code lineLevel} are written at this level. */
    public boolean allows(String lineLevel) {
        return rank(lineLevel.toUpperCase(Locale.ROOT)) >= rank(level);
    }

    /**
     * Whether a request's DEBUG lines are written: by level, or because it falls in the sample.
     * The sample is decided by the request's id, not a random draw, so that it is the same on
     * every line of a request and no random state is shared by SnapStart's restored copies.
     */
    public boolean debugFor(String requestId) {
        if (allows("DEBUG")) {
            return true;
        }
        if (debugSampleRate <= 0 || requestId == null) {
            return false;
        }
        return Math.floorMod(requestId.hashCode() * 0x9E3779B9, 10_000) < debugSampleRate * 10_000;
    }

    private static int rank(String level) {
        return switch (level) {
            case "TRACE" -> 0;
            case "DEBUG" -> 1;
            case "INFO" -> 2;
            case "WARN" -> 3;
            case "ERROR" -> 4;
            case "FATAL" -> 5;
            default -> -1;
        };
    }
}
