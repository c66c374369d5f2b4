package dev.sessions.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.local.template.Route;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static Route route(String method, String path, String function) {
        return new Route(function, "Api", method, path, "2.0", false, 30_000);
    }

    private final RouteTable table = new RouteTable(List.of(
            route("GET", "/items/{id}", "ById"),
            route("GET", "/items/special", "Special"),
            route("ANY", "/items/{id}", "AnyById"),
            route("ANY", "/files/{proxy+}", "Files"),
            route("DELETE", "/admin/principals/{principal}/sessions", "Admin")));

    private String functionFor(String method, String path) {
        return table.match(method, path).map(m -> m.route().functionId()).orElse("none");
    }

    @Test
    void givenLiteralAndVariableRoutes_whenMatched_thenMostSpecificWins() {
        assertEquals("Special", functionFor("GET", "/items/special"));
        assertEquals("ById", functionFor("GET", "/items/42"));
        assertEquals("AnyById", functionFor("PUT", "/items/42"), "ANY matches a method without its own route");
    }

    @Test
    void givenGreedyRoute_whenMatched_thenRestOfPathIsItsParameter() {
        RouteTable.Match match = table.match("GET", "/files/a/b%20c.txt").orElseThrow();

        assertEquals(Map.of("proxy", "a/b c.txt"), match.pathParameters());
        assertEquals("none", functionFor("GET", "/files"), "a greedy variable needs at least one segment");
    }

    @Test
    void givenVariable_whenMatched_thenDecodedValueBound() {
        RouteTable.Match match = table.match("DELETE", "/admin/principals/a%2Fb/sessions").orElseThrow();

        assertEquals(Map.of("principal", "a/b"), match.pathParameters());
    }

    @Test
    void givenNoRoute_whenMatched_thenNothingOrDefault() {
        assertTrue(table.match("GET", "/items").isEmpty());
        assertTrue(table.match("POST", "/items/1/extra").isEmpty());
        RouteTable withDefault = new RouteTable(List.of(route(null, null, "Fallback")));
        assertEquals("$default", withDefault.match("GET", "/anything").orElseThrow().route().routeKey());
    }
}
