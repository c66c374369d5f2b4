package dev.sessions.local.api;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.runtime.FunctionDirectory;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.template.InvokePermission;
import dev.sessions.local.template.LambdaAuthorizer;
import dev.sessions.local.template.Route;
import dev.sessions.local.template.Template;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP API's Lambda (REQUEST) authorizers, as API Gateway runs them before a route's
 * integration: the identity sources must all be there (else 401 and no function runs); the answer
 * is cached by their values for the authorizer's TTL; the authorizer function is invoked with the
 * payload format 2.0 (or 1.0) authorizer event, and must answer within 10 s in its declared form
 * (a simple response, or an IAM policy, applied to each route a kept answer is used for); API
 * Gateway must be allowed to invoke it (a grant of its resource policy). A deny is 403, anything
 * that goes wrong 500; an allow hands the answer's context to a 2.0 integration at
 * {@code requestContext.authorizer.lambda}.
 */
final class LambdaAuthorizers {

    /** API Gateway gives an authorizer 10 s, whatever the function's own timeout. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    /**
     * What the authorizer decided for a request.
     *
     * @param status 0 to let the request through, else API Gateway's answer (401, 403 or 500)
     * @param context what a 2.0 integration gets at {@code requestContext.authorizer.lambda} when let through
     * @param why for the log line
     */
    record Decision(int status, Map<String, Object> context, String why) {
        boolean allowed() {
            return status == 0;
        }

        String body() {
            return switch (status) {
                case 401 -> "{\"message\":\"Unauthorized\"}";
                case 403 -> "{\"message\":\"Forbidden\"}";
                default -> "{\"message\":\"Internal Server Error\"}";
            };
        }
    }

    /**
     * An authorizer's answer as API Gateway keeps it: the answer, not the decision, so that a kept
     * IAM policy is applied to each route it is used for (a simple answer is the same for every route).
     */
    private record Cached(String answer, long expiresNanos) {
    }

    /** What invoking the authorizer gave: its answer's text, or the failure (500) that stands for it. */
    private record Answer(String text, Decision failure) {
    }

    private final FunctionDirectory functions;
    private final Executor threads;
    private final PrintStream log;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    LambdaAuthorizers(FunctionDirectory functions, Executor threads, PrintStream log) {
        this.functions = functions;
        this.threads = threads;
        this.log = log;
    }

    /**
     * Runs {@code route}'s authorizer for a request.
     *
     * @param template the template whose API serves the route
     * @param request the integration event API Gateway would send (payload 2.0), not yet authorized
     */
    Decision authorize(Route route, Template template, Map<String, Object> request, String region, String account) {
        LambdaAuthorizer authorizer = route.lambdaAuthorizer();
        String apiId = template.apiId(route.apiId());
        List<String> identity = new ArrayList<>();
        for (String source : authorizer.identitySources()) {
            Optional<String> value = identityValue(source, request);
            if (value.isEmpty() || value.get().isEmpty()) {
                return new Decision(401, Map.of(), "identity source " + source + " is missing");
            }
            identity.add(value.get());
        }
        String routeArn = "arn:aws:execute-api:" + region + ":" + account + ":" + apiId + "/$default/"
                + (route.method() == null ? "$default" : String.valueOf(((Map<?, ?>) ((Map<?, ?>) request
                .get("requestContext")).get("http")).get("method")) + request.get("rawPath"));
        String key = apiId + "/" + authorizer.name() + "/" + String.join("\u0000", identity);
        if (authorizer.ttlSeconds() > 0) {
            Cached cached = cache.get(key);
            if (cached != null && cached.expiresNanos() - System.nanoTime() > 0) {
                return judge(authorizer, cached.answer(), routeArn);
            }
        }
        Answer answer = invoke(route, request, identity, apiId, routeArn, region, account);
        if (answer.failure() != null) {
            return answer.failure();
        }
        Decision decision = judge(authorizer, answer.text(), routeArn);
        if (authorizer.ttlSeconds() > 0 && decision.status() != 500) {
            cache.put(key, new Cached(answer.text(), System.nanoTime()
                    + Duration.ofSeconds(authorizer.ttlSeconds()).toNanos()));
        }
        return decision;
    }

    private static Decision judge(LambdaAuthorizer authorizer, String answer, String routeArn) {
        return authorizer.simpleResponses() ? simple(answer) : policy(answer, routeArn);
    }

    private Answer invoke(Route route, Map<String, Object> request, List<String> identity, String apiId,
                          String routeArn, String region, String account) {
        LambdaAuthorizer authorizer = route.lambdaAuthorizer();
        Optional<FunctionDirectory.Target> target = functions.byArn(authorizer.functionArn());
        if (target.isEmpty()) {
            return failed("no function of the run has the ARN " + authorizer.functionArn());
        }
        String sourceArn = "arn:aws:execute-api:" + region + ":" + account + ":" + apiId + "/authorizers/"
                + authorizer.id(apiId);
        if (functions.permissions().stream().noneMatch(grant -> grant.allows("apigateway.amazonaws.com",
                authorizer.functionArn(), sourceArn))) {
            return failed("API Gateway may not invoke " + authorizer.functionArn()
                    + " from " + sourceArn + ": no AWS::Lambda::Permission grants it");
        }
        Map<String, Object> event = authorizer.payloadFormatVersion().equals("2.0")
                ? event20(request, routeArn, identity) : event10(request, routeArn, identity, route);
        byte[] bytes = Json.write(event).getBytes(StandardCharsets.UTF_8);
        FunctionDirectory.Target function = target.get();
        InvocationResult result;
        try {
            result = CompletableFuture.supplyAsync(() -> function.lambda().invoke(function.logicalId(), bytes), threads)
                    .get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return failed("the authorizer did not answer within " + LIMIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted");
        } catch (ExecutionException e) {
            return failed("the authorizer could not be invoked: " + e.getCause());
        }
        if (result.failed()) {
            return failed("the authorizer failed: " + result.payloadText());
        }
        return new Answer(result.payloadText(), null);
    }

    private static Answer failed(String why) {
        return new Answer(null, new Decision(500, Map.of(), why));
    }

    /** {@code {"isAuthorized": true|false, "context": {...}}}; anything else is invalid output (500). */
    private static Decision simple(String payload) {
        Map<String, Object> answer;
        try {
            answer = Json.parseObject(payload, 64);
        } catch (JsonException e) {
            return new Decision(500, Map.of(), "invalid output (not a JSON object): " + abbreviate(payload));
        }
        if (!(answer.get("isAuthorized") instanceof Boolean authorized)) {
            return new Decision(500, Map.of(), "invalid output (isAuthorized is not a boolean): " + abbreviate(payload));
        }
        Object context = answer.get("context");
        if (context != null && !(context instanceof Map<?, ?>)) {
            return new Decision(500, Map.of(), "invalid output (context is not an object)");
        }
        if (!authorized) {
            return new Decision(403, Map.of(), "the authorizer said isAuthorized: false");
        }
        return new Decision(0, context == null ? Map.of() : castMap(context), "allowed");
    }

    /**
     * An IAM policy answer ({@code principalId}, {@code policyDocument}, {@code context}): an explicit
     * Deny of the route wins, else an Allow of it lets the request through, else it is denied.
     */
    private static Decision policy(String payload, String routeArn) {
        Map<String, Object> answer;
        try {
            answer = Json.parseObject(payload, 64);
        } catch (JsonException e) {
            return new Decision(500, Map.of(), "invalid output (not a JSON object): " + abbreviate(payload));
        }
        if (!(answer.get("principalId") instanceof String) || !(answer.get("policyDocument") instanceof Map<?, ?> document)
                || !(document.get("Statement") instanceof List<?> statements)) {
            return new Decision(500, Map.of(), "invalid output (an IAM policy answer needs principalId and"
                    + " policyDocument.Statement): " + abbreviate(payload));
        }
        boolean allowed = false;
        for (Object item : statements) {
            if (!(item instanceof Map<?, ?> statement)) {
                return new Decision(500, Map.of(), "invalid output (a statement is not an object)");
            }
            boolean invoke = strings(statement.get("Action")).stream().anyMatch(a -> a.equals("execute-api:Invoke")
                    || a.equals("execute-api:*") || a.equals("*"));
            boolean route = strings(statement.get("Resource")).stream()
                    .anyMatch(r -> InvokePermission.matches(r, routeArn));
            if (invoke && route) {
                if ("Deny".equals(statement.get("Effect"))) {
                    return new Decision(403, Map.of(), "the policy denies " + routeArn);
                }
                allowed |= "Allow".equals(statement.get("Effect"));
            }
        }
        if (!allowed) {
            return new Decision(403, Map.of(), "the policy allows no invocation of " + routeArn);
        }
        Object context = answer.get("context");
        return new Decision(0, context instanceof Map<?, ?> map ? castMap(map) : Map.of(), "allowed by policy");
    }

    /** The authorizer event of payload format 2.0: the request as the integration gets it, with no body. */
    private static Map<String, Object> event20(Map<String, Object> request, String routeArn, List<String> identity) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("type", "REQUEST");
        event.put("routeArn", routeArn);
        event.put("identitySource", identity);
        for (String field : List.of("routeKey", "rawPath", "rawQueryString", "cookies", "headers",
                "queryStringParameters", "pathParameters")) {
            if (request.containsKey(field)) {
                event.put(field, request.get(field));
            }
        }
        event.put("stageVariables", Map.of());
        event.put("requestContext", request.get("requestContext"));
        return event;
    }

    /** The authorizer event of payload format 1.0 (REST-like: {@code methodArn}, a comma-joined {@code identitySource}). */
    private static Map<String, Object> event10(Map<String, Object> request, String routeArn, List<String> identity,
                                               Route route) {
        Map<String, Object> headers = castMap(request.getOrDefault("headers", Map.of()));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "1.0");
        event.put("type", "REQUEST");
        event.put("methodArn", routeArn);
        event.put("identitySource", String.join(",", identity));
        event.put("authorizationToken", identity.isEmpty() ? null : identity.getFirst());
        event.put("resource", route.path());
        event.put("path", request.get("rawPath"));
        event.put("httpMethod", ((Map<?, ?>) ((Map<?, ?>) request.get("requestContext")).get("http")).get("method"));
        Map<String, Object> withCookies = new LinkedHashMap<>(headers);
        if (request.get("cookies") instanceof List<?> cookies && !cookies.isEmpty()) {
            withCookies.put("cookie", String.join("; ", strings(cookies)));
        }
        event.put("headers", withCookies);
        event.put("queryStringParameters", request.getOrDefault("queryStringParameters", Map.of()));
        event.put("pathParameters", request.getOrDefault("pathParameters", Map.of()));
        event.put("stageVariables", Map.of());
        event.put("requestContext", request.get("requestContext"));
        return event;
    }

    /**
     * An identity source's value in a request: {@code $request.header.<name>} (any case),
     * {@code $request.querystring.<name>} (exact), {@code $context.<path>}; empty when absent
     * ({@code $stageVariables} too: the local API has no stage variables).
     */
    static Optional<String> identityValue(String source, Map<String, Object> request) {
        if (source.startsWith("$request.header.")) {
            String name = source.substring("$request.header.".length()).toLowerCase(Locale.ROOT);
            if (name.equals("cookie") && request.get("cookies") instanceof List<?> cookies && !cookies.isEmpty()) {
                return Optional.of(String.join("; ", strings(cookies)));
            }
            return Optional.ofNullable((String) castMap(request.getOrDefault("headers", Map.of())).get(name));
        }
        if (source.startsWith("$request.querystring.")) {
            return Optional.ofNullable((String) castMap(request.getOrDefault("queryStringParameters", Map.of()))
                    .get(source.substring("$request.querystring.".length())));
        }
        if (source.startsWith("$context.")) {
            Object at = request.get("requestContext");
            for (String name : source.substring("$context.".length()).split("\\.")) {
                at = at instanceof Map<?, ?> map ? map.get(name) : null;
            }
            return Optional.ofNullable(at == null ? null : String.valueOf(at));
        }
        return Optional.empty();
    }

    private static List<String> strings(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
