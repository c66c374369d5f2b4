package dev.sessions.local.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.api.HttpApiGateway;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.JwtAuthorizer;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime's JWT authorizers against an issuer on loopback (its discovery document and key
 * set over HTTP), with tokens minted and signed by nimbus-jose-jwt, not by the runtime's own code:
 * each way a token can fail is API Gateway's own refusal (401, or 403 for a token without the route's
 * scopes) and runs no function; a good token's claims reach the function in payload 2.0's
 * {@code requestContext.authorizer.jwt}; keys are kept as API Gateway may keep them, two hours, so a
 * rotation works when the new key is published ahead of its use.
 */
class JwtAuthorizerIT {

    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The key the issuer signs with, and the one it rotates to: both published from the start. */
    private static final RSAKey CURRENT = TestIssuer.newKey();
    private static final RSAKey NEXT = TestIssuer.newKey();
    private static TestIssuer issuer;
    private static LocalLambda lambda;
    private static HttpApiGateway gateway;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        issuer = new TestIssuer().publish(CURRENT, NEXT);
        lambda = FixtureArtifacts.lambda("jwt.yaml", Map.of("Issuer", issuer.url()), dir, "Responder");
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

    private static String token(Map<String, Object> claims) {
        return TestIssuer.sign(CURRENT, claims);
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
        HttpResponse<String> response = get("/me", "Authorization", "Bearer " + token(sent));

        assertEquals(200, response.statusCode(), response.body());
        Map<?, ?> jwt = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(response.body()))
                .get("requestContext")).get("authorizer")).get("jwt");
        Map<?, ?> claims = (Map<?, ?>) jwt.get("claims");
        assertEquals("alice", claims.get("sub"));
        assertEquals(String.valueOf(sent.get("exp")), claims.get("exp"), "numbers as text");
        assertEquals("[admins users]", claims.get("groups"), "lists as API Gateway writes them");
        assertEquals(List.of("openid", "sessions/create"), jwt.get("scopes"));
        assertEquals(200, get("/me", "Authorization", token(claims())).statusCode(), "the token alone, too");
        assertEquals(200, get("/open", null, null).statusCode(), "a route without security needs no token");
    }

    @Test
    void givenATokenWithoutAudButAClientId_whenRequested_thenTheClientIdIsChecked() throws Exception {
        Map<String, Object> access = with("aud", null);
        access.put("client_id", "another-client");
        Map<String, Object> stranger = with("aud", null);
        stranger.put("client_id", "not-ours");

        assertEquals(200, get("/me", "Authorization", token(access)).statusCode());
        assertRefused("another client", "/me", "Authorization", token(stranger));
    }

    @Test
    void givenAForgedSignature_whenRequested_thenRefused() throws Exception {
        RSAKey impostor = new RSAKey.Builder(TestIssuer.newKey()).keyID(CURRENT.getKeyID()).build();
        String forged = TestIssuer.sign(impostor, claims());
        String[] good = token(claims()).split("\\.");
        String tampered = good[0] + "." + base64(Json.write(with("sub", "mallory"))) + "." + good[2];

        assertRefused("signed by another key under the issuer's kid", "/me", "Authorization", "Bearer " + forged);
        assertRefused("claims changed after signing", "/me", "Authorization", "Bearer " + tampered);
    }

    @Test
    void givenClaimsTheAuthorizerMustRefuse_whenRequested_thenEachIsRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        assertRefused("another issuer", "/me", "Authorization", "Bearer " + token(with("iss", "https://evil.example")));
        assertRefused("another audience", "/me", "Authorization", "Bearer " + token(with("aud", "someone-else")));
        assertRefused("expired", "/me", "Authorization", "Bearer " + token(with("exp", now - 1)));
        assertRefused("no exp", "/me", "Authorization", "Bearer " + token(with("exp", null)));
        assertRefused("not yet valid", "/me", "Authorization", "Bearer " + token(with("nbf", now + 300)));
        assertRefused("issued in the future", "/me", "Authorization", "Bearer " + token(with("iat", now + 300)));
    }

    @Test
    void givenAValidTokenWithoutTheRoutesScopes_whenRequested_thenForbiddenAsInsufficientScopeAndNoFunctionRuns()
            throws Exception {
        long before = lambda.invocations("Responder");

        HttpResponse<String> other = get("/me", "Authorization", "Bearer " + token(with("scope", "openid profile")));
        HttpResponse<String> none = get("/me", "Authorization", "Bearer " + token(with("scope", null)));

        for (HttpResponse<String> response : List.of(other, none)) {
            assertEquals(403, response.statusCode(), response.body());
            assertEquals("{\"message\":\"Forbidden\"}", response.body());
            String challenge = response.headers().firstValue("www-authenticate").orElse("");
            assertTrue(challenge.startsWith("Bearer scope=\"sessions/create other/scope\" error=\"insufficient_scope\""),
                    challenge);
        }
        assertEquals(before, lambda.invocations("Responder"), "no function runs");
    }

    @Test
    void givenTokensNotSignedWithTheIssuersRsaKey_whenRequested_thenRefused() throws Exception {
        JWTClaimsSet claims = JWTClaimsSet.parse(claims());
        String none = new PlainJWT(new PlainHeader(), claims).serialize();
        // HS256 with the issuer's public key as the HMAC secret: the classic algorithm confusion
        SignedJWT hs256 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(CURRENT.getKeyID()).build(), claims);
        hs256.sign(new MACSigner(CURRENT.toRSAPublicKey().getEncoded()));
        String unknownKid = TestIssuer.sign(TestIssuer.newKey(), claims());

        assertRefused("alg none", "/me", "Authorization", "Bearer " + none);
        assertRefused("HS256 with the public key", "/me", "Authorization", "Bearer " + hs256.serialize());
        assertRefused("a kid the key set does not publish", "/me", "Authorization", "Bearer " + unknownKid);
        assertRefused("not a JWT", "/me", "Authorization", "Bearer not.a-jwt");
        assertEquals(200, get("/me", "Authorization", "Bearer " + TestIssuer.sign(CURRENT, claims(), JWSAlgorithm.RS512))
                .statusCode(), "RS512 is RSA too");
    }

    @Test
    void givenTheBearerPrefixAsAwsDocumentsIt_whenSpelledOtherwise_thenTheWholeValueIsTakenForTheTokenAndRefused()
            throws Exception {
        String token = token(claims());

        assertEquals(200, get("/me", "Authorization", "Bearer " + token).statusCode(), "Bearer and one space");
        assertRefused("lower-case bearer", "/me", "Authorization", "bearer " + token);
        assertRefused("two spaces", "/me", "Authorization", "Bearer  " + token);
        assertRefused("another scheme", "/me", "Authorization", "Token " + token);
    }

    @Test
    void givenAKeyRotation_whenTheNewKeyWasPublishedAheadOfUse_thenTokensOfBothKeysPassAndALateKeyDoesNot()
            throws Exception {
        assertEquals(200, get("/me", "Authorization", "Bearer " + token(claims())).statusCode(), "the key in use");
        RSAKey late = TestIssuer.newKey();
        issuer.publish(NEXT, late); // the rotation: signing moves to NEXT, published since the start; CURRENT leaves

        assertEquals(200, get("/me", "Authorization", "Bearer " + TestIssuer.sign(NEXT, claims())).statusCode(),
                "a key published ahead of its use passes at once");
        assertEquals(200, get("/me", "Authorization", "Bearer " + token(claims())).statusCode(),
                "the old key's tokens pass while API Gateway keeps the key set it fetched (up to two hours)");
        assertRefused("a key published after the key set was fetched", "/me", "Authorization",
                "Bearer " + TestIssuer.sign(late, claims()));
        issuer.publish(CURRENT, NEXT);
    }

    @Test
    void givenATokenInTheWrongHeaderOrNone_whenRequested_thenRefused() throws Exception {
        String token = token(claims());

        assertRefused("in X-Token where Authorization is read", "/me", "X-Token", token);
        assertRefused("no token", "/me", null, null);
        assertRefused("in Authorization where X-Token is read", "/native", "Authorization", "Bearer " + token);
        assertEquals(200, get("/native", "X-Token", token).statusCode(), "SAM's Auth.Authorizers form, its header");
    }

    @Test
    void givenTheLocalIssuer_whenItMintsAToken_thenItsKeyFileIsItsUsersAloneAndTheAuthorizerTakesTheToken(
            @TempDir Path dir) throws Exception {
        Path issuerDir = dir.resolve("issuer");
        try (LocalIssuer local = LocalIssuer.start(issuerDir, 0)) {
            Map<String, Object> claims = with("iss", local.url());
            String minted = LocalIssuer.mint(issuerDir, claims);
            JwtVerifier verifier = new JwtVerifier(new KeySets(Clock.systemUTC()), Clock.systemUTC());

            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    issuerDir.resolve(LocalIssuer.KEY_FILE))));
            assertTrue(local.publicKey().getModulus().bitLength() >= 2048);
            assertInstanceOf(JwtVerifier.Verified.class, verifier.verify("Bearer " + minted, new JwtAuthorizer("Local",
                    local.url(), List.of(LocalIssuer.AUDIENCE), "authorization", List.of("sessions/create"))),
                    "mint-token signs for the running issuer");
            // read with the well-kept library too: the local issuer writes what any JOSE reader reads
            assertEquals("alice", SignedJWT.parse(minted).getJWTClaimsSet().getSubject());
        }
    }
}
