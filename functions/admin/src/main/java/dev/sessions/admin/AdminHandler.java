package dev.sessions.admin;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sessions.adapter.apigw.ApiHandler;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.Problem;
import dev.sessions.adapter.apigw.Responses;
import dev.sessions.adapter.apigw.SessionJson;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET|DELETE /admin/principals/{principal}/sessions}: a principal's live sessions (never
 * their tokens), and logging them out everywhere. The routes need AWS_IAM in the template; the
 * caller's ARN goes in the log line.
 */
public final class AdminHandler implements RequestStreamHandler {

    private static final Pattern PATH = Pattern.compile("/admin/principals/(.*)/sessions");

    private final SessionComponents components;
    private final ApiHandler api;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public AdminHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.out);
    }

    AdminHandler(SessionComponents components, PrintStream out) {
        this.components = components;
        this.api = new ApiHandler("AdminFunction", components.settings().metricsNamespace(), out);
        this.priming = Priming.register(() -> new ApiHandler("AdminFunction", components.settings().metricsNamespace(),
                Priming.QUIET).warm(SyntheticRequests.payload("GET", "/admin/principals/priming/sessions", Map.of(),
                null), this::route)); // a listing of a principal with no sessions: reads only
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
        Matcher path = PATH.matcher(request.path());
        if (!path.matches()) {
            return Responses.problem(Problem.notFound(request.path()), request.requestId());
        }
        String principal = request.pathParameters().getOrDefault("principal", path.group(1));
        return switch (request.method()) {
            case "GET" -> list(principal, log);
            case "DELETE" -> revoke(principal, log);
            default -> Responses.problem(Problem.methodNotAllowed(request.method(), request.path()), request.requestId())
                    .header("allow", "GET, DELETE");
        };
    }

    private Responses list(String principal, RequestLog log) {
        List<Session> sessions = components.sessions().listByPrincipal(principal);
        log.field("principal", principal).field("listed", sessions.size());
        StringBuilder body = new StringBuilder(64 + sessions.size() * 256).append("{\"sessions\":[");
        for (int i = 0; i < sessions.size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            SessionJson.append(sessions.get(i), false, body);
        }
        return Responses.json(200, body.append("]}").toString());
    }

    private Responses revoke(String principal, RequestLog log) {
        List<Session> revoked = components.sessions().revokeByPrincipal(principal);
        log.field("principal", principal);
        components.cache().ifPresent(cache -> {
            for (Session session : revoked) {
                try {
                    cache.evict(session.id(), session.absoluteExpiresAt(), components.sessions().now());
                } catch (CacheReplica.CacheUnavailable e) {
                    log.count(Metric.CACHE_ERRORS).field("cacheError", e.getMessage());
                }
            }
        });
        log.field("revoked", revoked.size());
        return Responses.json(200, "{\"revoked\":" + revoked.size() + "}");
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
