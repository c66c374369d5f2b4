package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Checks every log line a handler wrote: JSON, the fields operators query, and no secret or session data. */
public final class LogAssertions {

    private static final List<String> ALWAYS = List.of("timestamp", "level", "function");
    /** The levels Lambda reads from a line's {@code level}; any other is taken as INFO. */
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

    private LogAssertions() {
    }

    /**
     * @param text everything the handler wrote
     * @param forbidden values that must appear in no line (tokens, session data)
     */
    public static void assertEveryLineWellFormed(String text, Collection<String> forbidden) {
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> json;
            try {
                json = Json.parseObject(line, 16);
            } catch (JsonException e) {
                fail("a log line is not a JSON object: " + line);
                return;
            }
            for (String field : ALWAYS) {
                assertTrue(json.containsKey(field), field + " missing in " + line);
            }
            // Lambda takes a line without an RFC 3339 timestamp, or with another level, as INFO
            assertTrue(String.valueOf(json.get("timestamp")).matches(
                    "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z"), "not RFC 3339 UTC: " + line);
            assertTrue(LEVELS.contains(json.get("level")), "a level Lambda does not read: " + line);
            if (json.containsKey("message")) {
                // a line of its own within a request (DEBUG, a record set aside): it joins its request by id
                assertTrue(json.containsKey("awsRequestId") || "WARN".equals(json.get("level")),
                        "no Lambda request id in " + line);
                continue;
            }
            assertTrue(json.containsKey("durationMs"), "durationMs missing in " + line);
            assertTrue(json.containsKey("awsRequestId"), "no Lambda request id (awsRequestId) in " + line);
            assertTrue(json.containsKey("route") || json.containsKey("source"), "no route or event source in " + line);
            if (json.containsKey("route")) {
                assertTrue(json.containsKey("apiRequestId"), "an API line without API Gateway's request id: " + line);
            }
            assertFalse(json.containsKey("requestId"), "requestId is ambiguous; lines name awsRequestId and apiRequestId");
            for (String value : forbidden) {
                assertFalse(line.contains(value), "a secret or data value reached the log: " + value);
            }
        }
    }

    /** The sum of a metric's values over every line of {@code text} that carries it (CloudWatch's embedded metric format). */
    public static double metricTotal(String text, String metricName) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.isBlank() || !line.contains("\"" + metricName + "\"")) {
                continue;
            }
            Object value = dev.sessions.json.Json.parseObject(line, 16).get(metricName);
            if (value instanceof java.math.BigDecimal number) {
                total += number.doubleValue();
            }
        }
        return total;
    }
}
