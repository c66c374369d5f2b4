package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.SignedRequests;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on DynamoDB as it reads, over HTTP through the local runtime: the harness's reads
 * lag the writes by a second, and each check runs against the system with its cache replica and
 * without one. A token works the moment its create or rotation answered; a PATCH is visible to
 * the next read; ended and replaced tokens get 401 at once on every route; an admin revoke
 * catches a session however it rotated.
 */
@ExtendWith(LocalServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsistencyEndToEndIT {

    /** One deployment: the runtime, its HTTP front and its address. */
    private record Stack(String name, ProjectRun run, LocalServer server, String base) {
        boolean cached() {
            return name.equals("cached");
        }
    }

    private AwsEndpoint aws;
    private List<Stack> stacks;

    @BeforeAll
    void start(AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        assertFalse(aws.readLag().isZero(), "these checks mean something only where reads lag");
        this.aws = aws;
        stacks = List.of(stack("cached", aws, Map.of("REDIS_URL", redis.uri().toString()), dir.resolve("cached")),
                stack("uncached", aws, Map.of("REDIS_URL", ""), dir.resolve("uncached")));
    }

    private static Stack stack(String name, AwsEndpoint aws, Map<String, String> redis, Path dir) {
        Map<String, String> overrides = new java.util.HashMap<>(redis);
        overrides.put("COOKIE_SECURE", "false");
        ProjectRun run = ProjectRun.start(aws, "lag-" + name, overrides, Map.of(), 2, (f, l) -> { }, dir);
        // without a replica there is nothing for the streams to keep (the aggregates are not checked here)
        LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, name.equals("cached"), dir.resolve("dead-letters"),
                new PrintStream(OutputStream.nullOutputStream()));
        return new Stack(name, run, server, "http://127.0.0.1:" + server.port());
    }

    @AfterAll
    void stop() {
        stacks.forEach(stack -> stack.server().close());
    }

    @Test
    void givenANewOrRotatedToken_whenUsedAtOnce_thenItWorksAndThePatchIsReadBack() {
        for (Stack stack : stacks) {
            String token = token(send(stack, "POST", "/sessions", null, null));

            assertEquals(200, send(stack, "GET", "/sessions/current", token, null).statusCode(), stack.name());
            HttpResponse<String> patched = send(stack, "PATCH", "/sessions/current", token, "{\"theme\":\"light\"}");
            HttpResponse<String> read = send(stack, "GET", "/sessions/current", token, null);
            assertEquals(200, patched.statusCode(), stack.name() + ": " + patched.body());
            assertEquals("light", data(read).get("theme"), stack.name() + ": the next read shows the patch");
            assertEquals(patched.headers().firstValue("etag"), read.headers().firstValue("etag"), stack.name());

            String rotated = token(send(stack, "POST", "/sessions/current/rotate", token, null));
            assertEquals(200, send(stack, "GET", "/sessions/current", rotated, null).statusCode(), stack.name());
        }
    }

    @Test
    void givenEndedAndReplacedTokens_whenUsedAtOnceOnEveryRoute_thenEach401() {
        for (Stack stack : stacks) {
            String ended = token(send(stack, "POST", "/sessions", null, null));
            String replaced = token(send(stack, "POST", "/sessions", null, null));
            // wait until a stale read would return both (the table's lagging copy and the replica have
            // them): only then does a 401 show that no read was stale
            aws.awaitReadsCaughtUp();
            for (String token : List.of(ended, replaced)) {
                Poll.until(Duration.ofSeconds(15), "the session in the replica", () -> !stack.cached()
                        || "hit".equals(send(stack, "GET", "/sessions/current", token, null).headers()
                                .firstValue("x-cache").orElse("")));
            }

            assertEquals(204, send(stack, "DELETE", "/sessions/current", ended, null).statusCode());
            assertEquals(200, send(stack, "POST", "/sessions/current/rotate", replaced, null).statusCode());

            for (String token : List.of(ended, replaced)) {
                String where = stack.name() + ", " + (token.equals(ended) ? "ended" : "replaced");
                assertEquals(401, send(stack, "GET", "/sessions/current", token, null).statusCode(), where);
                assertEquals(401, send(stack, "PATCH", "/sessions/current", token, "{\"a\":1}").statusCode(), where);
                assertEquals(401, send(stack, "POST", "/sessions/current/rotate", token, null).statusCode(), where);
                HttpResponse<String> visit = send(stack, "GET", "/", token, null);
                assertEquals("You have visited 1 times.", visit.body(), where + ": a visit starts a new session");
            }
        }
    }

    @Test
    void givenASessionRotatedJustBeforeARevoke_whenRevoked_thenItsNewTokenGets401AndTheListingIsEmpty() {
        for (Stack stack : stacks) {
            String principal = "rotating-" + UUID.randomUUID().toString().substring(0, 8);
            String token = token(send(stack, "POST", "/sessions", null, "{\"principal\":\"" + principal + "\"}"));
            String listing = "/admin/principals/" + principal + "/sessions";
            Poll.until(Duration.ofSeconds(15), "the session listed", () -> signed(stack, "GET", listing),
                    r -> ((List<?>) Json.parseObject(r.body(), 16).get("sessions")).size() == 1);
            // the index now lists the session under the id it is about to leave
            String rotated = token(send(stack, "POST", "/sessions/current/rotate", token, null));

            HttpResponse<String> listed = signed(stack, "GET", listing);
            HttpResponse<String> revoked = signed(stack, "DELETE", listing);

            assertEquals(1, ((List<?>) Json.parseObject(listed.body(), 16).get("sessions")).size(),
                    stack.name() + ": listed under its new id: " + listed.body());
            assertEquals(Map.of("revoked", java.math.BigDecimal.ONE, "complete", true),
                    Json.parseObject(revoked.body(), 4), stack.name());
            assertEquals(401, send(stack, "GET", "/sessions/current", rotated, null).statusCode(), stack.name());
            assertNotEquals(token, rotated);
        }
    }

    private static String token(HttpResponse<String> issued) {
        assertEquals(issued.request().method().equals("POST") && issued.request().uri().getPath().equals("/sessions")
                ? 201 : 200, issued.statusCode(), issued.body());
        return (String) Json.parseObject(issued.body(), 16).get("token");
    }

    private static Map<?, ?> data(HttpResponse<String> read) {
        assertEquals(200, read.statusCode(), read.body());
        return (Map<?, ?>) Json.parseObject(read.body(), 16).get("data");
    }

    private static HttpResponse<String> send(Stack stack, String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.base() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    private static HttpResponse<String> signed(Stack stack, String method, String path) {
        try {
            return HttpClient.newHttpClient().send(SignedRequests.sign(method, URI.create(stack.base() + path), null,
                    stack.run().iam().caller().accessKeyId(), stack.run().iam().caller().secret(), "execute-api",
                    stack.run().template().settings().region()), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }
}
