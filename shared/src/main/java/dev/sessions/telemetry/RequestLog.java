package dev.sessions.telemetry;

import dev.sessions.json.Json;
import dev.sessions.json.JsonWritable;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one structured log line of a request or batch: level, ids, function, route or event source,
 * status, duration, session id and whatever else the handler adds, and, in CloudWatch's embedded
 * metric format, the metrics it counted. Lambda's JSON log format passes a line that is already
 * JSON through unchanged, so CloudWatch both indexes the fields and extracts the metrics. DEBUG
 * lines, when the request's level allows them, are written as they happen and carry the same ids.
 *
 * <p>Every line starts with the two keys Lambda reads from it (monitoring-cloudwatchlogs-log-level):
 * {@code timestamp} in RFC 3339 (a line without a valid one is taken as INFO, whatever its level)
 * and {@code level}. Lines below the function's level are not written, with one exception: the
 * metrics of a request whose line is below it go out on a line of their own at INFO, so that they
 * reach CloudWatch at every level (the template keeps Lambda's own filter at INFO or below).
 *
 * <p>Never give it a token or session data: it writes what it is given. Exception messages in a
 * {@code stack} are scrubbed of anything shaped like a token all the same.
 */
public final class RequestLog {

    /** The most frames a stack field keeps, causes included. */
    static final int MAX_FRAMES = 40;
    /** The most characters a stack field keeps. */
    static final int MAX_STACK_CHARS = 4000;
    /** 43 base64url characters: a token, or a session id. */
    private static final Pattern TOKEN_SHAPED = Pattern.compile("(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])");

    private final String function;
    private final String namespace;
    private final PrintStream out;
    private final LogSettings settings;
    private final boolean debug;
    private final long startedNanos = System.nanoTime();
    private final Map<String, Object> context = new LinkedHashMap<>();
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Map<Metric, Double> metrics = new EnumMap<>(Metric.class);

    /**
     * A log at INFO: no DEBUG lines.
     *
     * @param function the function's role name (a bounded dimension, not its physical name)
     * @param namespace the CloudWatch namespace
     * @param out where the line goes (stdout in Lambda)
     */
    public RequestLog(String function, String namespace, PrintStream out) {
        this(function, namespace, out, LogSettings.INFO, false);
    }

    /**
     * @param settings the function's level: lines below it are not written (their metrics are)
     * @param debug whether this request writes its DEBUG lines ({@link LogSettings#debugFor})
     */
    public RequestLog(String function, String namespace, PrintStream out, LogSettings settings, boolean debug) {
        this.function = function;
        this.namespace = namespace;
        this.out = out;
        this.settings = settings;
        this.debug = debug;
    }

    /** Adds a field that every line of the request carries (its ids); a null value is left out. */
    public RequestLog context(String name, Object value) {
        if (value != null) {
            context.put(name, value);
        }
        return this;
    }

    /** Adds a field to the request's line; a null value is left out. */
    public RequestLog field(String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
        return this;
    }

    /** Counts one of {@code metric}. */
    public RequestLog count(Metric metric) {
        return add(metric, 1);
    }

    /** Adds {@code value} to {@code metric} (a count, or milliseconds for a duration). */
    public RequestLog add(Metric metric, double value) {
        metrics.merge(metric, value, Double::sum);
        return this;
    }

    /** Records the largest {@code value} seen for {@code metric}, as for a lag. */
    public RequestLog max(Metric metric, double value) {
        metrics.merge(metric, value, Math::max);
        return this;
    }

    public double metric(Metric metric) {
        return metrics.getOrDefault(metric, 0.0);
    }

    /** Whether DEBUG lines are written for this request: check before building an expensive one. */
    public boolean debugEnabled() {
        return debug;
    }

    /**
     * Writes a DEBUG line now, if this request's level allows it.
     *
     * @param message what was decided
     * @param keysAndValues pairs of field name and value
     */
    public void debug(String message, Object... keysAndValues) {
        if (debug) {
            line("DEBUG", message, keysAndValues);
        }
    }

    /**
     * Writes a line of its own now, besides the request's line: for an event within a request
     * that an operator must see by itself (a record set aside).
     *
     * @param keysAndValues pairs of field name and value
     */
    public void line(String level, String message, Object... keysAndValues) {
        if (!level.equals("DEBUG") && !settings.allows(level)) {
            return;
        }
        Map<String, Object> line = start(level, System.currentTimeMillis());
        line.put("message", message);
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                line.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        out.println(Json.write(line));
    }

    /** Puts a failure on the line: {@code error} (type and message) and a bounded {@code stack}. */
    public RequestLog failure(Throwable failure) {
        field("error", scrub(failure.getClass().getName() + ": " + failure.getMessage()));
        fields.put("stack", stackOf(failure));
        return this;
    }

    /** Writes the line: ERROR for a status of 500 and above, else INFO. */
    public void emit(int status) {
        emit(status >= 500 ? "ERROR" : "INFO", status);
    }

    public void emit(String level, Integer status) {
        long now = System.currentTimeMillis();
        boolean wanted = settings.allows(level);
        if (!wanted && (metrics.isEmpty() || namespace == null)) {
            return;
        }
        Map<String, Object> line;
        if (wanted) {
            line = start(level, now);
            line.putAll(fields);
            if (status != null) {
                line.put("status", status);
            }
            line.put("durationMs", Math.round((System.nanoTime() - startedNanos) / 10_000.0) / 100.0);
        } else {
            // below the function's level: the request's metrics alone, on a line Lambda lets through
            line = start("INFO", now);
            line.put("message", "metrics");
        }
        if (!metrics.isEmpty() && namespace != null) {
            StringBuilder declared = new StringBuilder();
            for (Metric metric : metrics.keySet()) {
                if (!declared.isEmpty()) {
                    declared.append(',');
                }
                declared.append("{\"Name\":\"").append(metric.metricName()).append("\",\"Unit\":\"")
                        .append(metric.unit()).append("\"}");
            }
            line.put("_aws", new RawJson("{\"Timestamp\":" + now + ",\"CloudWatchMetrics\":[{\"Namespace\":"
                    + Json.write(namespace) + ",\"Dimensions\":[[\"Function\"]],\"Metrics\":[" + declared + "]}]}"));
            line.put("Function", function);
            metrics.forEach((metric, value) -> line.put(metric.metricName(),
                    value == Math.rint(value) ? (Object) value.longValue() : (Object) value));
        }
        out.println(Json.write(line));
    }

    /** What every line begins with: timestamp, level, function and the request's ids. */
    private Map<String, Object> start(String level, long epochMillis) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.ofEpochMilli(epochMillis).toString()); // RFC 3339, as Lambda reads it
        line.put("level", level);
        line.put("function", function);
        line.putAll(context);
        return line;
    }

    /** The frames of {@code failure} and its causes, at most {@link #MAX_FRAMES} and {@link #MAX_STACK_CHARS}. */
    static List<String> stackOf(Throwable failure) {
        List<String> frames = new ArrayList<>();
        int chars = 0;
        for (Throwable t = failure; t != null && frames.size() < MAX_FRAMES; t = t.getCause() == t ? null : t.getCause()) {
            if (t != failure) {
                String cause = scrub("Caused by: " + t.getClass().getName() + ": " + t.getMessage());
                frames.add(cause);
                chars += cause.length();
            }
            for (StackTraceElement element : t.getStackTrace()) {
                String frame = element.toString();
                if (frames.size() >= MAX_FRAMES || chars + frame.length() > MAX_STACK_CHARS) {
                    frames.add("...");
                    return frames;
                }
                frames.add(frame);
                chars += frame.length();
            }
        }
        return frames;
    }

    /** Replaces anything shaped like a token (or a session id) with {@code [redacted]}. */
    static String scrub(String text) {
        return text == null ? null : TOKEN_SHAPED.matcher(text).replaceAll("[redacted]");
    }

    private record RawJson(String json) implements JsonWritable {
        @Override
        public void writeJson(StringBuilder out) {
            out.append(json);
        }
    }
}
