package dev.sessions.sessions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.CrossSiteCheck;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.IfMatch;
import dev.sessions.adapter.apigw.ListingPage;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.Problem;
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
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The session API: {@code POST /sessions} (a sign-in takes over the session it is presented with),
 * {@code GET|PATCH|DELETE /sessions/current}, {@code POST /sessions/current/rotate}, and a user's own
 * sessions ({@code GET /sessions}, {@code DELETE /sessions/{id}}, {@code DELETE /sessions/others}),
 * as docs/api.md specifies them; a browser's cross-origin unsafe request with the session cookie is
 * refused before any of them ({@link CrossSiteCheck}). Each route parses the
 * request ({@link SessionRequests}), calls the {@link SessionService} and maps its answer
 * ({@link SessionResponses}); the read policy, revocation and idempotency are the service's.
 */
public final class SessionsHandler implements RequestStreamHandler {

    /** Responses depend on these request headers (the cross-site check): caches must key on them. */
    private static final String VARY = "Sec-Fetch-Site, Origin";
    /** {@code /sessions/{id}}: a session's public id, 43 base64url characters. */
    private static final Pattern ONE_SESSION = Pattern.compile("/sessions/([A-Za-z0-9_-]{43})");

    private final SessionService sessions;
    private final SessionRequests requests;
    private final CrossSiteCheck crossSite;
    /** Kept back from the deadline when ending other sessions: the longest call and the answer's time. */
    private final java.time.Duration answerMargin;
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
        this.crossSite = components.settings().trustedOrigins();
        this.answerMargin = dev.sessions.adapter.dynamodb.DynamoDbClients.CALL_TIMEOUT
                .plus(components.settings().redisTimeout()).plus(java.time.Duration.ofSeconds(1));
        // every answer depends on the Fetch Metadata and Origin headers (the cross-site check), refusals too
        this.routes = components.routes("SessionsFunction", out).withHeaderOnEveryAnswer("vary", VARY);
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
        // a browser's cross-origin unsafe request riding on the session cookie changes nothing (CSRF)
        Optional<Problem> refusal = crossSite.refusal(request, requests.carriesSessionCookie(request));
        if (refusal.isPresent()) {
            log.count(Metric.CROSS_SITE_REFUSALS).field("refused", "cross-site");
            return ApiResponse.problem(refusal.get(), request.apiRequestId());
        }
        return routed(request, writeId, deadline, log);
    }

    private ApiResponse routed(HttpRequest request, String writeId, java.time.Instant deadline, RequestLog log) {
        String path = request.path();
        return switch (path) {
            case "/sessions" -> switch (request.method()) {
                case "POST" -> create(request, writeId, deadline, log);
                case "GET" -> own(request, log);
                default -> ApiResponse.methodNotAllowed(request, "GET, POST");
            };
            case "/sessions/current" -> switch (request.method()) {
                case "GET" -> current(request, log);
                case "PATCH" -> patch(request, writeId, log);
                case "DELETE" -> delete(request, log);
                default -> ApiResponse.methodNotAllowed(request, "GET, PATCH, DELETE");
            };
            case "/sessions/current/rotate" -> request.method().equals("POST") ? rotate(request, writeId, log)
                    : ApiResponse.methodNotAllowed(request, "POST");
            case "/sessions/others" -> request.method().equals("DELETE") ? endOthers(request, deadline, log)
                    : ApiResponse.methodNotAllowed(request, "DELETE");
            default -> {
                Matcher one = ONE_SESSION.matcher(path);
                if (!one.matches()) {
                    yield ApiResponse.notFound(request);
                }
                yield request.method().equals("DELETE") ? endOne(request, one.group(1), log)
                        : ApiResponse.methodNotAllowed(request, "DELETE");
            }
        };
    }

    private ApiResponse create(HttpRequest request, String writeId, java.time.Instant deadline, RequestLog log) {
        SessionService.Created created = sessions.create(requests.newSession(request), writeId, deadline);
        Session session = created.issued().session();
        log.field("sessionId", session.id()).field("principal", session.principal())
                .field("replayed", created.replayed() ? true : null)
                .field("revokedForLimit", created.revoked() > 0 ? created.revoked() : null)
                .field("succession", created.succession() == SessionService.Succession.NONE ? null
                        : created.succession().name().toLowerCase(java.util.Locale.ROOT))
                .field("previousSessionId", created.previousId());
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

    /** {@code GET /sessions}: the principal's sessions, a page at a time, the current one marked. */
    private ApiResponse own(HttpRequest request, RequestLog log) {
        PresentedToken.Valid presented = requests.token(request);
        ListingPage asked = ListingPage.of(request);
        SessionService.OwnSessions own = sessions.ownSessions(presented.token(), asked.after(), asked.limit());
        log.field("sessionId", own.currentId()).field("listed", own.page().sessions().size());
        return responses.own(own);
    }

    /** {@code DELETE /sessions/{id}}: ends one of the principal's sessions; any other id answers the same. */
    private ApiResponse endOne(HttpRequest request, String id, RequestLog log) {
        PresentedToken.Valid presented = requests.token(request);
        boolean ended = sessions.endOwn(presented.token(), id);
        log.field("sessionId", presented.token().id()).field("endedSessionId", ended ? id : null);
        return id.equals(presented.token().id()) ? responses.ended(request.path(), false) : ApiResponse.status(204);
    }

    /** {@code DELETE /sessions/others}: ends every session of the principal but the current one. */
    private ApiResponse endOthers(HttpRequest request, java.time.Instant deadline, RequestLog log) {
        PresentedToken.Valid presented = requests.token(request);
        SessionService.Revocation revocation = sessions.endOthers(presented.token(),
                deadline == null ? java.time.Instant.MAX : deadline.minus(answerMargin));
        log.field("sessionId", presented.token().id()).field("ended", revocation.revoked())
                .field("complete", revocation.complete());
        return ApiResponse.json(200, "{\"ended\":" + revocation.revoked() + ",\"complete\":" + revocation.complete() + "}");
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
