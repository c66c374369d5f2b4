package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Sessions that expire, end to end: DynamoDB's TTL deletes them (as the local world emulates it,
 * with the service's identity on the stream's REMOVE records), and the stream consumers act on those
 * records as on AWS: the replica tombstones each session, the active count drops by one per
 * session, and a rotation's expired forward pointer counts for nothing. On a stack of its own, whose
 * sessions idle out after 5 seconds and live 20 at most (the pointer lives as long): the test keeps
 * them in use until both are counted (however slow the stream), then lets them go.
 */
@ExtendWith(LocalServices.class)
class ExpiryEndToEndIT {

    @Test
    void givenSessionsAndARotation_whenTtlDeletesThemAll_thenTheReplicaTombstonesThemAndNoneStaysActive(
            AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) throws Exception {
        try (ProjectRun run = ProjectRun.start(aws, "expiry", Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false", "IDLE_TIMEOUT_SECONDS", "5", "ABSOLUTE_TIMEOUT_SECONDS", "20",
                "TOUCH_INTERVAL_SECONDS", "1"), Map.of(), 2, (f, l) -> { }, dir);
             LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true));
             DynamoDbClient dynamo = aws.dynamoDb()) {
            String base = "http://127.0.0.1:" + server.port();
            String table = run.template().tables().get("SessionsTable").name();
            // every function started before any session's idle seconds begin: a cold start takes longer
            stats(base);
            send(base, "GET", "/sessions/current", null);
            String visitor = created(send(base, "GET", "/", null));
            String rotatedAway = (String) Json.parseObject(send(base, "POST", "/sessions", null).body(), 8).get("token");
            String rotated = (String) Json.parseObject(send(base, "POST", "/sessions/current/rotate", rotatedAway).body(), 8)
                    .get("token");
            // each read slides a session's idle window: in use, neither expires before both are counted
            Poll.until(Duration.ofSeconds(30), "two active sessions counted", () -> {
                for (String token : List.of(visitor, rotated)) {
                    assertEquals(200, send(base, "GET", "/sessions/current", token).statusCode(), "still live");
                }
                return stats(base);
            }, s -> new BigDecimal(2).equals(s.get("activeSessions")));

            List<String> ids = List.of(id(visitor), id(rotatedAway), id(rotated));
            Poll.until(Duration.ofSeconds(60), "TTL to delete both sessions and the pointer", () -> ids.stream()
                    .allMatch(id -> dynamo.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS(id)))
                            .consistentRead(true)).item().isEmpty()));

            Map<String, Object> stats = Poll.until(Duration.ofSeconds(30), "the expiries counted", () -> stats(base),
                    s -> BigDecimal.ZERO.equals(s.get("activeSessions")));
            assertEquals(new BigDecimal(2), stats.get("sessionsCreated"), "a rotation creates none");
            try (RedisConnection connection = new RedisConnection(RedisConnection.Settings.fromUrl(redis.uri().toString(),
                    Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
                for (String token : List.of(visitor, rotated)) {
                    Poll.until(Duration.ofSeconds(30), "the replica to tombstone the expired session",
                            () -> Long.valueOf(1).equals(connection.call("HEXISTS", RedisCacheReplica.key(id(token)),
                                    "tombstone")));
                }
            }
            // a session created after the three deletes is counted after them (the emulator's stream is one
            // shard, read in order): once it is, the pointer's removal has been counted too, and for nothing
            // (kept in use, so that it does not expire meanwhile; the totals' counters are read one by one)
            String newer = (String) Json.parseObject(send(base, "POST", "/sessions", null).body(), 8).get("token");
            Poll.until(Duration.ofSeconds(30), "the newer session counted, and the pointer's removal for nothing", () -> {
                assertEquals(200, send(base, "GET", "/sessions/current", newer).statusCode(), "still live");
                return stats(base);
            }, s -> new BigDecimal(3).equals(s.get("sessionsCreated")) && BigDecimal.ONE.equals(s.get("activeSessions")));
        }
    }

    private static String id(String token) {
        return SessionToken.parse(token).orElseThrow().id();
    }

    /** The token a response's session cookie carries. */
    private static String created(HttpResponse<String> response) {
        String cookie = response.headers().firstValue("set-cookie").orElseThrow();
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    private static Map<String, Object> stats(String base) {
        return Json.parseObject(send(base, "GET", "/stats", null).body(), 4);
    }

    private static HttpResponse<String> send(String base, String method, String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }
}
