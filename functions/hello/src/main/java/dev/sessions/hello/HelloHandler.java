package dev.sessions.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sessions.adapter.apigw.HttpApiPayload;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code GET /hello}: the stateless service. It reads nothing, stores nothing and needs no
 * SDK, so any instance answers any request and its cold start is the floor of this system. It
 * takes the event as a stream and reads it with the project's JSON code, as the other API
 * functions do: the runtime then builds no event serializer (docs/performance.md).
 */
public final class HelloHandler implements RequestStreamHandler {

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
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        HttpApiPayload.writeResponse(handle(HttpApiPayload.readRequest(event)), response);
    }

    /** The same for an event in the Java events library's type, as tests load them. */
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return handle(HttpRequest.of(event));
    }

    private APIGatewayV2HTTPResponse handle(HttpRequest request) {
        RequestLog log = new RequestLog("HelloFunction", null, out) // no metrics here, so no namespace
                .field("requestId", request.requestId()).field("route", "GET /hello");
        APIGatewayV2HTTPResponse response = respond(request.method());
        log.emit(response.getStatusCode());
        return response;
    }

    private static APIGatewayV2HTTPResponse respond(String method) {
        if (!"GET".equals(method)) {
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
}
