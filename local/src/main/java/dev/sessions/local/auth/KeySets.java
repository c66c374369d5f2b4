package dev.sessions.local.auth;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signing keys of JWT issuers, as API Gateway finds them: the issuer's discovery document
 * ({@code <issuer>/.well-known/openid-configuration}) names its {@code jwks_uri}, whose RSA keys
 * are kept by {@code kid} for two hours, the longest API Gateway may keep them ("keys may be
 * cached for up to two hours"). A {@code kid} the kept set lacks is refused until then, not fetched
 * again: on AWS a key published after the set was fetched can be refused as long, which is why
 * an issuer publishes a new key well ahead of signing with it (local/README.md).
 */
public final class KeySets {

    static final Duration KEEP = Duration.ofHours(2);

    private record Fetched(Map<String, PublicKey> keys, Instant at) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, Fetched> byIssuer = new ConcurrentHashMap<>();
    private final Clock clock;

    public KeySets(Clock clock) {
        this.clock = clock;
    }

    /** A key could not be had: the issuer is unreachable or its documents are not what OIDC describes. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * The key {@code kid} of {@code issuer}, or {@code null} when the issuer has no such key.
     *
     * @throws Unavailable when the keys cannot be fetched
     */
    PublicKey key(String issuer, String kid) throws Unavailable {
        Instant now = clock.instant();
        Fetched fetched = byIssuer.get(issuer);
        if (fetched == null || fetched.at().plus(KEEP).isBefore(now)) {
            fetched = new Fetched(fetch(issuer), now);
            byIssuer.put(issuer, fetched);
        }
        return fetched.keys().get(kid);
    }

    private Map<String, PublicKey> fetch(String issuer) throws Unavailable {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        Map<String, Object> discovery = document(base + "/.well-known/openid-configuration");
        if (!(discovery.get("jwks_uri") instanceof String jwks)) {
            throw new Unavailable("the discovery document of " + issuer + " has no jwks_uri");
        }
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        if (!(document(jwks).get("keys") instanceof List<?> listed)) {
            throw new Unavailable(jwks + " has no keys");
        }
        for (Object entry : listed) {
            if (entry instanceof Map<?, ?> key && "RSA".equals(key.get("kty")) && key.get("kid") instanceof String kid
                    && key.get("n") instanceof String n && key.get("e") instanceof String e
                    && !"enc".equals(key.get("use"))) {
                try {
                    keys.put(kid, KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                            new BigInteger(1, Base64.getUrlDecoder().decode(n)),
                            new BigInteger(1, Base64.getUrlDecoder().decode(e)))));
                } catch (IllegalArgumentException | java.security.GeneralSecurityException bad) {
                    // a key that cannot be read verifies nothing; the others still do
                }
            }
        }
        return keys;
    }

    private Map<String, Object> document(String url) throws Unavailable {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new Unavailable(url + " answered " + response.statusCode());
            }
            return Json.parseObject(response.body(), 16);
        } catch (IOException | JsonException | IllegalArgumentException e) {
            throw new Unavailable("cannot read " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted reading " + url);
        }
    }
}
