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
                JwtAuthorizer jwt = authorizer == null || authorizer.equals("AWS_IAM") || authorizer.equals("NONE")
                        ? definedInBody(apiId, upper, path)
                        : samAuthorizer(apiId, authorizer, Props.strings(auth.get("AuthorizationScopes")), at + ".Auth");
                routes.add(new Route(id, apiId, upper, path, Props.string(props, "PayloadFormatVersion", at, "2.0"),
                        "AWS_IAM".equals(authorizer), Props.integer(props, "TimeoutInMillis", at, 30_000), jwt));
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
     * The JWT authorizer SAM's {@code Auth.Authorizers} names: {@code JwtConfiguration} (issuer,
     * audience) and {@code IdentitySource}.
     */
    private JwtAuthorizer samAuthorizer(String apiId, String name, List<String> scopes, String at) {
        Map<String, Object> definition = Props.map(Props.map(Props.map(apiProperties(apiId).get("Auth"))
                .get("Authorizers")).get(name));
        if (definition.isEmpty() || !(definition.get("JwtConfiguration") instanceof Map<?, ?> config)) {
            throw new TemplateException(at + ".Authorizer " + name + " is not a JWT authorizer of " + apiId
                    + "'s Auth.Authorizers; the local runtime serves AWS_IAM and JWT authorizers");
        }
        return jwt(name, Props.map(config), String.valueOf(definition.getOrDefault("IdentitySource",
                "$request.header.Authorization")), scopes, at);
    }

    /**
     * The JWT authorizer the HttpApi's {@code DefinitionBody} puts on a route: the operation's
     * {@code security} naming a scheme of {@code components.securitySchemes} whose
     * {@code x-amazon-apigateway-authorizer} is of type jwt; {@code null} when it names none.
     */
    private JwtAuthorizer definedInBody(String apiId, String method, String path) {
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
                if (!"jwt".equals(authorizer.get("type"))) {
                    throw new TemplateException(at + ".security names " + scheme.getKey() + ", which is no JWT"
                            + " authorizer of components.securitySchemes");
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
