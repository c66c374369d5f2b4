package dev.sessions.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpApiPayload;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;

/**
 * {@code GET /hello}: the stateless service. It reads nothing, stores nothing and needs no
 * SDK, so any instance answers any request and its cold start is the floor of this system. It
 * takes the event as a stream and reads it with the project's JSON code, as the other API
 * functions do: the runtime then builds no event serializer (docs/design.md).
 */
public final class HelloHandler implements RequestStreamHandler {

    static final String GREETING = "Hello, World!";

    // A constant body: the only thing this function can get wrong is the method.
    private static final String METHOD_NOT_ALLOWED = """
            {"type":"urn:sessions:problem:method-not-allowed","title":"Method Not Allowed","status":405,\
            "detail":"GET /hello is the only method served here."}""";

    private final FunctionLog logs;

    public HelloHandler() {
        this(System.out);
    }

    HelloHandler(PrintStream out) {
        this.logs = new FunctionLog("HelloFunction", System.getenv().getOrDefault("METRICS_NAMESPACE", "Sessions"), out,
                LogSettings.fromEnvironment(System.getenv())); // its one metric: ColdStarts
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        HttpRequest request = HttpApiPayload.readRequest(event);
        Invocation invocation = Invocation.of(context, Clock.systemUTC());
        RequestLog log = logs.start(invocation.awsRequestId(), invocation.traceId())
                .context("apiRequestId", request.apiRequestId()).field("route", "GET /hello");
        ApiResponse answer = respond(request.method());
        HttpApiPayload.writeResponse(answer, response);
        log.emit(answer.statusCode());
    }

    private static ApiResponse respond(String method) {
        if (!"GET".equals(method)) {
            return ApiResponse.status(405).header("content-type", "application/problem+json").header("allow", "GET")
                    .body(METHOD_NOT_ALLOWED);
        }
        return ApiResponse.text(200, GREETING);
    }
}
