package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * From visitor to signed-in user, over HTTP through the local API Gateway, on DynamoDB as AWS runs
 * it (lagging reads and index): a visitor's session is taken over at sign-in and its token refused
 * at once, cached reads included; a browser on another origin cannot use the cookie for an unsafe
 * request; a user lists the sessions of their devices and signs another one out, then all but the
 * current one.
 */
@ExtendWith(LocalServices.class)
class SignInEndToEndIT {

    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
    private static final String PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.6778.104 Mobile Safari/537.36";

    @Test
    void givenAVisitorWhoSignsInOnTwoDevices_whenTheyManageTheirSessions_thenEachStepAsTheContractSays(
            AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        try (ProjectRun run = ProjectRun.start(aws, "sign-in", Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false"), Map.of(), 2, (f, l) -> { }, dir);
             LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true))) {
            String base = "http://127.0.0.1:" + server.port();
            CookieManager laptopJar = new CookieManager();
            HttpClient laptop = HttpClient.newBuilder().cookieHandler(laptopJar).build();
            String principal = "user-" + UUID.randomUUID().toString().substring(0, 8);

            assertEquals("You have visited 1 times.", send(laptop, base, "GET", "/", null, "User-Agent", FIREFOX).body());
            assertEquals("You have visited 2 times.", send(laptop, base, "GET", "/", null, "User-Agent", FIREFOX).body());
            String visitorToken = cookie(laptopJar);
            // the stream has put the visitor's session in the replica: a cached read answers it
            Poll.until(Duration.ofSeconds(30), "the visitor's session in the replica", () -> "hit".equals(
                    send(laptop, base, "GET", "/sessions/current", null).headers().firstValue("x-cache").orElse("")));

            HttpResponse<String> signedIn = send(laptop, base, "POST", "/sessions", "{\"principal\":\"" + principal
                    + "\",\"data\":{\"theme\":\"dark\"}}", "Content-Type", "application/json", "User-Agent", FIREFOX);
            assertEquals(201, signedIn.statusCode(), signedIn.body());
            Map<?, ?> session = (Map<?, ?>) Json.parseObject(signedIn.body(), 8).get("session");
            assertEquals(principal, session.get("principal"));
            assertEquals(new java.math.BigDecimal(2), session.get("visits"), "the visitor's visits carried");
            assertNotEquals(visitorToken, cookie(laptopJar), "a new token at sign-in");
            assertEquals(401, bearer(base, "GET", "/sessions/current", visitorToken).statusCode(),
                    "the visitor's token is refused at once, by the replica too");

            HttpClient phone = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            HttpResponse<String> phoneSignIn = send(phone, base, "POST", "/sessions", "{\"principal\":\"" + principal + "\"}",
                    "Content-Type", "application/json", "User-Agent", PHONE);
            String phoneId = (String) ((Map<?, ?>) Json.parseObject(phoneSignIn.body(), 8).get("session")).get("id");

            // the principal index trails the writes: the listing shows both devices once it has them
            HttpResponse<String> listed = Poll.until(Duration.ofSeconds(30), "both devices listed",
                    () -> send(laptop, base, "GET", "/sessions", null),
                    r -> r.statusCode() == 200 && ((List<?>) Json.parseObject(r.body(), 8).get("sessions")).size() == 2);
            List<?> devices = (List<?>) Json.parseObject(listed.body(), 8).get("sessions");
            Map<?, ?> phoneEntry = devices.stream().map(Map.class::cast).filter(d -> phoneId.equals(d.get("id")))
                    .findFirst().orElseThrow();
            assertEquals(false, phoneEntry.get("current"));
            assertEquals("Chrome 131 on Android", ((Map<?, ?>) phoneEntry.get("device")).get("userAgent"));
            assertEquals("127.0.0.1", ((Map<?, ?>) phoneEntry.get("device")).get("sourceIp"));

            HttpResponse<String> crossSite = send(laptop, base, "DELETE", "/sessions/" + phoneId, null,
                    "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example");
            assertEquals(403, crossSite.statusCode(), crossSite.body());
            assertTrue(crossSite.body().contains("urn:sessions:problem:cross-site-request"), crossSite.body());
            assertEquals(200, send(phone, base, "GET", "/sessions/current", null).statusCode(), "nothing changed");

            assertEquals(204, send(laptop, base, "DELETE", "/sessions/" + phoneId, null, "Sec-Fetch-Site",
                    "same-origin").statusCode());
            assertEquals(401, send(phone, base, "GET", "/sessions/current", null).statusCode(), "signed out remotely");

            HttpClient tablet = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            send(tablet, base, "POST", "/sessions", "{\"principal\":\"" + principal + "\"}", "Content-Type",
                    "application/json");
            Poll.until(Duration.ofSeconds(30), "the tablet's session signed out with every other",
                    () -> Json.parseObject(send(laptop, base, "DELETE", "/sessions/others", null).body(), 4),
                    r -> r.get("ended") instanceof java.math.BigDecimal n && n.intValue() == 1);
            assertEquals(401, send(tablet, base, "GET", "/sessions/current", null).statusCode());
            assertEquals(200, send(laptop, base, "GET", "/sessions/current", null).statusCode(), "the current one lives");
            assertFalse(send(laptop, base, "GET", "/sessions", null).body().contains(visitorToken), "never a token");
        }
    }

    private static String cookie(CookieManager jar) {
        return jar.getCookieStore().getCookies().stream().filter(c -> c.getName().endsWith("sid"))
                .map(HttpCookie::getValue).findFirst().orElseThrow();
    }

    private static HttpResponse<String> bearer(String base, String method, String path, String token) {
        return send(HttpClient.newHttpClient(), base, method, path, null, "Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> send(HttpClient client, String base, String method, String path, String body,
                                             String... headers) {
        return Requests.send(client, method, base + path, body, headers);
    }
}
