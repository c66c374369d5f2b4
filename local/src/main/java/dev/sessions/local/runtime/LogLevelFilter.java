package dev.sessions.local.runtime;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.template.LambdaFunction;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which of a function's lines reach its log, as Lambda decides it for the JSON log format
 * (Lambda docs, "Log-level filtering"): an application line is dropped below
 * {@code ApplicationLogLevel}, a platform line below {@code SystemLogLevel}. An application line is
 * read for its {@code level}; a line that is not a JSON object, has no valid level, or has no
 * valid RFC 3339 {@code timestamp} counts as INFO. Platform lines ({@code platform.start},
 * {@code runtimeDone}, {@code report}) are INFO. With the text log format nothing is filtered.
 *
 * @param application the lowest application level written, or {@code null} for all
 * @param system the lowest platform level written, or {@code null} for all
 */
public record LogLevelFilter(String application, String system) {

    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

    /** Lambda's defaults for the JSON format are INFO for both. */
    public static LogLevelFilter of(LambdaFunction function) {
        if (!"JSON".equalsIgnoreCase(function.logFormat())) {
            return new LogLevelFilter(null, null);
        }
        return new LogLevelFilter(level(function.applicationLogLevel(), "INFO"), level(function.systemLogLevel(), "INFO"));
    }

    /** Whether an application line the function wrote is kept. */
    public boolean keeps(String line) {
        return application == null || rank(levelOf(line)) >= rank(application);
    }

    /** Whether a platform line of {@code level} is kept. */
    public boolean keepsPlatform(String level) {
        return system == null || rank(level) >= rank(system);
    }

    /** The level Lambda reads from a line. */
    static String levelOf(String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("{")) {
            return "INFO";
        }
        Map<String, Object> json;
        try {
            json = Json.parseObject(trimmed, 64);
        } catch (JsonException notJson) {
            return "INFO";
        }
        if (!(json.get("timestamp") instanceof String timestamp) || !isRfc3339(timestamp)) {
            return "INFO";
        }
        String level = json.get("level") instanceof String text ? text.toUpperCase(Locale.ROOT) : "";
        return LEVELS.contains(level) ? level : "INFO";
    }

    private static boolean isRfc3339(String timestamp) {
        try {
            OffsetDateTime.parse(timestamp);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String level(String configured, String fallback) {
        return configured == null ? fallback : configured.toUpperCase(Locale.ROOT);
    }

    private static int rank(String level) {
        return LEVELS.indexOf(level);
    }
}
