package dev.sessions.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /hello}: the stateless service. It reads nothing, stores nothing and needs no
 * SDK, so any instance answers any request and its cold start is the floor of this system.
 */
public final class HelloHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String GREETING = "Hello, World!";

    // A constant body: the only thing this function can get wrong is the method.
    private static final String METHOD_NOT_ALLOWED = """
            {"type":"urn:sessions:problem:method-not-allowed","title":"Method Not Allowed","status":405,\
            "detail":"GET /hello is the only method served here."}""";

    private final PrintStream out;

    public HelloHandler() {
        this(System.out);
    }

    HelloHandler(PrintStream out) {
        this.out = out;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        long started = System.nanoTime();
        APIGatewayV2HTTPResponse response = respond(event);
        log(event, response.getStatusCode(), started);
        return response;
    }

    private APIGatewayV2HTTPResponse respond(APIGatewayV2HTTPEvent event) {
        String method = event == null || event.getRequestContext() == null || event.getRequestContext().getHttp() == null
                ? "GET"
                : event.getRequestContext().getHttp().getMethod();
        if (!"GET".equalsIgnoreCase(method)) {
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(405)
                    .withHeaders(Map.of("content-type", "application/problem+json", "allow", "GET"))
                    .withBody(METHOD_NOT_ALLOWED)
                    .build();
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(200)
                .withHeaders(Map.of("content-type", "text/plain; charset=utf-8"))
                .withBody(GREETING)
                .build();
    }

    /** The request's one log line, in the same JSON shape as every other function's (no metrics here). */
    private void log(APIGatewayV2HTTPEvent event, int status, long started) {
        String requestId = event == null || event.getRequestContext() == null ? null : event.getRequestContext().getRequestId();
        out.println("{\"time\":\"" + Instant.now() + "\",\"level\":\"INFO\",\"function\":\"HelloFunction\","
                + "\"requestId\":" + quoted(requestId) + ",\"route\":\"GET /hello\",\"status\":" + status
                + ",\"durationMs\":" + Math.round((System.nanoTime() - started) / 10_000.0) / 100.0 + "}");
    }

    private static String quoted(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20) {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
