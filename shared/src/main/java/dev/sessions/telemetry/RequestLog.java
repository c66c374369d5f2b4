package dev.sessions.telemetry;

import dev.sessions.json.Json;
import java.io.PrintStream;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one structured log line of a request or batch: level, request id, function, route or event
 * source, status, duration, session id and whatever else the handler adds, and, in CloudWatch's
 * embedded metric format, the metrics it counted. Lambda's JSON log format passes a line that is
 * already JSON through unchanged, so CloudWatch both indexes the fields and extracts the metrics.
 *
 * <p>Never give it a token or session data: it writes what it is given.
 */
public final class RequestLog {

    private final String function;
    private final String namespace;
    private final PrintStream out;
    private final long startedNanos = System.nanoTime();
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Map<Metric, Double> metrics = new EnumMap<>(Metric.class);

    /**
     * @param function the function's role name (a bounded dimension, not its physical name)
     * @param namespace the CloudWatch namespace
     * @param out where the line goes (stdout in Lambda)
     */
    public RequestLog(String function, String namespace, PrintStream out) {
        this.function = function;
        this.namespace = namespace;
        this.out = out;
    }

    /** Adds a field to the line; a null value is left out. */
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

    /** Writes the line: ERROR for a status of 500 and above, else INFO. */
    public void emit(int status) {
        emit(status >= 500 ? "ERROR" : "INFO", status);
    }

    public void emit(String level, Integer status) {
        Map<String, Object> line = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        line.put("time", Instant.ofEpochMilli(now).toString());
        line.put("level", level);
        line.put("function", function);
        line.putAll(fields);
        if (status != null) {
            line.put("status", status);
        }
        line.put("durationMs", Math.round((System.nanoTime() - startedNanos) / 10_000.0) / 100.0);
        if (!metrics.isEmpty()) {
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

    /** The lowest level that prints, from Lambda's ApplicationLogLevel ({@code AWS_LAMBDA_LOG_LEVEL}). */
    public static boolean enabled(String level) {
        String configured = System.getenv("AWS_LAMBDA_LOG_LEVEL");
        return rank(level) >= rank(configured == null ? "INFO" : configured);
    }

    private static int rank(String level) {
        return switch (level.toUpperCase(Locale.ROOT)) {
            case "TRACE" -> 0;
            case "DEBUG" -> 1;
            case "INFO" -> 2;
            case "WARN" -> 3;
            case "ERROR" -> 4;
            case "FATAL" -> 5;
            default -> 2;
        };
    }

    private record RawJson(String json) implements dev.sessions.json.JsonWritable {
        @Override
        public void writeJson(StringBuilder out) {
            out.append(json);
        }
    }
}
