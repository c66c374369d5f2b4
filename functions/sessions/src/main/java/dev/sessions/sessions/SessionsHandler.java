package dev.sessions.sessions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sessions.adapter.apigw.ApiHandler;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.IfMatch;
import dev.sessions.adapter.apigw.JsonBody;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.Problem;
import dev.sessions.adapter.apigw.RequestRejected;
import dev.sessions.adapter.apigw.Responses;
import dev.sessions.adapter.apigw.SessionJson;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.SessionService;
import dev.sessions.json.Json;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The session API: {@code POST /sessions}, {@code GET|PATCH|DELETE /sessions/current} and
 * {@code POST /sessions/current/rotate}, as docs/api.md specifies them. Reads of the current
 * session come from the cache replica when there is one; every write goes to DynamoDB only.
 */
public final class SessionsHandler implements RequestStreamHandler {

    private static final Set<String> JSON = Set.of("application/json");
    private static final Set<String> MERGE_PATCH = Set.of("application/merge-patch+json", "application/json");
    /** Containers a body may nest: the body itself, then data's own limit, with room for a clear message. */
    private static final int BODY_DEPTH = 40;

    private final SessionComponents components;
    private final SessionService sessions;
    private final ApiHandler api;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public SessionsHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.out);
    }

    /** With its parts given: tests and benchmarks build it on their own store and log stream. */
    public SessionsHandler(SessionComponents components, PrintStream out) {
        this.components = components;
        this.sessions = components.sessions();
        this.api = new ApiHandler("SessionsFunction", components.settings().metricsNamespace(), out);
        this.priming = Priming.register(this::warmUp);
    }

    /**
     * Before a snapshot: a read and a patch of a session that does not exist, through the whole
     * request path. The patch's condition fails on the missing item, so nothing is written.
     */
    private void warmUp() throws IOException {
        ApiHandler quiet = new ApiHandler("SessionsFunction", components.settings().metricsNamespace(), Priming.QUIET);
        Map<String, String> bearer = Map.of("authorization", "Bearer " + Priming.TOKEN);
        quiet.warm(SyntheticRequests.payload("GET", "/sessions/current", bearer, null), this::route);
        quiet.warm(SyntheticRequests.payload("PATCH", "/sessions/current", Map.of("authorization", "Bearer "
                + Priming.TOKEN, "content-type", "application/merge-patch+json", "if-match", "\"1\""),
                "{\"primed\":{\"nested\":[1,true,null]}}"), this::route);
        quiet.warm(SyntheticRequests.payload("POST", "/sessions", Map.of("content-type", "text/plain"), "x"), this::route);
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/performance.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        api.handle(event, response, this::route);
    }

    /** The same for an event in the Java events library's type, as tests load them. */
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return api.handle(event, this::route);
    }

    private Responses route(HttpRequest request, RequestLog log) {
        return switch (request.path()) {
            case "/sessions" -> request.method().equals("POST") ? create(request, log) : notAllowed(request, "POST");
            case "/sessions/current" -> switch (request.method()) {
                case "GET" -> current(request, log);
                case "PATCH" -> patch(request, log);
                case "DELETE" -> delete(request, log);
                default -> notAllowed(request, "GET, PATCH, DELETE");
            };
            case "/sessions/current/rotate" -> request.method().equals("POST") ? rotate(request, log)
                    : notAllowed(request, "POST");
            default -> Responses.problem(Problem.notFound(request.path()), request.requestId());
        };
    }

    /** {@code POST /sessions}: no body, or {@code {"principal"?, "data"?}}. */
    private Responses create(HttpRequest request, RequestLog log) {
        Map<String, Object> body = JsonBody.object(request, JSON, components.settings().maxBodyBytes(), BODY_DEPTH)
                .orElse(Map.of());
        for (String field : body.keySet()) {
            if (!field.equals("principal") && !field.equals("data")) {
                throw new RequestRejected(Problem.invalidBody("Unknown field \"" + shorten(field)
                        + "\"; a new session takes only principal and data."));
            }
        }
        Object principal = body.get("principal");
        if (principal != null && !(principal instanceof String)) {
            throw new RequestRejected(Problem.invalidBody("principal must be a string or null, not "
                    + Json.typeName(principal) + "."));
        }
        Object data = body.get("data");
        if (data != null && !(data instanceof Map<?, ?>)) {
            throw new RequestRejected(Problem.invalidBody("data must be a JSON object or null, not "
                    + Json.typeName(data) + "."));
        }
        @SuppressWarnings("unchecked")
        IssuedSession issued = sessions.create((String) principal, (Map<String, Object>) data, 0);
        log.field("sessionId", issued.session().id()).field("principal", issued.session().principal())
                .count(Metric.SESSIONS_CREATED);
        return issuedResponse(201, issued).header("location", "/sessions/current");
    }

    /** {@code GET /sessions/current}: from the replica unless asked for a consistent read. */
    private Responses current(HttpRequest request, RequestLog log) {
        PresentedToken.Valid presented = PresentedToken.of(request).require();
        boolean consistent = request.queryParameter("consistent").map("true"::equalsIgnoreCase).orElse(false)
                || request.header("cache-control").map(v -> v.toLowerCase(Locale.ROOT).contains("no-cache")).orElse(false);
        Instant now = sessions.now();
        Session found = null;
        if (!consistent && components.cache().isPresent()) {
            switch (components.cache().get().read(presented.token().id())) {
                case CacheReplica.Hit hit when !hit.session().isExpired(now) -> {
                    found = hit.session();
                    log.count(Metric.CACHE_HITS);
                }
                case CacheReplica.Revoked revoked -> {
                    log.count(Metric.CACHE_HITS);
                    throw new SessionNotFound();
                }
                case CacheReplica.Miss miss -> {
                    log.count(Metric.CACHE_MISSES);
                    if (miss.unavailable()) {
                        log.count(Metric.CACHE_ERRORS);
                    }
                }
                case CacheReplica.Hit expiredCopy -> log.count(Metric.CACHE_MISSES); // the table may know better
            }
        }
        boolean hit = found != null;
        if (found == null) {
            found = sessions.find(presented.token(), consistent);
        }
        Session session = sessions.touchIfDue(found, now);
        log.field("sessionId", session.id()).field("cache", hit ? "hit" : "miss");
        Responses response = sessionResponse(200, session).header("x-cache", hit ? "hit" : "miss");
        if (session != found && presented.fromCookie()) {
            response.cookie(components.cookie().issue(presented.token(), session.secondsToExpiry(now)));
        }
        return response;
    }

    /** {@code PATCH /sessions/current}: a JSON merge patch of data; If-Match makes it compare-and-set. */
    private Responses patch(HttpRequest request, RequestLog log) {
        PresentedToken.Valid presented = PresentedToken.of(request).require();
        IfMatch precondition = IfMatch.parse(request.header("if-match"));
        Map<String, Object> document = JsonBody.object(request, MERGE_PATCH, components.settings().maxBodyBytes(),
                BODY_DEPTH).orElseThrow(() -> new RequestRejected(Problem.invalidBody(
                "Send a JSON merge patch (RFC 7396) of data as the body.")));
        Optional<Long> expected = switch (precondition) {
            case IfMatch.Any any -> Optional.empty();
            case IfMatch.Version version -> Optional.of(version.version());
            case IfMatch.Never never -> throw new RequestRejected(Problem.versionMismatch("If-Match " + never.tag()
                    + " matches no version of the data; send the ETag the session was read with."));
        };
        Session session = sessions.patch(presented.token(), new MergePatch(document), expected);
        log.field("sessionId", session.id());
        Responses response = sessionResponse(200, session);
        if (presented.fromCookie()) {
            response.cookie(components.cookie().issue(presented.token(), session.secondsToExpiry(sessions.now())));
        }
        return response;
    }

    /** {@code DELETE /sessions/current}: idempotent, and clears the cookie whatever was sent. */
    private Responses delete(HttpRequest request, RequestLog log) {
        if (PresentedToken.of(request) instanceof PresentedToken.Valid presented) {
            sessions.delete(presented.token()).ifPresent(deleted -> {
                log.field("sessionId", deleted.id());
                evict(deleted.id(), deleted.absoluteExpiresAt(), log);
            });
        }
        return Responses.status(204).cookie(components.cookie().clear());
    }

    /** {@code POST /sessions/current/rotate}: same session under a new token; the old one stops working now. */
    private Responses rotate(HttpRequest request, RequestLog log) {
        PresentedToken.Valid presented = PresentedToken.of(request).require();
        IssuedSession issued = sessions.rotate(presented.token());
        log.field("sessionId", issued.session().id()).field("rotatedFrom", presented.token().id());
        evict(presented.token().id(), issued.session().absoluteExpiresAt(), log);
        return issuedResponse(200, issued);
    }

    /** Removes a session's cached copy before answering; a cache outage is logged, never a failure. */
    private void evict(String id, Instant until, RequestLog log) {
        components.cache().ifPresent(cache -> {
            try {
                cache.evict(id, until, sessions.now());
            } catch (CacheReplica.CacheUnavailable e) {
                log.count(Metric.CACHE_ERRORS).field("cacheError", e.getMessage());
            }
        });
    }

    private Responses sessionResponse(int status, Session session) {
        return Responses.json(status, SessionJson.write(session)).header("etag", etag(session));
    }

    private Responses issuedResponse(int status, IssuedSession issued) {
        StringBuilder body = new StringBuilder(320).append("{\"token\":");
        Json.writeString(issued.token().value(), body);
        body.append(",\"session\":");
        SessionJson.append(issued.session(), false, body);
        body.append('}');
        return Responses.json(status, body.toString()).header("etag", etag(issued.session()))
                .cookie(components.cookie().issue(issued.token(), issued.session().secondsToExpiry(sessions.now())));
    }

    private static String etag(Session session) {
        return "\"" + session.version() + "\"";
    }

    private static Responses notAllowed(HttpRequest request, String allow) {
        return Responses.problem(Problem.methodNotAllowed(request.method(), request.path()), request.requestId())
                .header("allow", allow);
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
