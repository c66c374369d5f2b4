package dev.sessions.local.api;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.LocalRuntimeException;
import dev.sessions.local.auth.JwtVerifier;
import dev.sessions.local.auth.KeySets;
import dev.sessions.local.iam.Identity;
import dev.sessions.local.iam.LocalIam;
import dev.sessions.local.iam.SigV4;
import dev.sessions.local.runtime.FunctionDirectory;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Route;
import dev.sessions.local.template.TemplateException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local stand-in for API Gateway's HTTP API: the template's routes on a loopback port,
 * requests turned into payload format 2.0 events, function responses mapped back, and API
 * Gateway's own answers for no route (404), a function error or a function timeout (500), and
 * the 30 s integration limit (503). Differences from AWS are printed at start.
 */
public final class HttpApiGateway implements AutoCloseable {

    /** Lambda's synchronous request limit (the event must fit in it). */
    static final int MAX_EVENT_BYTES = 6 * 1024 * 1024;

    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    private static final SecureRandom REQUEST_IDS = new SecureRandom();

    private final LocalLambda lambda;
    private final RouteTable routes;
    private final Map<String, Cors> corsByApi;
    /** Each throttled route's bucket, by route key: DefaultRouteSettings apply to every route of the API. */
    private final Map<Route, RouteThrottle> throttles = new LinkedHashMap<>();
    private final PrintStream log;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final JwtVerifier jwt = new JwtVerifier(new KeySets(java.time.Clock.systemUTC()), java.time.Clock.systemUTC());
    private final LambdaAuthorizers authorizers;

    /**
     * Binds the port and starts serving.
     *
     * @param port 0 for any free port
     * @throws LocalRuntimeException when the port is in use
     * @throws TemplateException when a route cannot be served locally
     */
    public HttpApiGateway(LocalLambda lambda, List<Route> routes, String host, int port, PrintStream log) {
        this(lambda, routes, host, port, log, FunctionDirectory.of(lambda));
    }

    /**
     * Binds the port and starts serving, finding its routes' Lambda authorizers in {@code functions}
     * (which may hold another stack's: an authorizer one stack exports and this one attaches).
     */
    public HttpApiGateway(LocalLambda lambda, List<Route> routes, String host, int port, PrintStream log,
                          FunctionDirectory functions) {
        for (Route route : routes) {
            if (route.jwt() != null && !route.jwt().issuer().startsWith("https://")
                    && !route.jwt().issuer().matches("http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?(/.*)?")) {
                throw new TemplateException("route " + route.routeKey() + ": the JWT authorizer's issuer "
                        + route.jwt().issuer() + " is not https (API Gateway requires it; plain http only on loopback)");
            }
            if (!"2.0".equals(route.payloadFormatVersion())) {
                throw new TemplateException("route " + route.routeKey() + " of " + route.functionId()
                        + " uses PayloadFormatVersion " + route.payloadFormatVersion()
                        + "; the local runtime serves 2.0");
            }
        }
        this.lambda = lambda;
        this.routes = new RouteTable(routes);
        this.log = log;
        this.authorizers = new LambdaAuthorizers(functions, threads, log);
        Map<String, Cors> cors = new LinkedHashMap<>();
        for (Route route : routes) {
            cors.computeIfAbsent(route.apiId(), id -> Cors.of(lambda.template().cors(id)));
        }
        this.corsByApi = cors;
        for (Route route : routes) {
            lambda.template().routeThrottle(route.apiId()).ifPresent(limits ->
                    throttles.put(route, new RouteThrottle(limits[0], limits[1])));
        }
        server = Listener.start(host, port, this::handle, threads);
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = exchange.getRequestURI().getRawPath();
        int status;
        String target = "-";
        try (exchange) {
            byte[] body = exchange.getRequestBody().readNBytes(MAX_EVENT_BYTES + 1);
            if (body.length > MAX_EVENT_BYTES) {
                // read the rest, as API Gateway reads a body it refuses: answered with unread input, the connection
                // is reset and the client sees no 413 at all
                exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            }
            Optional<RouteTable.Match> match = routes.match(method, rawPath);
            Cors cors = match.map(m -> corsByApi.get(m.route().apiId()))
                    .orElseGet(() -> corsByApi.values().stream().findFirst().orElse(Cors.NONE));
            if (cors.isPreflight(exchange) && match.map(m -> !"OPTIONS".equals(m.route().method())).orElse(true)) {
                status = cors.answerPreflight(exchange);
            } else if (match.isEmpty()) {
                status = send(exchange, 404, "{\"message\":\"Not Found\"}");
            } else if (body.length > MAX_EVENT_BYTES) {
                status = send(exchange, 413, "{\"message\":\"Request Entity Too Large\"}");
            } else if (throttles.containsKey(match.get().route())
                    && !throttles.get(match.get().route()).admit(System.nanoTime())) {
                // the route's DefaultRouteSettings throttle: API Gateway's own 429, no function runs
                target = match.get().route().functionId() + " (throttled)";
                status = send(exchange, 429, "{\"message\":\"Too Many Requests\"}");
            } else {
                Route route = match.get().route();
                target = route.functionId();
                cors.decorate(exchange);
                Optional<Identity> caller = Optional.empty();
                if (route.iamAuthorization() && lambda.iam() != null) {
                    caller = authorize(exchange, route, method, rawPath, body);
                }
                JwtVerifier.Outcome token = route.jwt() == null ? null
                        : jwt.verify(exchange.getRequestHeaders().getFirst(route.jwt().header()), route.jwt());
                if (route.iamAuthorization() && lambda.iam() != null && caller.isEmpty()) {
                    status = send(exchange, 403, "{\"message\":\"Forbidden\"}");
                } else if (token instanceof JwtVerifier.Rejected rejected) {
                    // API Gateway's own answers: no function runs
                    target = route.functionId() + " (JWT refused)";
                    status = refuseJwt(exchange, route, method, rawPath, 401, "invalid_token", rejected.description());
                } else if (token instanceof JwtVerifier.InsufficientScope insufficient) {
                    target = route.functionId() + " (JWT scopes refused)";
                    status = refuseJwt(exchange, route, method, rawPath, 403, "insufficient_scope",
                            insufficient.description());
                } else {
                    status = invoke(exchange, match.get(), method, rawPath, body, caller,
                            (JwtVerifier.Verified) token);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.println("error: " + method + " " + rawPath + ": " + e);
            status = 500;
        }
        log.printf(Locale.ROOT, "%s %s %d %.1fms %s%n", method, exchange.getRequestURI(), status,
                (System.nanoTime() - started) / 1e6, target);
    }

    /**
     * A JWT authorizer's refusal as API Gateway answers it: 401 {@code {"message":"Unauthorized"}}
     * for a token that is not valid, 403 {@code {"message":"Forbidden"}} for a valid one without the
     * route's scopes, each with a {@code www-authenticate} challenge that says which.
     */
    private int refuseJwt(HttpExchange exchange, Route route, String method, String rawPath, int status, String error,
                          String description) throws IOException {
        log.println("JWT: refused " + method + " " + rawPath + " (" + route.jwt().name() + "): " + description);
        exchange.getResponseHeaders().set("www-authenticate", "Bearer scope=\"" + String.join(" ", route.jwt().scopes())
                + "\" error=\"" + error + "\" error_description=\"" + description.replace("\"", "'") + "\"");
        return send(exchange, status, status == 401 ? "{\"message\":\"Unauthorized\"}" : "{\"message\":\"Forbidden\"}");
    }

    /**
     * The caller of an AWS_IAM route, as API Gateway's IAM authorization finds it: a SigV4
     * signature for {@code execute-api} by a known key, valid, whose policy allows invoking the
     * route; else empty, and the route answers 403 {@code {"message":"Forbidden"}}.
     */
    private Optional<Identity> authorize(HttpExchange exchange, Route route, String method, String rawPath, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        SigV4.Request request = new SigV4.Request(method, rawPath, exchange.getRequestURI().getRawQuery(), headers, body);
        LocalIam iam = lambda.iam();
        LocalIam.Authentication authentication = iam.authenticate(request, "execute-api", java.time.Instant.now());
        if (!authentication.valid()) {
            log.println("IAM: refused " + method + " " + rawPath + ": " + (authentication.identity() == null
                    ? "no known SigV4 key" : "signature " + authentication.outcome()));
            return Optional.empty();
        }
        String arn = iam.executeApiArn(lambda.template().apiId(route.apiId()), method, URLDecoder.decode(rawPath.replace("+", "%2B"),
                StandardCharsets.UTF_8));
        if (!iam.mayInvoke(authentication.identity(), arn)) {
            log.println("IAM: denied " + authentication.identity().name() + " execute-api:Invoke on " + arn);
            return Optional.empty();
        }
        return Optional.of(authentication.identity());
    }

    private int invoke(HttpExchange exchange, RouteTable.Match match, String method, String rawPath, byte[] body,
                       Optional<Identity> caller, JwtVerifier.Verified token) throws IOException {
        Route route = match.route();
        String requestId = requestId();
        exchange.getResponseHeaders().set("apigw-requestid", requestId);
        Map<String, Object> request = event(exchange, match, method, rawPath, body, requestId, caller, token);
        if (route.lambdaAuthorizer() != null) {
            LambdaAuthorizers.Decision decision = authorizers.authorize(route, lambda.template(), request,
                    lambda.template().settings().region(), lambda.template().settings().accountId());
            if (!decision.allowed()) {
                // API Gateway's own answer: the integration does not run
                log.println("authorizer " + route.lambdaAuthorizer().name() + ": " + method + " " + rawPath + " "
                        + decision.status() + ": " + decision.why());
                return send(exchange, decision.status(), decision.body());
            }
            authorizedContext(request).put("authorizer", Map.of("lambda", decision.context()));
        }
        byte[] event = Json.write(request).getBytes(StandardCharsets.UTF_8);
        CompletableFuture<InvocationResult> call = CompletableFuture.supplyAsync(
                () -> lambda.invoke(route.functionId(), event), threads);
        InvocationResult result;
        try {
            result = call.get(Math.min(route.timeoutMillis(), 30_000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.println("error: " + route.routeKey() + ": " + route.functionId() + " did not answer within the"
                    + " integration timeout of " + route.timeoutMillis() + " ms");
            return send(exchange, 503, "{\"message\":\"Service Unavailable\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return send(exchange, 503, "{\"message\":\"Service Unavailable\"}");
        } catch (ExecutionException e) {
            log.println("error: " + route.routeKey() + ": " + e.getCause());
            return send(exchange, 500, "{\"message\":\"Internal Server Error\"}");
        }
        if (result.throttled()) {
            // Lambda refused the invocation (the function at its concurrency limit): API Gateway's 500
            log.println("error: " + route.routeKey() + ": " + route.functionId() + " throttled (TooManyRequestsException)");
            return send(exchange, 500, "{\"message\":\"Internal Server Error\"}");
        }
        if (result.failed()) {
            log.println("error: " + route.routeKey() + ": " + route.functionId() + " failed: " + result.payloadText());
            return send(exchange, 500, "{\"message\":\"Internal Server Error\"}");
        }
        return respond(exchange, route, result.payloadText());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> authorizedContext(Map<String, Object> request) {
        return (Map<String, Object>) request.get("requestContext");
    }

    /** The payload format 2.0 event, with the fields API Gateway sends. */
    private Map<String, Object> event(HttpExchange exchange, RouteTable.Match match, String method,
                                             String rawPath, byte[] body, String requestId, Optional<Identity> caller,
                                             JwtVerifier.Verified token) {
        Route route = match.route();
        Map<String, Object> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("transfer-encoding")) {
                return; // how the body crossed the connection: API Gateway reads it whole, as here, and hands on the body
            }
            if (lower.equals("cookie")) {
                for (String header : values) {
                    for (String cookie : header.split(";")) {
                        if (!cookie.isBlank()) {
                            cookies.add(cookie.trim());
                        }
                    }
                }
            } else {
                headers.merge(lower, String.join(",", values), (a, b) -> a + "," + b);
            }
        });
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", route.routeKey());
        event.put("rawPath", rawPath);
        event.put("rawQueryString", rawQuery == null ? "" : rawQuery);
        if (!cookies.isEmpty()) {
            event.put("cookies", cookies);
        }
        event.put("headers", headers);
        Map<String, Object> query = queryParameters(rawQuery);
        if (!query.isEmpty()) {
            event.put("queryStringParameters", query);
        }
        if (!match.pathParameters().isEmpty()) {
            event.put("pathParameters", match.pathParameters());
        }
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String host = exchange.getRequestHeaders().getFirst("Host");
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8));
        http.put("protocol", exchange.getProtocol());
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", "123456789012");
        context.put("apiId", lambda.template().apiId(route.apiId()));
        context.put("domainName", host == null ? "localhost" : host);
        context.put("domainPrefix", host == null ? "localhost" : host.split("[.:]")[0]);
        context.put("http", http);
        context.put("requestId", requestId);
        context.put("routeKey", route.routeKey());
        context.put("stage", "$default");
        context.put("time", now.format(REQUEST_TIME));
        context.put("timeEpoch", now.toInstant().toEpochMilli());
        if (route.iamAuthorization()) {
            // the signed caller when IAM is enforced; a placeholder when it is turned off (--no-iam)
            String key = caller.map(Identity::accessKeyId).orElse("LOCAL");
            String arn = caller.map(Identity::arn).orElse("arn:aws:iam::123456789012:user/local");
            context.put("authorizer", Map.of("iam", Map.of("accessKey", key, "accountId", "123456789012",
                    "callerId", key, "userArn", arn, "userId", key)));
        }
        if (token != null) {
            Map<String, Object> jwtContext = new LinkedHashMap<>();
            jwtContext.put("claims", token.claims());
            jwtContext.put("scopes", token.scopes());
            context.put("authorizer", Map.of("jwt", jwtContext));
        }
        event.put("requestContext", context);
        if (body.length > 0) {
            Optional<String> text = isText(exchange.getRequestHeaders()) ? utf8(body) : Optional.empty();
            event.put("body", text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
            event.put("isBase64Encoded", text.isEmpty());
        } else {
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    private static Map<String, Object> queryParameters(String rawQuery) {
        Map<String, Object> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.merge(name, value, (a, b) -> a + "," + b);
        }
        return query;
    }

    /** Whether API Gateway would pass this body as text: a textual media type that is valid UTF-8. */
    private static boolean isText(Headers headers) {
        String type = headers.getFirst("Content-Type");
        if (type == null) {
            return true;
        }
        String media = type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return media.startsWith("text/") || media.equals("application/json") || media.endsWith("+json")
                || media.equals("application/xml") || media.endsWith("+xml")
                || media.equals("application/x-www-form-urlencoded") || media.equals("application/javascript");
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Maps a function's output to the HTTP response, as API Gateway reads payload format 2.0. */
    private int respond(HttpExchange exchange, Route route, String output) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(output, 512);
        } catch (JsonException e) {
            log.println("error: " + route.routeKey() + ": " + route.functionId() + " returned no JSON: " + e.getMessage());
            return send(exchange, 500, "{\"message\":\"Internal Server Error\"}");
        }
        if (!(parsed instanceof Map<?, ?> response) || !response.containsKey("statusCode")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            return send(exchange, 200, output);
        }
        int status;
        if (response.get("statusCode") instanceof BigDecimal code && code.scale() <= 0
                && code.intValue() >= 100 && code.intValue() <= 599) {
            status = code.intValue();
        } else {
            log.println("error: " + route.routeKey() + ": " + route.functionId() + " returned statusCode "
                    + response.get("statusCode"));
            return send(exchange, 500, "{\"message\":\"Internal Server Error\"}");
        }
        if (response.get("headers") instanceof Map<?, ?> headers) {
            headers.forEach((name, value) -> {
                if (value != null) {
                    exchange.getResponseHeaders().add(String.valueOf(name), scalar(value));
                }
            });
        }
        if (response.get("cookies") instanceof List<?> cookies) {
            for (Object cookie : cookies) {
                exchange.getResponseHeaders().add("Set-Cookie", String.valueOf(cookie));
            }
        }
        Object body = response.get("body");
        byte[] bytes;
        if (body == null) {
            bytes = new byte[0];
        } else if (Boolean.TRUE.equals(response.get("isBase64Encoded"))) {
            try {
                bytes = Base64.getDecoder().decode(String.valueOf(body));
            } catch (IllegalArgumentException e) {
                log.println("error: " + route.routeKey() + ": body is not base64 though isBase64Encoded is true");
                return send(exchange, 500, "{\"message\":\"Internal Server Error\"}");
            }
        } else {
            bytes = scalar(body).getBytes(StandardCharsets.UTF_8);
        }
        return sendBytes(exchange, status, bytes);
    }

    private static String scalar(Object value) {
        return value instanceof BigDecimal number ? number.toPlainString() : String.valueOf(value);
    }

    private static int send(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        return sendBytes(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static int sendBytes(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean noBody = body.length == 0 || status == 204 || status == 304 || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    private static String requestId() {
        byte[] bytes = new byte[10];
        REQUEST_IDS.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).substring(0, 14) + "=";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
