package dev.sessions.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.fixtures.Gate;
import dev.sessions.local.runtime.LocalLambda;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** start-api's HTTP front over real HTTP: payload format 2.0 in, API Gateway's mapping out. */
class HttpApiGatewayIT {

    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalLambda lambda;
    private static HttpApiGateway gateway;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        lambda = FixtureArtifacts.lambda("runtime.yaml", Map.of(), dir, "Responder", "Sleepy", "Slow", "Reserved",
                "Throwing");
        gateway = new HttpApiGateway(lambda, lambda.template().routes(), "127.0.0.1", 0,
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        lambda.close();
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30));
    }

    private static Map<?, ?> echoedEvent(HttpRequest.Builder request) throws Exception {
        HttpResponse<byte[]> response = send(request);
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return (Map<?, ?>) Json.parse(new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void givenRequest_whenRouted_thenEventHasPayloadFormatTwoFields() throws Exception {
        Map<?, ?> event = echoedEvent(request("/items/a%20b?x=1&x=2&y=%C3%A9&flag")
                .header("Cookie", "sid=abc; theme=dark").header("X-Multi", "one").header("User-Agent", "tests/1"));

        assertEquals("2.0", event.get("version"));
        assertEquals("GET /items/{id}", event.get("routeKey"));
        assertEquals("/items/a%20b", event.get("rawPath"));
        assertEquals("x=1&x=2&y=%C3%A9&flag", event.get("rawQueryString"));
        assertEquals(Map.of("x", "1,2", "y", "é", "flag", ""), event.get("queryStringParameters"));
        assertEquals(Map.of("id", "a b"), event.get("pathParameters"));
        assertEquals(List.of("sid=abc", "theme=dark"), event.get("cookies"));
        Map<?, ?> headers = (Map<?, ?>) event.get("headers");
        assertEquals("one", headers.get("x-multi"));
        assertFalse(headers.containsKey("cookie"), "cookies travel in their own field");
        assertTrue(headers.keySet().stream().allMatch(k -> k.equals(k.toString().toLowerCase())), "lower-cased");
        Map<?, ?> context = (Map<?, ?>) event.get("requestContext");
        Map<?, ?> http = (Map<?, ?>) context.get("http");
        assertEquals("GET", http.get("method"));
        assertEquals("/items/a b", http.get("path"));
        assertEquals("127.0.0.1", http.get("sourceIp"));
        assertEquals("tests/1", http.get("userAgent"));
        assertEquals("$default", context.get("stage"));
        assertTrue(((BigDecimal) context.get("timeEpoch")).longValue() > 1_700_000_000_000L, "milliseconds");
        assertTrue(context.get("time").toString().matches("\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000"));
        assertFalse(context.get("requestId").toString().isEmpty());
        assertEquals(Boolean.FALSE, event.get("isBase64Encoded"));
    }

    @Test
    void givenTwoRequests_whenRouted_thenEachHasItsOwnRequestIdAndTime() throws Exception {
        Map<?, ?> first = (Map<?, ?>) echoedEvent(request("/items/1")).get("requestContext");
        Map<?, ?> second = (Map<?, ?>) echoedEvent(request("/items/1")).get("requestContext");

        assertFalse(first.get("requestId").equals(second.get("requestId")));
        assertTrue(((BigDecimal) second.get("timeEpoch")).compareTo((BigDecimal) first.get("timeEpoch")) >= 0);
    }

    @Test
    void givenBinaryAndTextBodies_whenRouted_thenBinaryIsBase64AndTextIsNot() throws Exception {
        byte[] binary = {(byte) 0xff, 0, 1, (byte) 0xfe};
        Map<?, ?> withBinary = echoedEvent(request("/upload").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(binary)));
        Map<?, ?> withText = echoedEvent(request("/upload").header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"é\":1}")));
        Map<?, ?> invalidUtf8 = echoedEvent(request("/upload").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'a', (byte) 0xc3})));

        assertEquals(Boolean.TRUE, withBinary.get("isBase64Encoded"));
        assertEquals(Base64.getEncoder().encodeToString(binary), withBinary.get("body"));
        assertEquals(Boolean.FALSE, withText.get("isBase64Encoded"));
        assertEquals("{\"é\":1}", withText.get("body"));
        assertEquals(Boolean.TRUE, invalidUtf8.get("isBase64Encoded"), "text that is not UTF-8 cannot travel as text");
    }

    @Test
    void givenABodySentChunked_whenRouted_thenReadWholeAsApiGatewayReadsItAndLimitedTheSame() throws Exception {
        String chunked = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n7\r\n{\"a\":1,\r\n6\r\n\"b\":2}\r\n0\r\n\r\n";

        String answer = rawExchange(chunked.getBytes(StandardCharsets.US_ASCII));

        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        Map<?, ?> event = (Map<?, ?>) Json.parse(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals("{\"a\":1,\"b\":2}", event.get("body"));
        assertFalse(((Map<?, ?>) event.get("headers")).containsKey("transfer-encoding"),
                "how the body travelled is the connection's business, not the integration's");

        byte[] chunk = new byte[1024 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        java.io.ByteArrayOutputStream big = new java.io.ByteArrayOutputStream();
        big.write(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 7; i++) {
            big.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            big.write(chunk);
            big.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        big.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(rawExchange(big.toByteArray()).startsWith("HTTP/1.1 413"), "7 MB chunked: over Lambda's 6 MB as any body");
    }

    /** Sends raw bytes to the gateway and reads the whole answer (the request closes the connection). */
    private static String rawExchange(byte[] request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void givenGreedyRouteAndIamRoute_whenRouted_thenProxyParameterAndCallerContext() throws Exception {
        Map<?, ?> files = echoedEvent(request("/files/a/b.txt").method("DELETE", HttpRequest.BodyPublishers.noBody()));
        Map<?, ?> admin = echoedEvent(request("/admin"));

        assertEquals("ANY /files/{proxy+}", files.get("routeKey"));
        assertEquals(Map.of("proxy", "a/b.txt"), files.get("pathParameters"));
        assertTrue(((Map<?, ?>) admin.get("requestContext")).get("authorizer") instanceof Map<?, ?>);
    }

    @Test
    void givenStructuredResponse_whenMapped_thenStatusHeadersCookiesAndBase64Body() throws Exception {
        String respond = "{\"statusCode\":201,\"headers\":{\"content-type\":\"image/png\",\"x-one\":\"1\"},"
                + "\"cookies\":[\"a=1; Path=/\",\"b=2; HttpOnly\"],\"body\":\"" + Base64.getEncoder().encodeToString(
                new byte[] {1, 2, 3}) + "\",\"isBase64Encoded\":true}";

        HttpResponse<byte[]> response = send(request("/items/x").header("x-respond", respond));

        assertEquals(201, response.statusCode());
        assertEquals("image/png", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("1", response.headers().firstValue("x-one").orElseThrow());
        assertEquals(List.of("a=1; Path=/", "b=2; HttpOnly"), response.headers().allValues("set-cookie"));
        assertEquals(3, response.body().length);
    }

    @Test
    void givenResponseWithoutStatusCode_whenMapped_thenTwoHundredJsonOfTheOutput() throws Exception {
        HttpResponse<byte[]> response = send(request("/items/x").header("x-respond", "{\"hello\":\"world\"}"));

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("{\"hello\":\"world\"}", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void givenUnknownRouteOrMethod_whenRequested_thenApiGatewaysNotFound() throws Exception {
        for (HttpRequest.Builder request : List.of(request("/nowhere"), request("/items/1").POST(HttpRequest.BodyPublishers.noBody()))) {
            HttpResponse<byte[]> response = send(request);
            assertEquals(404, response.statusCode());
            assertEquals("{\"message\":\"Not Found\"}", new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void givenFunctionErrorOrItsTimeout_whenRequested_thenInternalServerError() throws Exception {
        HttpResponse<byte[]> error = send(request("/boom"));
        HttpResponse<byte[]> timeout;
        try (Gate gate = new Gate()) { // never opened: the function runs past its 1 s
            timeout = send(request("/sleepy").POST(HttpRequest.BodyPublishers.ofString(gate.event())));
            gate.awaitHeld(1, Duration.ofSeconds(10));
        }
        HttpResponse<byte[]> notJson = send(request("/items/x").header("x-respond", "not json"));

        for (HttpResponse<byte[]> response : List.of(error, timeout, notJson)) {
            assertEquals(500, response.statusCode());
            assertEquals("{\"message\":\"Internal Server Error\"}", new String(response.body(), StandardCharsets.UTF_8));
        }
        String log = LOG.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("java.lang.IllegalStateException"), "the cause is logged");
        assertTrue(log.contains("Sandbox.Timedout"), "the timeout is logged");
    }

    @Test
    void givenARouteThrottle_whenItsBurstIsSpent_thenApiGatewaysOwn429AndNoFunctionRuns() throws Exception {
        int before = lambda.environments("Responder");
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(send(request("/limited/" + i)).statusCode());
        }
        HttpResponse<byte[]> throttled = send(request("/limited/x"));

        assertEquals(List.of(200, 200, 429), statuses, "a burst of 2, refilled at 1 a second");
        assertEquals(429, throttled.statusCode());
        assertEquals("{\"message\":\"Too Many Requests\"}", new String(throttled.body(), StandardCharsets.UTF_8));
        assertTrue(lambda.environments("Responder") <= Math.max(before, 1), "no more environments for refused requests");
    }

    @Test
    void givenAFunctionAtItsReservedConcurrency_whenRequestedOnceMore_thenInternalServerErrorAtOnce() throws Exception {
        var callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Gate gate = new Gate()) {
            List<java.util.concurrent.Future<HttpResponse<byte[]>>> busy = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) { // the template reserves 2 for this function
                busy.add(callers.submit(() -> send(request("/reserved").POST(HttpRequest.BodyPublishers.ofString(gate.event())))));
            }
            gate.awaitHeld(2, Duration.ofSeconds(60));

            HttpResponse<byte[]> refused = send(request("/reserved").POST(HttpRequest.BodyPublishers.ofString("{}")));

            assertEquals(500, refused.statusCode());
            assertEquals("{\"message\":\"Internal Server Error\"}", new String(refused.body(), StandardCharsets.UTF_8));
            assertTrue(LOG.toString(StandardCharsets.UTF_8).contains("Reserved throttled (TooManyRequestsException)"));
            gate.open();
            for (var call : busy) {
                assertEquals(200, call.get().statusCode(), "the held requests answer once let go");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void givenMoreRequestsThanTheMachinesEnvironments_whenServed_thenEachWaitsForOneAndAllAnswer200() throws Exception {
        var callers = java.util.concurrent.Executors.newFixedThreadPool(5);
        try (Gate gate = new Gate()) {
            List<java.util.concurrent.Future<HttpResponse<byte[]>>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) { // the runtime here runs 2 environments of a function: Lambda would run 5
                calls.add(callers.submit(() -> send(request("/held").POST(HttpRequest.BodyPublishers.ofString(gate.event())))));
            }
            gate.awaitHeld(2, Duration.ofSeconds(60));
            assertTrue(calls.stream().noneMatch(java.util.concurrent.Future::isDone), "the other three wait, unanswered");
            gate.open();

            for (var call : calls) {
                assertEquals(200, call.get().statusCode(), "none throttled: no concurrency is declared");
            }
            assertEquals(5, gate.arrivals());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void givenIntegrationTimeoutBeforeFunctionTimeout_whenRequested_thenServiceUnavailable() throws Exception {
        HttpResponse<byte[]> response;
        try (Gate gate = new Gate()) { // opened only after the answer: the function outlasts the integration's 1 s
            response = send(request("/slow").POST(HttpRequest.BodyPublishers.ofString(gate.event())));
            gate.awaitHeld(1, Duration.ofSeconds(10));
        }

        assertEquals(503, response.statusCode());
        assertEquals("{\"message\":\"Service Unavailable\"}", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void givenCorsConfiguration_whenPreflightAndSimpleRequest_thenGatewayAnswersWithAllowedValues() throws Exception {
        HttpResponse<byte[]> preflight = send(request("/items/1").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "GET"));
        HttpResponse<byte[]> simple = send(request("/items/1").header("Origin", "https://app.example"));
        HttpResponse<byte[]> otherOrigin = send(request("/items/1").header("Origin", "https://evil.example"));

        assertEquals(204, preflight.statusCode());
        assertEquals("https://app.example", preflight.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertEquals("GET,POST", preflight.headers().firstValue("access-control-allow-methods").orElseThrow());
        assertEquals("600", preflight.headers().firstValue("access-control-max-age").orElseThrow());
        assertEquals("etag", simple.headers().firstValue("access-control-expose-headers").orElseThrow());
        assertTrue(otherOrigin.headers().firstValue("access-control-allow-origin").isEmpty());
    }
}
