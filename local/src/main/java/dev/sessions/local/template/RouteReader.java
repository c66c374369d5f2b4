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
                String authorizer = Props.string(Props.map(props.get("Auth")), "Authorizer", at + ".Auth", null);
                if (authorizer == null) {
                    authorizer = defaultAuthorizer(apiId);
                }
                routes.add(new Route(id, apiId, method == null ? null : method.toUpperCase(Locale.ROOT), path,
                        Props.string(props, "PayloadFormatVersion", at, "2.0"), "AWS_IAM".equals(authorizer),
                        Props.integer(props, "TimeoutInMillis", at, 30_000)));
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

    private String defaultAuthorizer(String apiId) {
        if (template.resource(apiId) == null) {
            return null;
        }
        return Props.string(Props.map(apiProperties(apiId).get("Auth")), "DefaultAuthorizer",
                "Resources." + apiId + ".Properties.Auth", null);
    }
}
