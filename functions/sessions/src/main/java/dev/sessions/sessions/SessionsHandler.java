package dev.sessions.sessions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.IfMatch;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.RouteRunner;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.ReadMetrics;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The session API: {@code POST /sessions}, {@code GET|PATCH|DELETE /sessions/current} and
 * {@code POST /sessions/current/rotate}, as docs/api.md specifies them. Each route parses the
 * request ({@link SessionRequests}), calls the {@link SessionService} and maps its answer
 * ({@link SessionResponses}); the read policy, revocation and idempotency are the service's.
 */
public final class SessionsHandler implements RequestStreamHandler {

    private final SessionService sessions;
    private final SessionRequests requests;
    private final SessionResponses responses;
    private final RouteRunner routes;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public SessionsHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.out);
    }

    /** With its parts given: tests and benchmarks build it on their own store and log stream. */
    public SessionsHandler(SessionComponents components, PrintStream out) {
        this.sessions = components.sessions();
        this.requests = new SessionRequests(components.cookie(), components.settings().maxBodyBytes(),
                components.settings().principalClaim());
        this.responses = new SessionResponses(components.cookie(), sessions);
        this.routes = components.routes("SessionsFunction", out);
        this.priming = Priming.register(routes.logs(), this::warmUp);
    }

    /**
     * Before a snapshot: a read and a patch of a session that does not exist, through the whole
     * request path. The patch's condition fails on the missing item, so nothing is written.
     */
    private void warmUp() throws IOException {
        Map<String, String> bearer = Map.of("authorization", "Bearer " + Priming.TOKEN);
        routes.warm(SyntheticRequests.payload("GET", "/sessions/current", bearer, null), this::route);
        routes.warm(SyntheticRequests.payload("PATCH", "/sessions/current", Map.of("authorization", "Bearer "
                + Priming.TOKEN, "content-type", "application/merge-patch+json", "if-match", "\"1\""),
                "{\"primed\":{\"nested\":[1,true,null]}}"), this::route);
        routes.warm(SyntheticRequests.payload("POST", "/sessions", Map.of("content-type", "text/plain"), "x"), this::route);
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/design.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        routes.handle(event, response, context, (request, invocation, log) ->
                route(request, request.writeId(invocation.awsRequestId()), invocation.deadline(), log));
    }

    private ApiResponse route(HttpRequest request, RequestLog log) {
        return route(request, request.writeId(null), null, log);
    }

    /** @param deadline when the invocation times out, or {@code null} (a warm-up) */
    private ApiResponse route(HttpRequest request, String writeId, java.time.Instant deadline, RequestLog log) {
        return switch (request.path()) {
            case "/sessions" -> request.method().equals("POST") ? create(request, writeId, deadline, log)
                    : ApiResponse.methodNotAllowed(request, "POST");
            case "/sessions/current" -> switch (request.method()) {
                case "GET" -> current(request, log);
                case "PATCH" -> patch(request, writeId, log);
                case "DELETE" -> delete(request, log);
                default -> ApiResponse.methodNotAllowed(request, "GET, PATCH, DELETE");
            };
            case "/sessions/current/rotate" -> request.method().equals("POST") ? rotate(request, writeId, log)
                    : ApiResponse.methodNotAllowed(request, "POST");
            default -> ApiResponse.notFound(request);
        };
    }

    private ApiResponse create(HttpRequest request, String writeId, java.time.Instant deadline, RequestLog log) {
        SessionService.Created created = sessions.create(requests.newSession(request), writeId, deadline);
        Session session = created.issued().session();
        log.field("sessionId", session.id()).field("principal", session.principal())
                .field("replayed", created.replayed() ? true : null)
                .field("revokedForLimit", created.revoked() > 0 ? created.revoked() : null);
        if (!created.replayed()) {
            log.count(Metric.SESSIONS_CREATED);
        }
        return responses.created(created);
    }

    private ApiResponse current(HttpRequest request, RequestLog log) {
        PresentedToken.Valid presented = requests.token(request);
        SessionService.Read read = sessions.read(presented.token(), SessionRequests.wantsConsistentRead(request));
        ReadMetrics.count(read, log);
        log.field("sessionId", read.session().id()).field("cache", SessionResponses.xCache(read));
        return responses.read(read, presented);
    }

    private ApiResponse patch(HttpRequest request, String writeId, RequestLog log) {
        PresentedToken.Valid presented = requests.token(request);
        IfMatch precondition = IfMatch.parse(request.header("if-match"));
        MergePatch patch = requests.mergePatch(request);
        SessionService.Patched patched = sessions.patch(presented.token(), patch,
                SessionRequests.expectedVersion(precondition), writeId);
        log.field("sessionId", patched.session().id());
        if (patched.replicaFailure() != null) {
            log.count(Metric.CACHE_ERRORS).field("cacheWrite", "failed");
        }
        return responses.patched(patched.session(), presented);
    }

    /** Ends every token presented (several cookies of the name included) and clears them all. */
    private ApiResponse delete(HttpRequest request, RequestLog log) {
        PresentedToken.Presented presented = requests.every(request);
        for (SessionToken token : presented.tokens()) {
            sessions.end(token);
        }
        if (!presented.tokens().isEmpty()) {
            log.field("sessionId", presented.tokens().getFirst().id())
                    .field("tokensEnded", presented.tokens().size() > 1 ? presented.tokens().size() : null);
        }
        return responses.ended(request.path(), presented.cookies() > 1);
    }

    private ApiResponse rotate(HttpRequest request, String writeId, RequestLog log) {
        PresentedToken.Valid presented = requests.token(request);
        IssuedSession issued = sessions.rotate(presented.token(), writeId);
        log.field("sessionId", issued.session().id()).field("rotatedFrom", presented.token().id());
        return responses.issued(200, issued);
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
