package dev.sessions.me;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpApiPayload;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.Problem;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.json.Json;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.telemetry.RequestLog;
import dev.sessions.verifier.AuthorizerContext;
import dev.sessions.verifier.LiveSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /me}: the route a team copies to protect its own. The session authorizer has decided
 * before this runs; the function reads only the authorizer's context (no store call, no SDK
 * client: it starts as {@code GET /hello} does) and answers who is calling: the session's id,
 * principal, expiry and the data keys the stack hands on. Parse, read the context, answer.
 */
public final class MeHandler implements RequestStreamHandler {

    private final FunctionLog logs;

    public MeHandler() {
        this(System.out);
    }

    MeHandler(PrintStream out) {
        this.logs = new FunctionLog("MeFunction", System.getenv().getOrDefault("METRICS_NAMESPACE", "Sessions"), out,
                LogSettings.fromEnvironment(System.getenv()));
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        HttpRequest request = HttpApiPayload.readRequest(event);
        Invocation invocation = Invocation.of(context, Clock.systemUTC());
        RequestLog log = logs.start(invocation.awsRequestId(), invocation.traceId())
                .context("apiRequestId", request.apiRequestId()).field("route", request.method() + " " + request.path());
        ApiResponse answer = respond(request, log);
        HttpApiPayload.writeResponse(answer, response);
        log.emit(answer.statusCode());
    }

    private static ApiResponse respond(HttpRequest request, RequestLog log) {
        if (!request.path().equals("/me")) {
            return ApiResponse.notFound(request);
        }
        if (!request.method().equals("GET")) {
            return ApiResponse.methodNotAllowed(request, "GET");
        }
        Optional<LiveSession> caller = AuthorizerContext.read(request.authorizer());
        if (caller.isEmpty()) {
            // invoked around the authorizer (directly, or from a route without it): nobody is known
            return ApiResponse.problem(Problem.sessionRequired("This route is behind the session authorizer, which"
                    + " gave no session: call it through the API with a session token."), request.apiRequestId());
        }
        LiveSession session = caller.get();
        log.field("sessionId", session.id()).field("principal", session.principal());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", session.id());
        body.put("principal", session.principal());
        body.put("expiresAt", session.expiresAt().toString());
        body.put("data", session.data());
        return ApiResponse.json(200, Json.write(body));
    }
}
