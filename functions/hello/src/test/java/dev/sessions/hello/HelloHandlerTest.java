package dev.sessions.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.EventFiles;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.TestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /hello through the function's stream entry, with the events/ file's bytes as Lambda hands them. */
class HelloHandlerTest {

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final HelloHandler handler = new HelloHandler(new PrintStream(logs, true, StandardCharsets.UTF_8));

    private List<Map<String, Object>> lines() {
        return logs.toString(StandardCharsets.UTF_8).lines().map(line -> Json.parseObject(line, 8)).toList();
    }

    @Test
    void givenHelloEventAsLambdaSendsIt_whenHandled_thenGreetsInPlainText() {
        TestContext context = TestContext.fresh();

        HandlerResponse response = HandlerResponse.parse(Invoke.raw(handler, EventFiles.bytes("hello.json"), context));

        assertEquals(200, response.statusCode());
        assertEquals("text/plain; charset=utf-8", response.header("content-type"));
        assertEquals("Hello, World!", response.body());
        Map<String, Object> line = lines().getFirst();
        assertEquals("INFO", line.get("level"));
        assertEquals("HelloFunction", line.get("function"));
        assertEquals("CwUoTjm7DoEEMsA=", line.get("apiRequestId"), "API Gateway's request id");
        assertEquals(context.awsRequestId(), line.get("awsRequestId"), "Lambda's request id: the key of the REPORT line");
        assertTrue(((String) line.get("traceId")).startsWith("1-"), "the X-Ray trace id: " + line);
        assertEquals("GET /hello", line.get("route"));
        assertTrue(line.containsKey("durationMs"));
    }

    @Test
    void givenTwoRequests_whenHandled_thenOnlyTheEnvironmentsFirstLineIsAColdStart() {
        Invoke.http(handler, ApiEvent.load("hello.json"));
        Invoke.http(handler, ApiEvent.load("hello.json"));

        List<Map<String, Object>> lines = lines();
        assertEquals(Boolean.TRUE, lines.get(0).get("coldStart"));
        assertEquals(1, ((Number) lines.get(0).get("ColdStarts")).intValue(), "the ColdStarts metric: " + lines.get(0));
        assertFalse(lines.get(1).containsKey("coldStart"));
        assertFalse(lines.get(1).containsKey("ColdStarts"));
    }

    @Test
    void givenPost_whenHandled_thenMethodNotAllowedAsProblem() {
        HandlerResponse response = Invoke.http(handler, ApiEvent.load("hello.json").method("POST"));

        assertEquals(405, response.statusCode());
        assertEquals("GET", response.header("allow"));
        assertEquals("application/problem+json", response.header("content-type"));
    }

    @Test
    void givenNoRequestContext_whenHandled_thenStillGreets() {
        assertEquals("Hello, World!", Invoke.http(handler, ApiEvent.parse("{}")).body());
    }
}
