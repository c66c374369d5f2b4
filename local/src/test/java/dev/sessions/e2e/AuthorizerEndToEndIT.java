package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /me} behind the session authorizer, end to end: the project's template in the local
 * runtime, whose API Gateway runs the authorizer before the route as AWS does. A live session passes
 * with its principal and the named data keys handed on; no session, an ended, rotated-away or expired
 * one gets API Gateway's 403 and the integration never runs. With answers cached, a request without
 * the cache's header gets 401 unasked, and an ended session passes until its cached answer's TTL
 * runs out: the bound docs/api.md gives.
 */
@ExtendWith(LocalServices.class)
class AuthorizerEndToEndIT {

    private static final String FORBIDDEN = "{\"message\":\"Forbidden\"}";
    private static final int IDLE_SECONDS = 5;

    @Test
    void givenSessionsInEveryState_whenGetMe_thenOnlyALiveOnePassesAndItsCallerIsKnown(AwsEndpoint aws,
            RedisEndpoint redis, @TempDir Path dir) throws Exception {
        try (ProjectRun run = ProjectRun.start(aws, "authz", Map.of("SessionAuthorizerDataKeys", "theme"),
                Map.of("REDIS_URL", redis.uri().toString(), "COOKIE_SECURE", "false", "IDLE_TIMEOUT_SECONDS",
                        Integer.toString(IDLE_SECONDS), "TOUCH_INTERVAL_SECONDS", "1"), Map.of(), 2, (f, l) -> { }, dir);
             LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, false, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> none = send(base, "GET", "/me", Map.of());
            assertEquals(403, none.statusCode(), "no identity source: the authorizer runs, finds no token, refuses");
            assertEquals(FORBIDDEN, none.body());
            assertEquals(0, run.lambda().invocations("MeFunction"), "a refused request never reaches the route");

            String principal = "alice-" + UUID.randomUUID().toString().substring(0, 8);
            HttpResponse<String> created = send(base, "POST", "/sessions", Map.of("Content-Type", "application/json"),
                    "{\"principal\":\"" + principal + "\",\"data\":{\"theme\":\"dark\",\"cart\":[1,2]}}");
            assertEquals(201, created.statusCode(), created.body());
            String token = (String) Json.parseObject(created.body(), 8).get("token");
            HttpResponse<String> me = send(base, "GET", "/me", bearer(token));
            assertEquals(200, me.statusCode(), me.body());
            Map<String, Object> caller = Json.parseObject(me.body(), 8);
            assertEquals(principal, caller.get("principal"));
            assertEquals(session(created).get("id"), caller.get("id"));
            assertEquals(Map.of("theme", "dark"), caller.get("data"), "only the keys the stack names");
            assertTrue(!me.body().contains(token), "the token is never handed on");

            String visitor = cookieOf(send(base, "GET", "/", Map.of()));
            HttpResponse<String> anonymous = send(base, "GET", "/me", Map.of("Cookie", visitor));
            assertEquals(200, anonymous.statusCode(), anonymous.body());
            assertNull(Json.parseObject(anonymous.body(), 8).get("principal"), "a visitor's session has no principal");

            HttpResponse<String> rotation = send(base, "POST", "/sessions/current/rotate", bearer(token));
            String fresh = (String) Json.parseObject(rotation.body(), 8).get("token");
            assertEquals(FORBIDDEN, send(base, "GET", "/me", bearer(token)).body(), "rotated away: refused at once");
            assertEquals(200, send(base, "GET", "/me", bearer(fresh)).statusCode());
            assertEquals(204, send(base, "DELETE", "/sessions/current", bearer(fresh)).statusCode());
            assertEquals(FORBIDDEN, send(base, "GET", "/me", bearer(fresh)).body(), "ended: refused at once");

            HttpResponse<String> idle = send(base, "POST", "/sessions", Map.of());
            String idleToken = (String) Json.parseObject(idle.body(), 8).get("token");
            Instant expires = Instant.parse((String) session(idle).get("expiresAt"));
            // left alone (nothing reads it, which would slide it) until the service's clock is past its expiry
            Poll.until(Duration.ofSeconds(IDLE_SECONDS * 4L), "the idle session's expiry to pass",
                    () -> aws.serviceTime().isAfter(expires.plusSeconds(1)));
            assertEquals(FORBIDDEN, send(base, "GET", "/me", bearer(idleToken)).body(), "expired: refused");
            assertEquals(3, run.lambda().invocations("MeFunction"), "the route ran for the three live callers only");
        }
    }

    @Test
    void givenAnswersCachedByTheAuthorizationHeader_whenItIsMissingOrTheSessionEnds_then401UnaskedAndTheTtlBound(
            AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) throws Exception {
        try (ProjectRun run = ProjectRun.start(aws, "authz-cache", Map.of("SessionAuthorizerCacheSeconds", "5",
                "SessionAuthorizerCacheKey", "Authorization"), Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false"), Map.of(), 2, (f, l) -> { }, dir);
             LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, false, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true))) {
            String base = "http://127.0.0.1:" + server.port();
            String visitor = cookieOf(send(base, "GET", "/", Map.of()));
            HttpResponse<String> cookieOnly = send(base, "GET", "/me", Map.of("Cookie", visitor));
            assertEquals(401, cookieOnly.statusCode(), "the identity source is the Authorization header");
            assertEquals("{\"message\":\"Unauthorized\"}", cookieOnly.body());
            assertEquals(0, run.lambda().invocations("SessionAuthorizerFunction"), "API Gateway answered unasked");

            // the route's and the sessions function's first start out of the way: the 5 s below are the cache's
            String warming = (String) Json.parseObject(send(base, "POST", "/sessions", Map.of()).body(), 8).get("token");
            assertEquals(200, send(base, "GET", "/me", bearer(warming)).statusCode());
            assertEquals(204, send(base, "DELETE", "/sessions/current", bearer(warming)).statusCode());
            String token = (String) Json.parseObject(send(base, "POST", "/sessions", Map.of()).body(), 8).get("token");
            assertEquals(200, send(base, "GET", "/me", bearer(token)).statusCode());
            assertEquals(204, send(base, "DELETE", "/sessions/current", bearer(token)).statusCode());
            long asked = run.lambda().invocations("SessionAuthorizerFunction");
            // the documented trade-off: the cached allow stands until its TTL (5 s, far more than the warm
            // route's answer and the DELETE since it was cached take), then the authorizer refuses
            assertEquals(200, send(base, "GET", "/me", bearer(token)).statusCode(), "the cached allow outlives the end");
            assertEquals(asked, run.lambda().invocations("SessionAuthorizerFunction"), "answered from the cache");
            Poll.until(Duration.ofSeconds(20), "the cached allow to run out", () -> send(base, "GET", "/me",
                    bearer(token)).statusCode() == 403);
            assertTrue(run.lambda().invocations("SessionAuthorizerFunction") == asked + 1,
                    "asked once more, when the cached answer ran out");
        }
    }

    private static Map<?, ?> session(HttpResponse<String> created) {
        return (Map<?, ?>) Json.parseObject(created.body(), 8).get("session");
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static String cookieOf(HttpResponse<String> response) {
        return response.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    }

    private static HttpResponse<String> send(String base, String method, String path, Map<String, String> headers) {
        return send(base, method, path, headers, null);
    }

    private static HttpResponse<String> send(String base, String method, String path, Map<String, String> headers,
                                             String body) {
        return Requests.send(HttpClient.newHttpClient(), method, base + path, body, headers.entrySet().stream()
                .flatMap(h -> java.util.stream.Stream.of(h.getKey(), h.getValue())).toArray(String[]::new));
    }
}
