package dev.sessions.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the HttpApi events of the functions as routes, and an HttpApi's CORS and default authorizer. */
final class RouteReader {

    private final TemplateEvaluator template;

    RouteReader(TemplateEvaluator template) {
        this.template = template;
    }

    /** Every HttpApi route, in template order. */
    List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (String id : template.idsOfType(TemplateEvaluator.FUNCTION)) {
            for (Map.Entry<String, Map<String, Object>> event : template.events(id, "HttpApi").entrySet()) {
                String at = "Resources." + id + ".Properties.Events." + event.getKey() + ".Properties";
                Map<String, Object> props = event.getValue();
                String apiId = apiReference(template.rawEventProperty(id, event.getKey(), "ApiId"), at);
                String path = Props.string(props, "Path", at, null);
                String method = Props.string(props, "Method", at, null);
                if (path != null && method == null) {
                    method = "ANY";
                }
                Map<String, Object> auth = Props.map(props.get("Auth"));
                String authorizer = Props.string(auth, "Authorizer", at + ".Auth", null);
                if (authorizer == null) {
                    authorizer = defaultAuthorizer(apiId);
                }
                String upper = method == null ? null : method.toUpperCase(Locale.ROOT);
                Object guard = authorizer == null || authorizer.equals("AWS_IAM") || authorizer.equals("NONE")
                        ? definedInBody(apiId, upper, path)
                        : samAuthorizer(apiId, authorizer, Props.strings(auth.get("AuthorizationScopes")), at + ".Auth");
                routes.add(new Route(id, apiId, upper, path, Props.string(props, "PayloadFormatVersion", at, "2.0"),
                        "AWS_IAM".equals(authorizer), Props.integer(props, "TimeoutInMillis", at, 30_000),
                        guard instanceof JwtAuthorizer jwt ? jwt : null,
                        guard instanceof LambdaAuthorizer lambda ? lambda : null));
            }
        }
        return routes;
    }

    /** The evaluated CorsConfiguration of an HttpApi (Globals.HttpApi merged in), or an empty map when it has none. */
    Map<String, Object> cors(String apiId) {
        if (!template.isType(apiId, TemplateEvaluator.HTTP_API)) {
            return Map.of();
        }
        return Props.map(apiProperties(apiId).get("CorsConfiguration"));
    }

    /**
     * The HttpApi's DefaultRouteSettings throttle, {@code [rate, burst]} (requests a second, and the
     * bucket's size), which API Gateway applies to each route; empty when it sets none.
     */
    java.util.Optional<double[]> routeThrottle(String apiId) {
        if (!template.isType(apiId, TemplateEvaluator.HTTP_API)) {
            return java.util.Optional.empty();
        }
        Map<String, Object> settings = Props.map(apiProperties(apiId).get("DefaultRouteSettings"));
        Object rate = settings.get("ThrottlingRateLimit");
        Object burst = settings.get("ThrottlingBurstLimit");
        if (rate == null && burst == null) {
            return java.util.Optional.empty();
        }
        String at = apiId + ".DefaultRouteSettings";
        return java.util.Optional.of(new double[] {rate == null ? Double.MAX_VALUE : number(rate, at + ".ThrottlingRateLimit"),
                burst == null ? Double.MAX_VALUE : number(burst, at + ".ThrottlingBurstLimit")});
    }

    private static double number(Object value, String at) {
        try {
            return Double.parseDouble(String.valueOf(value));
        } catch (NumberFormatException e) {
            throw new TemplateException(at + " must be a number, not " + value);
        }
    }

    private Map<String, Object> apiProperties(String apiId) {
        return template.propertiesWithGlobals(apiId, "HttpApi", Set.of());
    }

    private String apiReference(Object apiId, String at) {
        if (apiId == null) {
            return "ServerlessHttpApi";
        }
        if (apiId instanceof Map<?, ?> map && map.get("Ref") instanceof String ref && template.resource(ref) != null) {
            return ref;
        }
        throw new TemplateException(at + ".ApiId must be !Ref to an HttpApi of this template");
    }

    /**
     * The authorizer SAM's {@code Auth.Authorizers} names: a JWT authorizer ({@code JwtConfiguration}:
     * issuer, audience; {@code IdentitySource}), or a Lambda authorizer ({@code FunctionArn},
     * {@code AuthorizerPayloadFormatVersion}, {@code EnableSimpleResponses}, {@code Identity}).
     */
    private Object samAuthorizer(String apiId, String name, List<String> scopes, String at) {
        Map<String, Object> definition = Props.map(Props.map(Props.map(apiProperties(apiId).get("Auth"))
                .get("Authorizers")).get(name));
        if (definition.get("FunctionArn") != null) {
            return samLambda(name, definition, at);
        }
        if (definition.isEmpty() || !(definition.get("JwtConfiguration") instanceof Map<?, ?> config)) {
            throw new TemplateException(at + ".Authorizer " + name + " is neither a JWT nor a Lambda authorizer of "
                    + apiId + "'s Auth.Authorizers");
        }
        return jwt(name, Props.map(config), String.valueOf(definition.getOrDefault("IdentitySource",
                "$request.header.Authorization")), scopes, at);
    }

    /** SAM's Lambda authorizer: identity sources from {@code Identity}'s headers, query strings, context and stage variables. */
    private static LambdaAuthorizer samLambda(String name, Map<String, Object> definition, String at) {
        Map<String, Object> identity = Props.map(definition.get("Identity"));
        List<String> sources = new ArrayList<>();
        Props.strings(identity.get("Headers")).forEach(h -> sources.add("$request.header." + h));
        Props.strings(identity.get("QueryStrings")).forEach(q -> sources.add("$request.querystring." + q));
        Props.strings(identity.get("Context")).forEach(c -> sources.add("$context." + c));
        Props.strings(identity.get("StageVariables")).forEach(v -> sources.add("$stageVariables." + v));
        Object version = definition.get("AuthorizerPayloadFormatVersion");
        if (version == null) {
            throw new TemplateException(at + ": Lambda authorizer " + name + " needs AuthorizerPayloadFormatVersion"
                    + " (SAM requires it)");
        }
        return lambda(name, String.valueOf(definition.get("FunctionArn")), String.valueOf(version),
                Boolean.parseBoolean(String.valueOf(definition.getOrDefault("EnableSimpleResponses", "false"))), sources,
                Props.integer(identity, "ReauthorizeEvery", at + ".Identity", 0), at);
    }

    private static LambdaAuthorizer lambda(String name, String functionArn, String version, boolean simple,
                                           List<String> sources, int ttl, String at) {
        if (!version.equals("2.0") && !version.equals("1.0")) {
            throw new TemplateException(at + ": Lambda authorizer " + name + " has payload format " + version
                    + "; API Gateway takes 1.0 or 2.0");
        }
        if (simple && version.equals("1.0")) {
            throw new TemplateException(at + ": Lambda authorizer " + name + " enables simple responses, which API"
                    + " Gateway takes with payload format 2.0 only");
        }
        if (ttl < 0 || ttl > 3600) {
            throw new TemplateException(at + ": Lambda authorizer " + name + " caches for " + ttl
                    + " s; API Gateway takes 0 to 3600");
        }
        if (ttl > 0 && sources.isEmpty()) {
            throw new TemplateException(at + ": Lambda authorizer " + name + " caches answers but names no identity"
                    + " source to key them by; API Gateway requires one when caching is on");
        }
        return new LambdaAuthorizer(name, functionArn, version, simple, sources, ttl);
    }

    /** The function ARN of an {@code authorizerUri} ({@code arn:…:lambda:path/2015-03-31/functions/<arn>/invocations}). */
    private static String functionOf(String uri, String at) {
        String marker = "/functions/";
        int from = uri.indexOf(marker);
        int to = uri.lastIndexOf("/invocations");
        if (from < 0 || to < from) {
            throw new TemplateException(at + ": authorizerUri " + uri + " does not name a Lambda function's invocations");
        }
        return uri.substring(from + marker.length(), to);
    }

    /**
     * The authorizer the HttpApi's {@code DefinitionBody} puts on a route: the operation's
     * {@code security} naming a scheme of {@code components.securitySchemes} whose
     * {@code x-amazon-apigateway-authorizer} is of type jwt ({@link JwtAuthorizer}) or request
     * ({@link LambdaAuthorizer}); {@code null} when it names none.
     */
    private Object definedInBody(String apiId, String method, String path) {
        if (!template.isType(apiId, TemplateEvaluator.HTTP_API) || method == null || path == null) {
            return null;
        }
        Map<String, Object> body = Props.map(apiProperties(apiId).get("DefinitionBody"));
        Map<String, Object> operation = Props.map(Props.map(Props.map(body.get("paths")).get(path))
                .get(method.toLowerCase(Locale.ROOT)));
        String at = "Resources." + apiId + ".Properties.DefinitionBody.paths." + path + "." + method.toLowerCase(Locale.ROOT);
        if (!(operation.get("security") instanceof List<?> security)) {
            return null;
        }
        for (Object requirement : security) {
            for (Map.Entry<String, Object> scheme : Props.map(requirement).entrySet()) {
                Map<String, Object> authorizer = Props.map(Props.map(Props.map(Props.map(body.get("components"))
                        .get("securitySchemes")).get(scheme.getKey())).get("x-amazon-apigateway-authorizer"));
                if ("request".equals(authorizer.get("type"))) {
                    Object sources = authorizer.get("identitySource");
                    return lambda(scheme.getKey(), functionOf(String.valueOf(authorizer.get("authorizerUri")), at),
                            String.valueOf(authorizer.get("authorizerPayloadFormatVersion")),
                            Boolean.parseBoolean(String.valueOf(authorizer.getOrDefault("enableSimpleResponses", "false"))),
                            // AWS documents a comma-separated string; SAM writes a list
                            sources instanceof String text ? java.util.Arrays.stream(text.split(",")).map(String::trim)
                                    .filter(v -> !v.isEmpty()).toList() : Props.strings(sources),
                            Props.integer(authorizer, "authorizerResultTtlInSeconds", at, 300), at);
                }
                if (!"jwt".equals(authorizer.get("type"))) {
                    throw new TemplateException(at + ".security names " + scheme.getKey() + ", which is neither a JWT"
                            + " nor a request authorizer of components.securitySchemes");
                }
                return jwt(scheme.getKey(), Props.map(authorizer.get("jwtConfiguration")),
                        String.valueOf(authorizer.getOrDefault("identitySource", "$request.header.Authorization")),
                        Props.strings(scheme.getValue()), at);
            }
        }
        return null;
    }

    private static JwtAuthorizer jwt(String name, Map<String, Object> config, String identitySource, List<String> scopes,
                                     String at) {
        Object issuer = config.getOrDefault("issuer", config.get("Issuer"));
        List<String> audiences = Props.strings(config.getOrDefault("audience", config.get("Audience")));
        if (!(issuer instanceof String text) || text.isBlank() || audiences.isEmpty()) {
            throw new TemplateException(at + ": JWT authorizer " + name + " needs an issuer and at least one audience");
        }
        String prefix = "$request.header.";
        if (!identitySource.startsWith(prefix)) {
            throw new TemplateException(at + ": JWT authorizer " + name + " reads " + identitySource
                    + "; the local runtime reads a token from a header ($request.header.<name>)");
        }
        return new JwtAuthorizer(name, text, audiences, identitySource.substring(prefix.length()).toLowerCase(Locale.ROOT),
                scopes.stream().filter(s -> !s.isEmpty()).toList());
    }

    private String defaultAuthorizer(String apiId) {
        if (template.resource(apiId) == null) {
            return null;
        }
        return Props.string(Props.map(apiProperties(apiId).get("Auth")), "DefaultAuthorizer",
                "Resources." + apiId + ".Properties.Auth", null);
    }
}
