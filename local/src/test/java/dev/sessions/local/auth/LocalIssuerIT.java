package dev.sessions.local.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.sessions.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local issuer that scripts/run --jwt serves, read by a JOSE library that is not ours
 * (nimbus-jose-jwt), as an OIDC client reads a provider: its discovery document names its key set,
 * the key set holds the key its tokens name, and their signature, algorithm and claims verify.
 */
class LocalIssuerIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }

    @Test
    void givenALocalIssuersToken_whenReadAsAnOidcClientReadsIt_thenItsKeySignatureAndClaimsVerify(@TempDir Path dir)
            throws Exception {
        try (LocalIssuer issuer = LocalIssuer.start(dir, 0)) {
            Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond());
            SignedJWT jwt = SignedJWT.parse(issuer.token("alice", LocalIssuer.SCOPE, now));

            Map<String, Object> discovery = Json.parseObject(get(issuer.url() + "/.well-known/openid-configuration"), 8);
            assertEquals(issuer.url(), discovery.get("issuer"));
            JWKSet keys = JWKSet.parse(get((String) discovery.get("jwks_uri")));
            RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());

            assertTrue(key != null, "the key set holds the key the token names: " + keys);
            assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
            assertTrue(jwt.verify(new RSASSAVerifier(key)), "the signature verifies with the published key");
            var claims = jwt.getJWTClaimsSet();
            assertEquals(issuer.url(), claims.getIssuer());
            assertEquals("alice", claims.getSubject());
            assertEquals(List.of(LocalIssuer.AUDIENCE), claims.getAudience());
            assertEquals(now, claims.getIssueTime().toInstant());
            assertEquals(now.plusSeconds(3600), claims.getExpirationTime().toInstant());
            assertEquals(LocalIssuer.SCOPE, claims.getStringClaim("scope"));
        }
    }
}
