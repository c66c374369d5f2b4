package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.SignedRequests;
import dev.sessions.local.LocalServer;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session API end to end over HTTP: the project's template and {@code sam build} artifacts in
 * the local runtime, a real emulator and Redis, and clients that keep cookies as browsers do.
 * Sessions here idle out after 8 seconds, so that expiry is seen within the test.
 */
@ExtendWith(LocalServices.class)
class ApiEndToEndIT {

    static final int IDLE_SECONDS = 8;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static ProjectRun run;
    private static LocalServer server;
    private static String base;

    @BeforeAll
    static void start(AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        Map<String, String> overrides = Map.of("REDIS_URL", redis.uri().toString(), "COOKIE_SECURE", "false",
                "IDLE_TIMEOUT_SECONDS", Integer.toString(IDLE_SECONDS), "TOUCH_INTERVAL_SECONDS", "1");
        run = ProjectRun.start(aws, "e2e", overrides, Map.of(), 4, (f, l) -> { }, dir);
        server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A client with its own cookie jar, as one browser. */
    static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpResponse<String> send(HttpClient client, String method, String path, String body, String... headers) {
        return Requests.send(client, method, base + path, body, headers);
    }

    /** A request to an AWS_IAM route, signed with the local caller's keys as {@code curl --aws-sigv4} signs it. */
    static HttpResponse<String> signed(String method, String path) {
        try {
            return HttpClient.newHttpClient().send(SignedRequests.sign(method, URI.create(base + path), null,
                    run.iam().caller().accessKeyId(), run.iam().caller().secret(), "execute-api",
                    run.template().settings().region()), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    static Map<String, Object> json(HttpResponse<String> response) {
        return Json.parseObject(response.body(), 64);
    }

    @Test
    void givenCookieJar_whenVisitingThrice_thenOneTwoThree() {
        HttpClient browser = browser();

        assertEquals("You have visited 1 times.", send(browser, "GET", "/", null).body());
        assertEquals("You have visited 2 times.", send(browser, "GET", "/", null).body());
        HttpResponse<String> third = send(browser, "GET", "/", null);

        assertEquals("You have visited 3 times.", third.body());
        assertEquals("text/plain; charset=utf-8", third.headers().firstValue("content-type").orElseThrow());
        assertTrue(third.headers().firstValue("set-cookie").orElseThrow().contains("HttpOnly; SameSite=Lax; Max-Age="));
    }

    @Test
    void givenFiftyParallelVisitsWithOneCookie_whenDone_thenEachAnswered200AndExactlyFifty() throws Exception {
        HttpResponse<String> created = send(browser(), "POST", "/sessions", null);
        String token = (String) json(created).get("token");
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Callable<HttpResponse<String>>> visits = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                // no retries: Lambda scales to the burst (the machine's 4 environments are not Lambda's limit),
                // and 50 requests are within the API's burst of 200
                visits.add(() -> send(HttpClient.newHttpClient(), "GET", "/", null, "Cookie", "sid=" + token));
            }
            for (Future<HttpResponse<String>> visit : pool.invokeAll(visits)) {
                assertEquals(200, visit.get().statusCode(), visit.get().body());
            }
        } finally {
            pool.shutdownNow();
        }

        HttpResponse<String> current = send(HttpClient.newHttpClient(), "GET", "/sessions/current?consistent=true", null,
                "Authorization", "Bearer " + token);
        assertEquals(new BigDecimal(50), json(current).get("visits"));
    }

    @Test
    void givenABrowsersPreflightOfAPatch_whenSent_thenApiGatewayAnswersItFromTheTemplatesCorsAndNoFunctionRuns() {
        long before = run.lambda().invocations("SessionsFunction");

        HttpResponse<String> preflight = send(HttpClient.newHttpClient(), "OPTIONS", "/sessions/current", null,
                "Origin", "https://app.example", "Access-Control-Request-Method", "PATCH",
                "Access-Control-Request-Headers", "content-type, if-match");

        assertEquals(204, preflight.statusCode(), preflight.body());
        assertEquals("*", preflight.headers().firstValue("access-control-allow-origin").orElse(""),
                "CorsAllowOrigins' default");
        assertTrue(preflight.headers().firstValue("access-control-allow-methods").orElse("").contains("PATCH"),
                preflight.headers().map().toString());
        assertTrue(preflight.headers().firstValue("access-control-allow-headers").orElse("").contains("if-match"),
                preflight.headers().map().toString());
        assertEquals(before, run.lambda().invocations("SessionsFunction"), "API Gateway answers a preflight itself");
    }

    @Test
    void givenSixteenClientsWithASessionEach_whenEachVisitsTenTimesAtOnce_thenEveryAnswer200AndEachCountTen()
            throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            tokens.add((String) json(send(HttpClient.newHttpClient(), "POST", "/sessions", null)).get("token"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<List<Integer>>> clients = new ArrayList<>();
            for (String token : tokens) {
                clients.add(() -> {
                    HttpClient client = HttpClient.newHttpClient();
                    List<Integer> statuses = new ArrayList<>();
                    for (int visit = 0; visit < 10; visit++) { // no retries: nothing here is past a declared limit
                        statuses.add(send(client, "GET", "/", null, "Cookie", "sid=" + token).statusCode());
                    }
                    return statuses;
                });
            }
            for (Future<List<Integer>> client : pool.invokeAll(clients)) {
                assertEquals(java.util.Collections.nCopies(10, 200), client.get());
            }
        } finally {
            pool.shutdownNow();
        }
        for (String token : tokens) {
            HttpResponse<String> current = send(HttpClient.newHttpClient(), "GET", "/sessions/current?consistent=true",
                    null, "Authorization", "Bearer " + token);
            assertEquals(BigDecimal.TEN, json(current).get("visits"), current.body());
        }
    }

    @Test
    void givenTwentyTwoPatchesOfOneSessionAtOnce_whenDone_thenEachOfDifferentKeysSurvivesAndOfOneVersionOneWins()
            throws Exception {
        String token = (String) json(send(HttpClient.newHttpClient(), "POST", "/sessions", null)).get("token");
        ExecutorService pool = Executors.newFixedThreadPool(22);
        try {
            List<Callable<HttpResponse<String>>> patches = new ArrayList<>();
            for (int i = 0; i < 22; i++) {
                String patch = "{\"k" + i + "\":" + i + "}";
                patches.add(() -> send(HttpClient.newHttpClient(), "PATCH", "/sessions/current", patch,
                        "Content-Type", "application/merge-patch+json", "Authorization", "Bearer " + token));
            }
            for (Future<HttpResponse<String>> patch : pool.invokeAll(patches)) {
                assertEquals(200, patch.get().statusCode(), patch.get().body());
            }
            HttpResponse<String> read = send(HttpClient.newHttpClient(), "GET", "/sessions/current?consistent=true", null,
                    "Authorization", "Bearer " + token);
            assertEquals(22, ((Map<?, ?>) json(read).get("data")).size(), "without If-Match every key survives: "
                    + read.body());

            String version = read.headers().firstValue("etag").orElseThrow();
            List<Callable<HttpResponse<String>>> racing = new ArrayList<>();
            for (int i = 0; i < 22; i++) {
                String patch = "{\"winner\":" + i + "}";
                racing.add(() -> send(HttpClient.newHttpClient(), "PATCH", "/sessions/current", patch,
                        "Content-Type", "application/merge-patch+json", "If-Match", version,
                        "Authorization", "Bearer " + token));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> patch : pool.invokeAll(racing)) {
                statuses.add(patch.get().statusCode());
            }
            assertEquals(1, statuses.stream().filter(status -> status == 200).count(), statuses.toString());
            assertEquals(21, statuses.stream().filter(status -> status == 412).count(), "the rest lose: " + statuses);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givenDataNestedToTheContractsDeepest_whenCreatedThroughTheIamProxy_thenCreatedAndReadBack() {
        // data is level 1, so a scalar inside 31 nested containers is the deepest the contract allows
        String nested = "{\"k\":".repeat(31) + "1" + "}".repeat(31);
        HttpClient browser = browser();

        HttpResponse<String> created = send(browser, "POST", "/sessions", "{\"data\":" + nested + "}",
                "content-type", "application/json");
        HttpResponse<String> read = send(browser, "GET", "/sessions/current?consistent=true", null);

        assertEquals(201, created.statusCode(), created.body());
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(Json.parseObject(nested, 64), Json.parseObject(read.body(), 64).get("data"));
    }

    @Test
    void givenStaleIfMatch_whenPatched_thenPreconditionFailedAndDataUnchanged() {
        HttpClient browser = browser();
        send(browser, "POST", "/sessions", "{\"data\":{\"theme\":\"dark\"}}", "Content-Type", "application/json");
        HttpResponse<String> first = send(browser, "PATCH", "/sessions/current", "{\"theme\":\"light\"}",
                "Content-Type", "application/merge-patch+json", "If-Match", "\"1\"");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("\"2\"", first.headers().firstValue("etag").orElseThrow());

        HttpResponse<String> stale = send(browser, "PATCH", "/sessions/current", "{\"theme\":\"blue\"}",
                "Content-Type", "application/merge-patch+json", "If-Match", "\"1\"");

        assertEquals(412, stale.statusCode());
        assertEquals("application/problem+json", stale.headers().firstValue("content-type").orElseThrow());
        assertEquals("urn:sessions:problem:version-mismatch", json(stale).get("type"));
        HttpResponse<String> current = send(browser, "GET", "/sessions/current?consistent=true", null);
        assertEquals("light", ((Map<?, ?>) json(current).get("data")).get("theme"));
        assertEquals(new BigDecimal(2), json(current).get("version"));
    }

    @Test
    void givenRotation_whenOldTokenUsed_thenUnauthorizedEverywhere() {
        HttpResponse<String> created = send(browser(), "POST", "/sessions", null);
        String old = (String) json(created).get("token");

        HttpResponse<String> rotated = send(HttpClient.newHttpClient(), "POST", "/sessions/current/rotate", null,
                "Authorization", "Bearer " + old);
        String fresh = (String) json(rotated).get("token");

        assertEquals(200, rotated.statusCode());
        assertNotEquals(old, fresh);
        for (String path : List.of("/sessions/current", "/sessions/current?consistent=true")) {
            HttpResponse<String> denied = send(HttpClient.newHttpClient(), "GET", path, null, "Authorization", "Bearer " + old);
            assertEquals(401, denied.statusCode(), path);
            assertEquals("urn:sessions:problem:session-required", json(denied).get("type"));
        }
        assertEquals(200, send(HttpClient.newHttpClient(), "GET", "/sessions/current", null, "Authorization",
                "Bearer " + fresh).statusCode());
    }

    @Test
    void givenDelete_whenDone_thenCookieClearedAndSessionGone() {
        HttpClient browser = browser();
        send(browser, "GET", "/", null);

        HttpResponse<String> deleted = send(browser, "DELETE", "/sessions/current", null);

        assertEquals(204, deleted.statusCode());
        assertTrue(deleted.headers().firstValue("set-cookie").orElseThrow().startsWith("sid=; Path=/; HttpOnly; SameSite=Lax;"
                + " Max-Age=0"));
        assertEquals(401, send(browser, "GET", "/sessions/current", null).statusCode(), "the jar forgot the cookie");
        assertEquals("You have visited 1 times.", send(browser, "GET", "/", null).body());
    }

    @Test
    void givenAdminRoutes_whenUnsignedWronglySignedOrSignedByOthers_thenForbiddenAndSignedByTheCallerServed() {
        String listing = "/admin/principals/alice%40example.com/sessions";
        URI uri = URI.create(base + listing);
        String region = run.template().settings().region();
        var caller = run.iam().caller();
        var function = run.iam().identityOf("SessionsFunction");

        HttpResponse<String> unsigned = send(HttpClient.newHttpClient(), "GET", listing, null);
        HttpResponse<String> wrongSecret = sendRaw(SignedRequests.sign("GET", uri, null, caller.accessKeyId(),
                caller.secret() + "x", "execute-api", region));
        HttpResponse<String> otherService = sendRaw(SignedRequests.sign("GET", uri, null, caller.accessKeyId(),
                caller.secret(), "lambda", region));
        HttpResponse<String> byAFunction = sendRaw(SignedRequests.sign("GET", uri, null, function.accessKeyId(),
                function.secret(), "execute-api", region));
        HttpResponse<String> byTheCaller = signed("GET", listing);

        for (HttpResponse<String> refused : List.of(unsigned, wrongSecret, otherService, byAFunction)) {
            assertEquals(403, refused.statusCode(), refused.body());
            assertEquals("{\"message\":\"Forbidden\"}", refused.body());
        }
        assertEquals(200, byTheCaller.statusCode(), byTheCaller.body());
        assertEquals(200, signed("DELETE", listing).statusCode());
    }

    static HttpResponse<String> sendRaw(HttpRequest request) {
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(request + " failed: " + e, e);
        }
    }

    @Test
    void givenIdleSession_whenItExpires_thenUnauthorizedAndAVisitStartsANewOne() {
        String principal = "idle-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = send(browser(), "POST", "/sessions", "{\"principal\":\"" + principal + "\"}",
                "Content-Type", "application/json");
        String token = (String) json(created).get("token");
        String listing = "/admin/principals/" + principal + "/sessions";
        Poll.until(Duration.ofSeconds(10), "the session listed", () -> signed("GET", listing),
                r -> ((List<?>) json(r).get("sessions")).size() == 1);

        // watched through the admin listing, which reads without sliding the idle window
        Poll.until(Duration.ofSeconds(IDLE_SECONDS * 3L), "the session to expire",
                () -> signed("GET", listing), r -> ((List<?>) json(r).get("sessions")).isEmpty());

        HttpResponse<String> expired = send(HttpClient.newHttpClient(), "GET", "/sessions/current?consistent=true", null,
                "Cookie", "sid=" + token);
        assertEquals(401, expired.statusCode());
        assertEquals("urn:sessions:problem:session-required", json(expired).get("type"));
        HttpResponse<String> visit = send(HttpClient.newHttpClient(), "GET", "/", null, "Cookie", "sid=" + token);
        assertEquals("You have visited 1 times.", visit.body());
        assertFalse(visit.headers().firstValue("set-cookie").orElseThrow().startsWith("sid=" + token), "a new token");
    }

    @Test
    void givenContractErrors_whenRequestedOverHttp_thenEachProblemJson() {
        HttpClient client = HttpClient.newHttpClient();
        record Case(int status, String slug, HttpResponse<String> response) {
        }
        List<Case> cases = List.of(
                new Case(400, "malformed-request", send(client, "POST", "/sessions", "{\"principal\":", "Content-Type",
                        "application/json")),
                new Case(400, "ambiguous-session", send(client, "GET", "/sessions/current", null, "Cookie",
                        "sid=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; sid=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")),
                new Case(401, "session-required", send(client, "GET", "/sessions/current", null)),
                new Case(413, "too-large", send(client, "POST", "/sessions", "{\"data\":{\"x\":\"" + "y".repeat(70_000)
                        + "\"}}", "Content-Type", "application/json")),
                new Case(415, "unsupported-media-type", send(client, "POST", "/sessions", "{}", "Content-Type",
                        "text/plain")));
        for (Case c : cases) {
            assertEquals(c.status(), c.response().statusCode(), c.slug() + ": " + c.response().body());
            assertEquals("application/problem+json", c.response().headers().firstValue("content-type").orElseThrow());
            assertEquals("urn:sessions:problem:" + c.slug(), json(c.response()).get("type"));
            assertEquals(new BigDecimal(c.status()), json(c.response()).get("status"));
        }
        HttpResponse<String> noRoute = send(client, "PUT", "/sessions/current", "{}");
        assertEquals(404, noRoute.statusCode(), "API Gateway's own answer for an undeclared method");
        assertEquals("{\"message\":\"Not Found\"}", noRoute.body());
    }
}
