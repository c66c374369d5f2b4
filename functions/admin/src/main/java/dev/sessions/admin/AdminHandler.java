package dev.sessions.admin;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.ListingPage;
import dev.sessions.adapter.apigw.RouteRunner;
import dev.sessions.adapter.apigw.SessionJson;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionStore;
import dev.sessions.json.Json;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET|DELETE /admin/principals/{principal}/sessions}: a principal's live sessions (never
 * their tokens), and logging them out everywhere. The routes need AWS_IAM in the template; the
 * caller's ARN goes in the log line. A revocation that cannot finish before the function's
 * timeout answers how far it got, {@code "complete": false}, and the caller repeats it.
 */
public final class AdminHandler implements RequestStreamHandler {

    private static final Pattern PATH = Pattern.compile("/admin/principals/(.*)/sessions");
    /** Time to write the answer once the revocation stops. */
    private static final Duration ANSWER_TIME = Duration.ofSeconds(1);

    private final SessionService sessions;
    private final RouteRunner routes;
    /**
     * Time kept back from the function's deadline: the longest one call of a revocation can take
     * (a DynamoDB call with its retries, or the cache's tombstone) and the answer. The revocation
     * starts no call within it, so a slow table costs a {@code "complete": false}, never a timeout.
     */
    private final Duration answerMargin;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public AdminHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.out);
    }

    AdminHandler(SessionComponents components, PrintStream out) {
        this.sessions = components.sessions();
        this.routes = components.routes("AdminFunction", out);
        Duration cacheCall = components.settings().redisUrl().isPresent()
                ? components.settings().redisTimeout().multipliedBy(2) : Duration.ZERO; // connect, then answer
        this.answerMargin = DynamoDbClients.CALL_TIMEOUT.plus(cacheCall).plus(ANSWER_TIME);
        // a listing of a principal with no sessions: reads only
        this.priming = Priming.register(routes.logs(), () -> routes.warm(SyntheticRequests.payload("GET",
                "/admin/principals/priming/sessions", Map.of(), null), (request, log) -> route(request, null, log)));
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/design.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        routes.handle(event, response, context, this::route);
    }

    private ApiResponse route(HttpRequest request, Invocation invocation, RequestLog log) {
        Matcher path = PATH.matcher(request.path());
        if (!path.matches()) {
            return ApiResponse.notFound(request);
        }
        String principal = request.pathParameters().getOrDefault("principal", path.group(1));
        log.field("principal", principal);
        return switch (request.method()) {
            case "GET" -> list(principal, request, log);
            case "DELETE" -> revoke(principal, invocation, log);
            default -> ApiResponse.methodNotAllowed(request, "GET, DELETE");
        };
    }

    /** One page: {@code ?limit=} (default {@value ListingPage#DEFAULT_LIMIT}) and the {@code cursor} the last page gave. */
    private ApiResponse list(String principal, HttpRequest request, RequestLog log) {
        ListingPage asked = ListingPage.of(request);
        SessionStore.SessionPage page = sessions.pageOfPrincipal(principal, asked.after(), asked.limit());
        List<Session> live = page.sessions();
        log.field("listed", live.size()).field("more", page.next() != null);
        StringBuilder body = new StringBuilder(64 + live.size() * 256).append("{\"sessions\":[");
        for (int i = 0; i < live.size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            SessionJson.append(live.get(i), body);
        }
        body.append("],\"next\":");
        if (page.next() == null) {
            body.append("null");
        } else {
            Json.writeString(ListingPage.encode(page.next()), body);
        }
        return ApiResponse.json(200, body.append('}').toString());
    }

    private ApiResponse revoke(String principal, Invocation invocation, RequestLog log) {
        SessionService.Revocation revocation = sessions.revokeByPrincipal(principal,
                invocation.deadline().minus(answerMargin));
        log.field("revoked", revocation.revoked()).field("complete", revocation.complete());
        return ApiResponse.json(200, "{\"revoked\":" + revocation.revoked() + ",\"complete\":" + revocation.complete() + "}");
    }

    /** Time kept back from the deadline (see the field). */
    Duration answerMargin() {
        return answerMargin;
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
