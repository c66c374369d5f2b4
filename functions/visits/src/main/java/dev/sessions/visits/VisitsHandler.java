package dev.sessions.visits;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sessions.adapter.apigw.ApiHandler;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.Problem;
import dev.sessions.adapter.apigw.Responses;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.SessionNotFound;
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
import java.util.Optional;

/**
 * {@code GET /}: the stateful visit counter on a stateless handler. A live session gets one more
 * visit, atomically, in one DynamoDB write; a request without one starts a session and sets its
 * cookie. The state is all in DynamoDB, so any instance serves any request.
 */
public final class VisitsHandler implements RequestStreamHandler {

    private final SessionComponents components;
    private final ApiHandler api;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public VisitsHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.out);
    }

    /** With its parts given: tests and benchmarks build it on their own store and log stream. */
    public VisitsHandler(SessionComponents components, PrintStream out) {
        this.components = components;
        this.api = new ApiHandler("VisitsFunction", components.settings().metricsNamespace(), out);
        this.priming = Priming.register(this::warmUp);
    }

    /** Before a snapshot: the read path and the response path, with no write (a visit would create a session). */
    private void warmUp() throws IOException {
        SessionToken token = SessionToken.parse(Priming.TOKEN).orElseThrow();
        try {
            components.sessions().find(token, false);
        } catch (SessionNotFound expected) {
            // the warm-up's token has no session
        }
        new ApiHandler("VisitsFunction", components.settings().metricsNamespace(), Priming.QUIET).warm(
                SyntheticRequests.payload("GET", "/", Map.of("cookie", "sid=" + Priming.TOKEN), null),
                (request, log) -> {
                    PresentedToken.of(request);
                    return Responses.text(200, "You have visited 0 times.").cookie(components.cookie().issue(token, 1));
                });
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/performance.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        api.handle(event, response, this::visit);
    }

    /** The same for an event in the Java events library's type, as tests load them. */
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return api.handle(event, this::visit);
    }

    private Responses visit(HttpRequest request, RequestLog log) {
        if (!request.path().equals("/")) {
            return Responses.problem(Problem.notFound(request.path()), request.requestId());
        }
        if (!request.method().equals("GET")) {
            return Responses.problem(Problem.methodNotAllowed(request.method(), "/"), request.requestId())
                    .header("allow", "GET");
        }
        Optional<PresentedToken.Valid> presented = PresentedToken.of(request) instanceof PresentedToken.Valid valid
                ? Optional.of(valid) : Optional.empty();
        SessionService.Visit visit = components.sessions().visit(presented.map(PresentedToken.Valid::token));
        Session session = visit.session();
        log.field("sessionId", session.id()).count(Metric.VISITS);
        if (visit.newToken().isPresent()) {
            log.count(Metric.SESSIONS_CREATED);
            if (presented.isPresent()) {
                log.count(Metric.EXPIRED_SESSION_HITS);
            }
        }
        Responses response = Responses.text(200, "You have visited " + session.visits() + " times.");
        // a new session gets its cookie; a cookie that came along gets its new Max-Age (the visit slid it)
        Optional<SessionToken> cookieToken = visit.newToken()
                .or(() -> presented.filter(PresentedToken.Valid::fromCookie).map(PresentedToken.Valid::token));
        cookieToken.ifPresent(token -> response.cookie(components.cookie().issue(token,
                session.secondsToExpiry(components.sessions().now()))));
        return response;
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
