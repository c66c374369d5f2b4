package dev.sessions.local.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HttpApi's CorsConfiguration, applied as API Gateway applies it: preflight requests answered
 * by the gateway itself, and the allow-origin and expose headers added to every response for an
 * allowed origin.
 */
record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
            List<String> exposeHeaders, Integer maxAge, boolean allowCredentials) {

    static final Cors NONE = new Cors(List.of(), List.of(), List.of(), List.of(), null, false);

    static Cors of(Map<String, Object> configuration) {
        if (configuration.isEmpty()) {
            return NONE;
        }
        Object maxAge = configuration.get("MaxAge");
        return new Cors(list(configuration.get("AllowOrigins")), list(configuration.get("AllowMethods")),
                list(configuration.get("AllowHeaders")), list(configuration.get("ExposeHeaders")),
                maxAge == null ? null : Integer.valueOf(String.valueOf(maxAge)),
                Boolean.parseBoolean(String.valueOf(configuration.get("AllowCredentials"))));
    }

    private static List<String> list(Object value) {
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    boolean isPreflight(HttpExchange exchange) {
        return this != NONE && exchange.getRequestMethod().equalsIgnoreCase("OPTIONS")
                && exchange.getRequestHeaders().containsKey("Origin")
                && exchange.getRequestHeaders().containsKey("Access-Control-Request-Method");
    }

    /** Answers a preflight: 204 with the allowed methods and headers when the origin is allowed. */
    int answerPreflight(HttpExchange exchange) throws IOException {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (allowed(origin)) {
            var headers = exchange.getResponseHeaders();
            headers.set("Access-Control-Allow-Origin", allowOrigins.contains("*") ? "*" : origin);
            if (!allowMethods.isEmpty()) {
                headers.set("Access-Control-Allow-Methods", String.join(",", allowMethods));
            }
            if (!allowHeaders.isEmpty()) {
                headers.set("Access-Control-Allow-Headers", String.join(",", allowHeaders));
            }
            if (maxAge != null) {
                headers.set("Access-Control-Max-Age", maxAge.toString());
            }
            if (allowCredentials) {
                headers.set("Access-Control-Allow-Credentials", "true");
            }
        }
        exchange.sendResponseHeaders(204, -1);
        return 204;
    }

    /** Adds the CORS headers of a simple (non-preflight) response. */
    void decorate(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (this == NONE || origin == null || !allowed(origin)) {
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Origin", allowOrigins.contains("*") ? "*" : origin);
        if (!exposeHeaders.isEmpty()) {
            headers.set("Access-Control-Expose-Headers", String.join(",", exposeHeaders));
        }
        if (allowCredentials) {
            headers.set("Access-Control-Allow-Credentials", "true");
        }
    }

    private boolean allowed(String origin) {
        return origin != null && (allowOrigins.contains("*")
                || allowOrigins.stream().anyMatch(o -> o.toLowerCase(Locale.ROOT).equals(origin.toLowerCase(Locale.ROOT))));
    }
}
