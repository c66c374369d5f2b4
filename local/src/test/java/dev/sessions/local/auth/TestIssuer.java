package dev.sessions.local.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OIDC issuer for the tests, written with nimbus-jose-jwt rather than with the local runtime's
 * own JWT code, so that the authorizer's reading of a token is checked against a well-kept
 * library's writing of it: a discovery document and a key set on loopback, whose published keys the
 * test changes (a rotation), and tokens signed by any key it made.
 */
final class TestIssuer implements AutoCloseable {

    private final HttpServer server;
    private final List<RSAKey> published = new CopyOnWriteArrayList<>();

    TestIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::serve);
        server.start();
    }

    /** The issuer's URL: the tokens' {@code iss}, the authorizer's {@code issuer}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new RSA 2048 key with a kid of its own, not published. */
    static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes exactly {@code keys} in the key set from now on. */
    TestIssuer publish(RSAKey... keys) {
        published.clear();
        published.addAll(List.of(keys));
        return this;
    }

    /** {@code claims} signed RS256 by {@code key}, its kid in the header. */
    static String sign(RSAKey key, Map<String, Object> claims) {
        return sign(key, claims, JWSAlgorithm.RS256);
    }

    static String sign(RSAKey key, Map<String, Object> claims, JWSAlgorithm algorithm) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(),
                    JWTClaimsSet.parse(claims));
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException | ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = switch (path) {
                case "/.well-known/openid-configuration" -> "{\"issuer\":\"" + url() + "\",\"jwks_uri\":\"" + url()
                        + "/jwks\"}";
                case "/jwks" -> new JWKSet(published.stream().<JWK>map(RSAKey::toPublicJWK).toList()).toString(true);
                default -> null;
            };
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
