package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessions.json.Json;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.LocalServer;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateful design's data sync end to end: visits through the HTTP API reach the aggregates
 * and the cache replica through the stream pollers, on a stack of its own (so its counts are all
 * this test's).
 */
@ExtendWith(LocalServices.class)
class SyncEndToEndIT {

    private static LocalServer server;
    private static String base;

    @BeforeAll
    static void start(AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        ProjectRun run = ProjectRun.start(aws, "sync", Map.of("REDIS_URL", redis.uri().toString(), "COOKIE_SECURE",
                "false"), Map.of(), 2, (f, l) -> { }, dir);
        server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                new PrintStream(System.err, true));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(HttpClient client, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        }
    }

    @Test
    void givenVisits_whenTheStreamIsPolled_thenStatsAndTheCachedSessionShowThem() {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        int visits = 7;
        for (int i = 1; i <= visits; i++) {
            assertEquals("You have visited " + i + " times.", get(browser, "/").body());
        }

        HttpResponse<String> stats = Poll.until(Duration.ofSeconds(30), "/stats to count " + visits + " visits",
                () -> get(HttpClient.newHttpClient(), "/stats"),
                r -> new BigDecimal(visits).equals(Json.parseObject(r.body(), 4).get("visits")));
        HttpResponse<String> cached = Poll.until(Duration.ofSeconds(30), "the replica to hold the session",
                () -> get(browser, "/sessions/current"), r -> "hit".equals(r.headers().firstValue("x-cache").orElse(""))
                        && new BigDecimal(visits).equals(Json.parseObject(r.body(), 8).get("visits")));

        assertEquals(Map.of("visits", new BigDecimal(visits), "sessionsCreated", BigDecimal.ONE,
                "activeSessions", BigDecimal.ONE), Json.parseObject(stats.body(), 4));
        assertEquals(200, cached.statusCode());
    }
}
