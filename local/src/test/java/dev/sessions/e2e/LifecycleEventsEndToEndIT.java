package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.SignedRequests;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.EventBusFixture;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other services learn when a session starts and ends, end to end: the project's stack in the local
 * runtime (the stream read as Lambda reads it, the function as its role), its lifecycle events on
 * the stack's EventBridge bus in the emulator, and a consumer's rule sending them to a queue. A
 * session signs in over a visitor's, rotates, signs out, is revoked by an administrator, is replaced
 * by another user's sign-in, is revoked by the session limit, is ended from another device and
 * expires (TTL deletes, as the local world emulates them); each start and end reaches the queue,
 * once after dedupe on its eventId, in each session's order when ordered by sequence (as a consumer
 * must: EventBridge does not keep order), with its reason and never its token or data.
 */
@ExtendWith(LocalServices.class)
class LifecycleEventsEndToEndIT {

    @Test
    void givenEveryWayASessionEnds_whenItHappens_thenTheQueueGetsEachStartAndEndWithItsReason(AwsEndpoint aws,
            RedisEndpoint redis, @TempDir Path dir) {
        try (ProjectRun run = ProjectRun.start(aws, "lifecycle", Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false", "IDLE_TIMEOUT_SECONDS", "15", "TOUCH_INTERVAL_SECONDS", "1",
                "MAX_SESSIONS_PER_PRINCIPAL", "2"), Map.of(), 2, (f, l) -> { }, dir);
             LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true));
             EventBusFixture consumer = EventBusFixture.subscribe(aws, run.lambda().template().function(
                     "AggregatesFunction").environment().get("EVENT_BUS_NAME"))) {
            String base = "http://127.0.0.1:" + server.port();
            String alice = "alice-" + UUID.randomUUID().toString().substring(0, 8);
            String bob = "bob-" + UUID.randomUUID().toString().substring(0, 8);
            HttpClient laptop = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

            String visitor = id(send(laptop, base, "GET", "/", null));
            Map<String, Object> signedIn = created(send(laptop, base, "POST", "/sessions", "{\"principal\":\"" + alice + "\"}"));
            String aliceLaptop = sessionId(signedIn);
            String rotated = sessionId(Json.parseObject(send(laptop, base, "POST", "/sessions/current/rotate", null)
                    .body(), 8));
            assertEquals(204, send(laptop, base, "DELETE", "/sessions/current", null).statusCode());

            String revoked = sessionId(created(send(client(), base, "POST", "/sessions", "{\"principal\":\"" + bob + "\"}")));
            var caller = run.iam().caller();
            URI listing = URI.create(base + "/admin/principals/" + bob + "/sessions");
            Poll.until(Duration.ofSeconds(30), "bob's session revoked by the administrator", () -> signed(listing, "DELETE",
                    caller, run), r -> r.statusCode() == 200 && r.body().contains("\"revoked\":1"));

            HttpClient shared = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            String alicesOnShared = sessionId(created(send(shared, base, "POST", "/sessions", "{\"principal\":\"" + alice
                    + "\"}")));
            String bobsOnShared = sessionId(created(send(shared, base, "POST", "/sessions", "{\"principal\":\"" + bob
                    + "\"}")));

            // alice has one live session (alicesOnShared ended): two more, and the limit of 2 revokes the oldest
            HttpClient phone = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            HttpClient tablet = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            String alicePhone = sessionId(created(send(phone, base, "POST", "/sessions", "{\"principal\":\"" + alice + "\"}")));
            String aliceTablet = sessionId(created(send(tablet, base, "POST", "/sessions", "{\"principal\":\"" + alice
                    + "\"}")));
            // the limit decides from the principal index, which trails the writes: each device's listing
            // shows the other once the index has both
            Poll.until(Duration.ofSeconds(30), "alice's phone and tablet in the index", () ->
                    send(phone, base, "GET", "/sessions", null).body().contains(aliceTablet)
                            && send(tablet, base, "GET", "/sessions", null).body().contains(alicePhone));
            HttpClient desk = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            HttpResponse<String> third = send(desk, base, "POST", "/sessions", "{\"principal\":\"" + alice + "\"}");
            assertEquals("1", third.headers().firstValue("x-sessions-revoked").orElse(""), "the limit revoked one");
            String aliceDesk = sessionId(created(third));
            assertEquals(204, send(desk, base, "DELETE", "/sessions/" + aliceTablet, null, "Sec-Fetch-Site",
                    "same-origin").statusCode(), "ended from another device");

            // left alone, the desk's session idles out and TTL deletes it
            Poll.until(Duration.ofSeconds(120), "the desk's session to expire and TTL to delete it", () -> {
                List<Map<String, Object>> seen = received(consumer);
                return seen.stream().anyMatch(e -> aliceDesk.equals(detail(e).get("sessionId"))
                        && "expired".equals(detail(e).get("reason")));
            });

            Map<String, List<String>> bySession = new LinkedHashMap<>();
            Set<String> eventIds = new HashSet<>();
            // as a consumer orders them: by the stream's sequence number, not by arrival
            List<Map<String, Object>> ordered = all.stream().sorted(Comparator.comparing(
                    (Map<String, Object> e) -> new BigInteger(String.valueOf(detail(e).get("sequence"))))).toList();
            for (Map<String, Object> event : ordered) {
                Map<?, ?> detail = detail(event);
                assertFalse(Json.write(event).contains("\"data\""), "never the session's data: " + event);
                if (eventIds.add(String.valueOf(detail.get("eventId")))) {
                    bySession.computeIfAbsent(String.valueOf(detail.get("sessionId")), k -> new ArrayList<>())
                            .add(event.get("detail-type") + " " + (detail.containsKey("reason") ? detail.get("reason")
                                    : detail.get("startedBy")));
                }
            }
            assertEquals(List.of("Session Started created", "Session Ended replaced-at-sign-in"), bySession.get(visitor));
            assertEquals(List.of("Session Started signed-in", "Session Ended rotated"), bySession.get(aliceLaptop));
            assertEquals(List.of("Session Started rotated", "Session Ended signed-out"), bySession.get(rotated));
            assertEquals(List.of("Session Started created", "Session Ended revoked-by-administrator"),
                    bySession.get(revoked));
            assertEquals(List.of("Session Started created", "Session Ended replaced-at-sign-in"),
                    bySession.get(alicesOnShared));
            assertEquals("Session Started created", bySession.get(bobsOnShared).getFirst(), "still live, or idled out since");
            assertEquals(List.of("Session Started created", "Session Ended revoked-by-session-limit"),
                    bySession.get(alicePhone));
            assertEquals(List.of("Session Started created", "Session Ended ended-from-another-device"),
                    bySession.get(aliceTablet));
            assertEquals(List.of("Session Started created", "Session Ended expired"), bySession.get(aliceDesk));
            Map<?, ?> signIn = all.stream().map(LifecycleEventsEndToEndIT::detail).filter(d -> aliceLaptop.equals(
                    d.get("sessionId")) && "signed-in".equals(d.get("startedBy"))).findFirst().orElseThrow();
            assertEquals(visitor, signIn.get("predecessorId"), "a sign-in names the visitor's session it continues");
            assertEquals(alice, signIn.get("principal"));
            assertTrue(all.stream().allMatch(e -> "dev.sessions".equals(e.get("source"))));
        }
    }

    /** Every event the consumer's queue got so far, in the order it got them. */
    private final List<Map<String, Object>> all = new ArrayList<>();

    private List<Map<String, Object>> received(EventBusFixture consumer) {
        all.addAll(consumer.received());
        return all;
    }

    private static Map<?, ?> detail(Map<String, Object> event) {
        return (Map<?, ?>) event.get("detail");
    }

    private static HttpClient client() {
        return HttpClient.newHttpClient();
    }

    private static Map<String, Object> created(HttpResponse<String> response) {
        assertEquals(201, response.statusCode(), response.body());
        return Json.parseObject(response.body(), 8);
    }

    private static String sessionId(Map<String, Object> answer) {
        Object session = answer.get("session");
        return String.valueOf(((Map<?, ?>) session).get("id"));
    }

    /** The id of the session a visit started, from its cookie's token. */
    private static String id(HttpResponse<String> visit) {
        String cookie = visit.headers().firstValue("set-cookie").orElseThrow();
        return dev.sessions.domain.SessionToken.parse(cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';')))
                .orElseThrow().id();
    }

    private static HttpResponse<String> signed(URI uri, String method, dev.sessions.local.iam.Identity caller,
                                               ProjectRun run) {
        try {
            return HttpClient.newHttpClient().send(SignedRequests.sign(method, uri, null, caller.accessKeyId(),
                    caller.secret(), "execute-api", run.template().settings().region()),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> send(HttpClient client, String base, String method, String path, String body,
                                             String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (body != null) {
            all.addAll(List.of("Content-Type", "application/json"));
        }
        return Requests.send(client, method, base + path, body, all.toArray(String[]::new));
    }
}
