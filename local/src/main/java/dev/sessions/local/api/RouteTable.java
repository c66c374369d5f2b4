package dev.sessions.local.api;

import dev.sessions.local.template.Route;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP API's route selection: the most specific path wins (literal segments over variables,
 * variables over a greedy {@code {proxy+}}), an exact method over {@code ANY}, and
 * {@code $default} catches the rest.
 */
final class RouteTable {

    /** A chosen route and the path parameters its variables captured (decoded). */
    record Match(Route route, Map<String, String> pathParameters) {
    }

    private final List<Route> routes;

    RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    Optional<Match> match(String method, String rawPath) {
        String[] segments = split(rawPath);
        Match best = null;
        int[] bestScore = null;
        for (Route route : routes) {
            if (route.path() == null) {
                continue;
            }
            if (!route.method().equals("ANY") && !route.method().equals(method)) {
                continue;
            }
            Map<String, String> params = bind(split(route.path()), segments);
            if (params == null) {
                continue;
            }
            int[] score = score(route);
            if (bestScore == null || compare(score, bestScore) > 0) {
                best = new Match(route, params);
                bestScore = score;
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        return routes.stream().filter(r -> r.path() == null).findFirst().map(r -> new Match(r, Map.of()));
    }

    private static int[] score(Route route) {
        String[] parts = split(route.path());
        int literal = 0;
        boolean greedy = false;
        for (String part : parts) {
            if (part.endsWith("+}")) {
                greedy = true;
            } else if (!part.startsWith("{")) {
                literal++;
            }
        }
        return new int[] {greedy ? 0 : 1, literal, parts.length, route.method().equals("ANY") ? 0 : 1};
    }

    private static int compare(int[] a, int[] b) {
        return Comparator.<int[]>comparingInt(s -> s[0]).thenComparingInt(s -> s[1]).thenComparingInt(s -> s[2])
                .thenComparingInt(s -> s[3]).compare(a, b);
    }

    /** The variables of {@code pattern} bound to {@code path}, or null when it does not match. */
    private static Map<String, String> bind(String[] pattern, String[] path) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String part = pattern[i];
            if (part.startsWith("{") && part.endsWith("+}")) {
                if (i >= path.length) {
                    return null;
                }
                String rest = String.join("/", java.util.Arrays.copyOfRange(path, i, path.length));
                params.put(part.substring(1, part.length() - 2), decode(rest));
                return params;
            }
            if (i >= path.length) {
                return null;
            }
            if (part.startsWith("{") && part.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(part.substring(1, part.length() - 1), decode(path[i]));
            } else if (!part.equals(path[i])) {
                return null;
            }
        }
        return pattern.length == path.length ? params : null;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
