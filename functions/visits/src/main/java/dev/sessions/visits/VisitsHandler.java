package dev.sessions.visits;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.RouteRunner;
import dev.sessions.adapter.apigw.SessionCookie;
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

    private final SessionService sessions;
    private final SessionCookie cookie;
    private final RouteRunner routes;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public VisitsHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.out);
    }

    /** With its parts given: tests and benchmarks build it on their own store and log stream. */
    public VisitsHandler(SessionComponents components, PrintStream out) {
        this.sessions = components.sessions();
        this.cookie = components.cookie();
        this.routes = components.routes("VisitsFunction", out);
        this.priming = Priming.register(routes.logs(), this::warmUp);
    }

    /**
     * Before a snapshot: the read path and the response path, with no write (a visit would create
     * a session). The read is the one a visit's condition makes of the item, a GetItem of the
     * warm-up's token, which no session has.
     */
    private void warmUp() throws IOException {
        SessionToken token = SessionToken.parse(Priming.TOKEN).orElseThrow();
        try {
            sessions.read(token, true);
        } catch (SessionNotFound expected) {
            // the warm-up's token has no session
        }
        routes.warm(SyntheticRequests.payload("GET", "/", Map.of("cookie", cookie.name() + "=" + Priming.TOKEN), null),
                (request, log) -> {
                    PresentedToken.of(request, cookie.name());
                    return ApiResponse.text(200, "You have visited 0 times.").cookie(cookie.issue(token, 1));
                });
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/design.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        routes.handle(event, response, context, (request, invocation, log) ->
                visit(request, request.writeId(invocation.awsRequestId()), log));
    }

    private ApiResponse visit(HttpRequest request, String writeId, RequestLog log) {
        if (!request.path().equals("/")) {
            return ApiResponse.notFound(request);
        }
        if (!request.method().equals("GET")) {
            return ApiResponse.methodNotAllowed(request, "GET");
        }
        Optional<PresentedToken.Valid> presented = PresentedToken.of(request, cookie.name())
                instanceof PresentedToken.Valid valid ? Optional.of(valid) : Optional.empty();
        SessionService.Visit visit = sessions.visit(presented.map(PresentedToken.Valid::token), writeId,
                request.device());
        Session session = visit.session();
        log.field("sessionId", session.id()).count(Metric.VISITS);
        if (visit.newToken().isPresent()) {
            log.count(Metric.SESSIONS_CREATED);
            if (presented.isPresent()) {
                log.count(Metric.EXPIRED_SESSION_HITS);
            }
        }
        ApiResponse response = ApiResponse.text(200, "You have visited " + session.visits() + " times.");
        // a new session gets its cookie; a cookie that came along gets its new Max-Age (the visit slid it)
        Optional<SessionToken> cookieToken = visit.newToken()
                .or(() -> presented.filter(PresentedToken.Valid::fromCookie).map(PresentedToken.Valid::token));
        cookieToken.ifPresent(token -> response.cookie(cookie.issue(token, session.secondsToExpiry(sessions.now()))));
        return response;
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
