package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.SignedRequests;
import dev.sessions.local.auth.LocalIssuer;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's template with its JWT authorizer configured (AuthIssuer, AuthAudience, AuthScopes)
 * and a local issuer standing in for the OIDC provider: a session's principal is the verified
 * token's subject, read back from the session and the admin listing; without a good token no
 * function runs.
 */
@ExtendWith(LocalServices.class)
class JwtEndToEndIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static LocalIssuer issuer;
    private static ProjectRun run;
    private static LocalServer server;
    private static String base;

    @BeforeAll
    static void start(AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        issuer = LocalIssuer.start(dir.resolve("issuer"), 0);
        run = ProjectRun.start(aws, "jwt", Map.of("AuthIssuer", issuer.url(), "AuthAudience", LocalIssuer.AUDIENCE,
                "AuthScopes", "sessions/create"), Map.of("REDIS_URL", redis.uri().toString(), "COOKIE_SECURE", "false"),
                Map.of(), 2, (f, l) -> { }, dir);
        server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
        issuer.close();
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void givenAVerifiedUser_whenASessionIsCreated_thenItsPrincipalIsTheTokensSubjectEverywhere() throws Exception {
        String subject = "carol-" + Instant.now().toEpochMilli();
        String jwt = issuer.token(subject, "sessions/create", Instant.now());

        HttpResponse<String> created = post("/sessions", "{\"data\":{\"theme\":\"dark\"}}",
                Map.of("Authorization", "Bearer " + jwt, "Content-Type", "application/json"));

        assertEquals(201, created.statusCode(), created.body());
        String token = (String) Json.parseObject(created.body(), 8).get("token");
        HttpResponse<String> read = get("/sessions/current?consistent=true", Map.of("Authorization", "Bearer " + token));
        assertEquals(subject, Json.parseObject(read.body(), 8).get("principal"), read.body());
        var caller = run.iam().caller();
        URI listing = URI.create(base + "/admin/principals/" + subject + "/sessions");
        HttpResponse<String> listed = Poll.until(Duration.ofSeconds(10), "the session listed under its subject",
                () -> send(SignedRequests.sign("GET", listing, null, caller.accessKeyId(), caller.secret(),
                        "execute-api", run.template().settings().region())),
                r -> r.statusCode() == 200 && ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 1);
        assertTrue(listed.body().contains("\"principal\":\"" + subject + "\""), listed.body());
    }

    @Test
    void givenNoGoodToken_whenASessionIsCreated_thenApiGatewaysOwnRefusalAndNoFunctionRuns() throws Exception {
        long before = run.lambda().invocations("SessionsFunction");
        String unscoped = issuer.token("dave", "openid", Instant.now());

        for (Map<String, String> headers : List.of(Map.<String, String>of(),
                Map.of("X-Token", issuer.token("dave", "sessions/create", Instant.now())))) {
            HttpResponse<String> refused = post("/sessions", null, headers);
            assertEquals(401, refused.statusCode(), headers + ": " + refused.body());
            assertEquals("{\"message\":\"Unauthorized\"}", refused.body());
        }
        HttpResponse<String> withoutScope = post("/sessions", null, Map.of("Authorization", "Bearer " + unscoped));
        assertEquals(403, withoutScope.statusCode(), "a valid token without the route's scope: " + withoutScope.body());
        assertEquals("{\"message\":\"Forbidden\"}", withoutScope.body());
        assertEquals(before, run.lambda().invocations("SessionsFunction"), "the authorizer refused before any function");
        assertEquals(200, get("/", Map.of()).statusCode(), "an anonymous visitor still gets a session from GET /");
    }

    @Test
    void givenAVerifiedUserNamingSomeoneElse_whenASessionIsCreated_thenRefusedAsAMismatch() throws Exception {
        String jwt = issuer.token("erin", "sessions/create", Instant.now());

        HttpResponse<String> refused = post("/sessions", "{\"principal\":\"victim\"}",
                Map.of("Authorization", "Bearer " + jwt, "Content-Type", "application/json"));

        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("urn:sessions:problem:principal-mismatch", Json.parseObject(refused.body(), 4).get("type"));
    }
}
