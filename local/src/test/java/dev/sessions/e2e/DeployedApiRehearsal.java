package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.SignedRequests;
import dev.sessions.testing.Poll;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API of a deployed stack, through the API Gateway it was deployed to: scripts/rehearse runs it
 * against MiniStack ({@code -Dit.test=DeployedApiRehearsal -Dsessions.api.url=<ApiUrl>}); any
 * deployed stack's ApiUrl works (the admin calls are signed with the environment's credentials).
 * Not an IT: it needs a deployed stack, so it runs only where one is named.
 */
class DeployedApiRehearsal {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String base;

    @BeforeAll
    static void named() {
        base = System.getProperty("sessions.api.url", "");
        assertTrue(base.startsWith("http"), "name the deployed API: -Dsessions.api.url=<the stack's ApiUrl>");
        if (!base.endsWith("/")) {
            base += "/";
        }
    }

    private static HttpResponse<String> send(HttpClient client, String method, String path, String body,
                                             Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        }
    }

    private static Map<String, Object> json(HttpResponse<String> response) {
        return Json.parseObject(response.body(), 64);
    }

    @Test
    void givenTheStatelessRoute_whenCalled_thenHello() {
        HttpResponse<String> hello = send(HTTP, "GET", "hello", null, Map.of());

        assertEquals(200, hello.statusCode(), hello.body());
        assertEquals("Hello, World!", hello.body());
    }

    @Test
    void givenABrowser_whenItVisitsTwice_thenTheCountGoesUpAndTheAggregatesHearOfIt() {
        Map<String, Object> before = json(send(HTTP, "GET", "stats", null, Map.of()));
        HttpResponse<String> first = send(HTTP, "GET", "", null, Map.of());
        // the cookie back as a browser on the deployed https URL sends it (a cookie jar keeps a
        // Secure cookie from the emulator's plain http)
        String cookie = first.headers().firstValue("set-cookie").orElse("").split(";")[0];
        HttpResponse<String> second = send(HTTP, "GET", "", null, Map.of("Cookie", cookie));

        assertEquals(200, first.statusCode(), first.body());
        assertEquals("You have visited 1 times.", first.body());
        assertEquals("You have visited 2 times.", second.body(), "the cookie came back: " + first.headers().map());
        // the stream mapping delivers the table's changes to the aggregates function
        long visitsBefore = ((BigDecimal) before.get("visits")).longValue();
        Poll.until(Duration.ofSeconds(60), "the two visits counted by the aggregates",
                () -> json(send(HTTP, "GET", "stats", null, Map.of())),
                stats -> ((BigDecimal) stats.get("visits")).longValue() >= visitsBefore + 2);
    }

    @Test
    void givenASessionOfAPrincipal_whenReadPatchedRotatedAndEnded_thenEachAsTheContractSays() {
        String principal = "rehearsal-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = send(HTTP, "POST", "sessions", "{\"principal\":\"" + principal
                + "\",\"data\":{\"theme\":\"dark\"}}", Map.of("Content-Type", "application/json",
                "Idempotency-Key", "rehearsal-" + UUID.randomUUID()));
        assertEquals(201, created.statusCode(), created.body());
        String token = (String) json(created).get("token");
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);

        HttpResponse<String> read = send(HTTP, "GET", "sessions/current?consistent=true", null, bearer);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(Map.of("theme", "dark"), json(read).get("data"));

        HttpResponse<String> patched = send(HTTP, "PATCH", "sessions/current", "{\"cart\":[1]}",
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/merge-patch+json",
                        "If-Match", "\"1\""));
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals("\"2\"", patched.headers().firstValue("etag").orElse(null));

        HttpResponse<String> rotated = send(HTTP, "POST", "sessions/current/rotate", null, bearer);
        assertEquals(200, rotated.statusCode(), rotated.body());
        String fresh = (String) json(rotated).get("token");
        assertNotEquals(token, fresh);
        assertEquals(401, send(HTTP, "GET", "sessions/current?consistent=true", null, bearer).statusCode(),
                "the old token stops at once");

        String region = System.getenv().getOrDefault("AWS_REGION", "us-east-1");
        URI listing = URI.create(base + "admin/principals/" + principal + "/sessions");
        HttpResponse<String> listed = Poll.until(Duration.ofSeconds(30), "the session listed under its principal",
                () -> signed("GET", listing, region), r -> r.statusCode() == 200
                        && ((List<?>) json(r).get("sessions")).size() == 1);
        assertTrue(listed.body().contains(principal), listed.body());

        assertEquals(204, send(HTTP, "DELETE", "sessions/current", null, Map.of("Authorization", "Bearer " + fresh))
                .statusCode());
        HttpResponse<String> ended = send(HTTP, "GET", "sessions/current?consistent=true", null,
                Map.of("Authorization", "Bearer " + fresh));
        assertEquals(401, ended.statusCode(), ended.body());
        assertEquals("application/problem+json", ended.headers().firstValue("content-type").orElse(null));
    }

    @Test
    void givenTheSessionAuthorizer_whenGetMe_thenALiveSessionsPrincipalAndApiGatewaysRefusalOtherwise() {
        String principal = "me-" + UUID.randomUUID().toString().substring(0, 8);
        String token = (String) json(send(HTTP, "POST", "sessions", "{\"principal\":\"" + principal + "\"}",
                Map.of("Content-Type", "application/json"))).get("token");

        HttpResponse<String> me = send(HTTP, "GET", "me", null, Map.of("Authorization", "Bearer " + token));
        assertEquals(200, me.statusCode(), me.body());
        assertEquals(principal, json(me).get("principal"));
        HttpResponse<String> none = send(HTTP, "GET", "me", null, Map.of());
        assertEquals(403, none.statusCode(), none.body());
        assertEquals(204, send(HTTP, "DELETE", "sessions/current", null, Map.of("Authorization", "Bearer " + token))
                .statusCode());
        assertEquals(403, send(HTTP, "GET", "me", null, Map.of("Authorization", "Bearer " + token)).statusCode(),
                "ended: refused at once");
    }

    private static HttpResponse<String> signed(String method, URI uri, String region) {
        String key = System.getenv().getOrDefault("AWS_ACCESS_KEY_ID", "test");
        String secret = System.getenv().getOrDefault("AWS_SECRET_ACCESS_KEY", "test");
        try {
            return HTTP.send(SignedRequests.sign(method, uri, null, key, secret, "execute-api", region),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
