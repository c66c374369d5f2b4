package dev.sessions.local.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.api.HttpApiGateway;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Template;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime's JWT authorizers against a real issuer on loopback (its discovery document and
 * key set over HTTP): each way a token can fail is API Gateway's own 401 and runs no function; a
 * good token's claims reach the function in payload 2.0's {@code requestContext.authorizer.jwt}.
 */
class JwtAuthorizerIT {

    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalIssuer issuer;
    private static LocalLambda lambda;
    private static HttpApiGateway gateway;
    private static Path issuerDir;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        issuerDir = dir.resolve("issuer");
        issuer = LocalIssuer.start(issuerDir, 0);
        Path template = Path.of(JwtAuthorizerIT.class.getResource("/templates/jwt.yaml").toURI());
        Path build = FixtureArtifacts.build(dir.resolve("build"), "Responder");
        lambda = new LocalLambda(Template.load(template, Map.of("Issuer", issuer.url()), Template.Settings.defaults()),
                new LocalLambda.Settings(build, FixtureArtifacts.javaRuntime(dir.resolve("scratch")), 2,
                        Duration.ofMinutes(5), Map.of(), Map.of(), (f, l) -> { }));
        gateway = new HttpApiGateway(lambda, lambda.template().routes(), "127.0.0.1", 0,
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        lambda.close();
        issuer.close();
    }

    /** Claims of a good token, taken from the clock now: every test changes one of them. */
    private static Map<String, Object> claims() {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer.url());
        claims.put("sub", "alice");
        claims.put("aud", "local");
        claims.put("iat", now - 5);
        claims.put("nbf", now - 5);
        claims.put("exp", now + 600);
        claims.put("scope", "openid sessions/create");
        claims.put("groups", List.of("admins", "users"));
        return claims;
    }

    private static Map<String, Object> with(String name, Object value) {
        Map<String, Object> claims = claims();
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return claims;
    }

    private static HttpResponse<String> get(String path, String header, String value) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (header != null) {
            request.header(header, value);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(String why, String path, String header, String value) throws Exception {
        long before = lambda.invocations("Responder");

        HttpResponse<String> response = get(path, header, value);

        assertEquals(401, response.statusCode(), why + ": " + response.body());
        assertEquals("{\"message\":\"Unauthorized\"}", response.body(), why);
        String challenge = response.headers().firstValue("www-authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer ") && challenge.contains("error=\"invalid_token\""), why + ": " + challenge);
        assertEquals(before, lambda.invocations("Responder"), why + ": no function runs");
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void givenAGoodToken_whenRequested_thenTheFunctionGetsItsClaimsAsTextAndItsScopes() throws Exception {
        Map<String, Object> sent = claims(); // once: its times come from the clock
        HttpResponse<String> response = get("/me", "Authorization", "Bearer " + issuer.token(sent));

        assertEquals(200, response.statusCode(), response.body());
        Map<?, ?> jwt = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(response.body()))
                .get("requestContext")).get("authorizer")).get("jwt");
        Map<?, ?> claims = (Map<?, ?>) jwt.get("claims");
        assertEquals("alice", claims.get("sub"));
        assertEquals(String.valueOf(sent.get("exp")), claims.get("exp"), "numbers as text");
        assertEquals("[admins users]", claims.get("groups"), "lists as API Gateway writes them");
        assertEquals(List.of("openid", "sessions/create"), jwt.get("scopes"));
        assertEquals(200, get("/me", "Authorization", issuer.token(claims())).statusCode(), "without Bearer too");
        assertEquals(200, get("/open", null, null).statusCode(), "a route without security needs no token");
    }

    @Test
    void givenATokenWithoutAudButAClientId_whenRequested_thenTheClientIdIsChecked() throws Exception {
        Map<String, Object> access = with("aud", null);
        access.put("client_id", "another-client");
        Map<String, Object> stranger = with("aud", null);
        stranger.put("client_id", "not-ours");

        assertEquals(200, get("/me", "Authorization", issuer.token(access)).statusCode());
        assertRefused("another client", "/me", "Authorization", issuer.token(stranger));
    }

    @Test
    void givenAForgedSignature_whenRequested_thenRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = LocalIssuer.sign(Map.of("alg", "RS256", "typ", "JWT", "kid", issuer.kid()), claims(),
                generator.generateKeyPair().getPrivate());
        String[] good = issuer.token(claims()).split("\\.");
        String tampered = good[0] + "." + base64(Json.write(with("sub", "mallory"))) + "." + good[2];

        assertRefused("signed by another key", "/me", "Authorization", "Bearer " + forged);
        assertRefused("claims changed after signing", "/me", "Authorization", "Bearer " + tampered);
    }

    @Test
    void givenClaimsTheAuthorizerMustRefuse_whenRequested_thenEachIsRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        assertRefused("another issuer", "/me", "Authorization", "Bearer " + issuer.token(with("iss", "https://evil.example")));
        assertRefused("another audience", "/me", "Authorization", "Bearer " + issuer.token(with("aud", "someone-else")));
        assertRefused("expired", "/me", "Authorization", "Bearer " + issuer.token(with("exp", now - 1)));
        assertRefused("no exp", "/me", "Authorization", "Bearer " + issuer.token(with("exp", null)));
        assertRefused("not yet valid", "/me", "Authorization", "Bearer " + issuer.token(with("nbf", now + 300)));
        assertRefused("issued in the future", "/me", "Authorization", "Bearer " + issuer.token(with("iat", now + 300)));
        assertRefused("none of the route's scopes", "/me", "Authorization",
                "Bearer " + issuer.token(with("scope", "openid profile")));
        assertRefused("no scope at all (an ID token)", "/me", "Authorization", "Bearer " + issuer.token(with("scope", null)));
    }

    @Test
    void givenTokensNotSignedWithTheIssuersRsaKey_whenRequested_thenRefused() throws Exception {
        String payload = base64(Json.write(claims()));
        String none = base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".";
        // HS256 with the issuer's public key as the HMAC secret: the classic algorithm confusion
        String hsHeader = base64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + issuer.kid() + "\"}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(issuer.publicKey().getEncoded(), "HmacSHA256"));
        String hs256 = hsHeader + "." + payload + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal((hsHeader + "." + payload).getBytes(StandardCharsets.US_ASCII)));
        String unknownKid = LocalIssuer.sign(Map.of("alg", "RS256", "typ", "JWT", "kid", "rotated-away"), claims(),
                privateKeyOf(issuer));

        assertRefused("alg none", "/me", "Authorization", "Bearer " + none);
        assertRefused("HS256 with the public key", "/me", "Authorization", "Bearer " + hs256);
        assertRefused("unknown kid", "/me", "Authorization", "Bearer " + unknownKid);
        assertRefused("not a JWT", "/me", "Authorization", "Bearer not.a-jwt");
    }

    @Test
    void givenATokenInTheWrongHeaderOrNone_whenRequested_thenRefused() throws Exception {
        String token = issuer.token(claims());

        assertRefused("in X-Token where Authorization is read", "/me", "X-Token", token);
        assertRefused("no token", "/me", null, null);
        assertRefused("in Authorization where X-Token is read", "/native", "Authorization", "Bearer " + token);
        assertEquals(200, get("/native", "X-Token", token).statusCode(), "SAM's Auth.Authorizers form, its header");
    }

    @Test
    void givenTheIssuersKeyFile_whenWritten_thenOnlyItsUserMayReadIt() throws Exception {
        Path key = issuerDir.resolve(LocalIssuer.KEY_FILE);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(issuer.publicKey().getModulus().bitLength() >= 2048);
        String minted = LocalIssuer.mint(issuerDir, claims());
        assertEquals(200, get("/me", "Authorization", "Bearer " + minted).statusCode(), "mint-token signs for the running issuer");
    }

    private static java.security.PrivateKey privateKeyOf(LocalIssuer issuer) {
        return issuer.privateKey();
    }
}
