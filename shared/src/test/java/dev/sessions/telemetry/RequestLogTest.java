package dev.sessions.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request line as Lambda's log-level filter reads it, at every level. */
class RequestLogTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RequestLog log(String level) {
        return new RequestLog("SessionsFunction", "Sessions", new PrintStream(out, true, StandardCharsets.UTF_8),
                new LogSettings(level, 0), false).context("awsRequestId", "r-1");
    }

    private List<Map<String, Object>> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().map(line -> Json.parseObject(line, 16)).toList();
    }

    @Test
    void givenALevelAboveInfo_whenARequestWithMetricsEnds_thenItsMetricsStillGoOutOnAnInfoLine() {
        log("WARN").field("route", "GET /").field("sessionId", "s").count(Metric.COLD_STARTS).emit(200);

        Map<String, Object> line = lines().getFirst();
        assertEquals(1, lines().size());
        assertEquals("INFO", line.get("level"), "Lambda's filter sits at INFO or below (template.yaml)");
        assertEquals("metrics", line.get("message"));
        assertTrue(line.containsKey("_aws"), "the embedded metrics: " + line);
        assertEquals(java.math.BigDecimal.ONE, line.get("ColdStarts"));
        assertFalse(line.containsKey("sessionId") || line.containsKey("route"), "the request's own fields stay out");
    }

    @Test
    void givenALevelAboveInfo_whenARequestWithoutMetricsEndsOrAnErrorIsWritten_thenNothingOrTheWholeError() {
        log("WARN").field("route", "GET /").emit(200);
        log("WARN").field("route", "GET /").emit(500);
        log("ERROR").line("WARN", "dropped");

        assertEquals(1, lines().size());
        assertEquals("ERROR", lines().getFirst().get("level"));
        assertEquals("GET /", lines().getFirst().get("route"));
    }

    @Test
    void givenAnyLine_whenWritten_thenItStartsWithAnRfc3339TimestampAndALevelAsLambdaReadsThem() {
        log("INFO").emit(200);

        Map<String, Object> line = lines().getFirst();
        assertEquals(List.of("timestamp", "level"), line.keySet().stream().limit(2).toList());
        assertTrue(String.valueOf(line.get("timestamp")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z"));
    }
}
