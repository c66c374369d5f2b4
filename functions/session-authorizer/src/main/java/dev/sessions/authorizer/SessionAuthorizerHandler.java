package dev.sessions.authorizer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.CrossSiteCheck;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.adapter.lambda.ReadMetrics;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.json.Json;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import dev.sessions.verifier.AuthorizerContext;
import dev.sessions.verifier.SessionVerifier;
import dev.sessions.verifier.TokenSource;
import dev.sessions.verifier.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session authorizer: an HTTP API Lambda authorizer (REQUEST, payload format 2.0, simple
 * responses) that lets a request through when it presents a live session, by the rules of
 * {@code GET /sessions/current} ({@link SessionVerifier}), and hands the integration the session's
 * id, principal, expiry and the data keys the stack names ({@link AuthorizerContext}), never its
 * token. A store failure refuses (fails closed), and is logged and counted. A browser's cross-origin
 * unsafe request riding on the session cookie is refused before the store is asked, as the session
 * routes refuse it ({@link CrossSiteCheck}), unless the asking API keeps answers by the cookie:
 * then a refusal would be kept for the cookie and lock its owner out. Parse, verify, answer.
 */
public final class SessionAuthorizerHandler implements RequestStreamHandler {

    /** An authorizer event nests four levels; its headers and cookies are what it carries here. */
    private static final int MAX_DEPTH = 8;
    /** What the replica's calls around a touch may take: a tombstone when the touch finds the session gone. */
    private static final Duration REPLICA_BUDGET = Duration.ofSeconds(1);

    private final SessionVerifier verifier;
    private final TokenSource source;
    private final CrossSiteCheck crossSite;
    private final String cookieName;
    private final List<String> dataKeys;
    private final FunctionLog logs;
    private final Clock clock;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public SessionAuthorizerHandler() {
        this(SessionComponents.fromEnvironment(System.getenv()), System.getenv(), System.out);
    }

    /**
     * With its parts given: tests build it on their own store.
     *
     * @param env {@code TOKEN_SOURCE} (any, cookie or authorization) and {@code AUTHORIZER_DATA_KEYS}
     *     (the data keys the context carries, comma-separated)
     */
    public SessionAuthorizerHandler(SessionComponents components, Map<String, String> env, PrintStream out) {
        this.verifier = new SessionVerifier(components.sessions(), components.cookie());
        this.source = TokenSource.of(env.get("TOKEN_SOURCE"));
        this.crossSite = components.settings().trustedOrigins();
        this.cookieName = components.cookie().name();
        this.dataKeys = Arrays.stream(env.getOrDefault("AUTHORIZER_DATA_KEYS", "").split(","))
                .map(String::trim).filter(key -> !key.isEmpty()).toList();
        this.clock = components.clock();
        this.logs = new FunctionLog("SessionAuthorizerFunction", components.settings().metricsNamespace(), out,
                components.settings().logs());
        this.priming = Priming.register(logs, this::warmUp);
    }

    /** Before a snapshot: a decision on a token no session has, through the whole path; nothing is written. */
    private void warmUp() throws IOException {
        String event = Json.write(Map.of("version", "2.0", "type", "REQUEST", "headers",
                Map.of("authorization", "Bearer " + Priming.TOKEN), "requestContext", Map.of()));
        if (decide(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), logs.quiet().start(null, null),
                Instant.MAX)
                .get("isAuthorized") != Boolean.FALSE) {
            throw new IllegalStateException("the warm-up's made-up token was let through");
        }
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        Invocation invocation = Invocation.of(context, clock);
        RequestLog log = logs.start(invocation.awsRequestId(), invocation.traceId());
        // the idle window's slide only while one more table call, and the replica's, fit before the timeout
        Map<String, Object> answer = decide(event, log, invocation.deadline().minus(DynamoDbClients.CALL_TIMEOUT)
                .minus(REPLICA_BUDGET));
        response.write(Json.write(answer).getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> decide(InputStream input, RequestLog log, Instant touchBy) throws IOException {
        Map<String, Object> event = Json.parseObject(new String(input.readAllBytes(), StandardCharsets.UTF_8), MAX_DEPTH);
        Map<String, Object> request = object(event, "requestContext");
        log.context("apiRequestId", request.get("requestId")).field("route", event.get("routeKey"));
        Map<String, String> headers = headers(event);
        List<String> cookies = strings(event.get("cookies"));
        if (source != TokenSource.AUTHORIZATION && !keptByTheCookie(event)
                && crossSiteRefused(object(request, "http").get("method"), headers, cookies)) {
            log.count(Metric.AUTHORIZER_DENIALS).count(Metric.CROSS_SITE_REFUSALS).field("decision", "deny")
                    .field("reason", "cross-site").emit("INFO", null);
            return Map.of("isAuthorized", false);
        }
        Verdict verdict = verifier.verify(headers, cookies, source, touchBy);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("isAuthorized", verdict.allowed());
        switch (verdict) {
            case Verdict.Live live -> {
                answer.put("context", AuthorizerContext.of(live.session(), dataKeys));
                ReadMetrics.count(live.lookup(), live.touchFailure(), log);
                log.field("sessionId", live.session().id()).field("decision", "allow").emit("INFO", null);
            }
            case Verdict.Refused refused -> {
                log.count(Metric.AUTHORIZER_DENIALS).field("decision", "deny")
                        .field("reason", refused.reason().name().toLowerCase(java.util.Locale.ROOT)).emit("INFO", null);
            }
            case Verdict.Unavailable unavailable -> {
                // fail closed: nothing is known of the session, so nothing gets through
                log.count(Metric.AUTHORIZER_STORE_FAILURES).field("decision", "deny").field("reason", "store-unavailable")
                        .field("error", unavailable.cause().getMessage()
                                + (unavailable.cause().getCause() != null ? ": " + unavailable.cause().getCause().getMessage()
                                : "")).emit("ERROR", null);
            }
        }
        return answer;
    }

    /**
     * Whether the API that asks may keep this answer by a value that carries the session cookie (an
     * identity source of its {@code Cookie} header): then a cross-site refusal would be kept for the
     * cookie and refuse its owner's own requests, so the cookie's SameSite is left to guard it. Each
     * API decides its caching; with no identity source, nothing is kept.
     */
    private boolean keptByTheCookie(Map<String, Object> event) {
        return strings(event.get("identitySource")).stream().anyMatch(value -> value.contains(cookieName + "="));
    }

    /** Whether this is a browser's cross-origin unsafe request with the session cookie (CSRF). */
    private boolean crossSiteRefused(Object method, Map<String, String> headers, List<String> cookies) {
        HttpRequest request = HttpRequest.of(method instanceof String name ? name : "GET", "/", headers, cookies);
        return crossSite.refusal(request, request.carriesCookie(cookieName)).isPresent();
    }

    /** The request's headers by name (API Gateway lower-cases them; a hand-made event may not). */
    private static Map<String, String> headers(Map<String, Object> event) {
        Map<String, String> headers = new LinkedHashMap<>();
        object(event, "headers").forEach((name, value) -> {
            if (value instanceof String text) {
                headers.put(name, text);
            }
        });
        return headers;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> parent, String name) {
        return parent.get(name) instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static List<String> strings(Object value) {
        return value instanceof List<?> list ? list.stream().filter(String.class::isInstance).map(String.class::cast)
                .toList() : List.of();
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
