package dev.sessions.local.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.LocalRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * An OIDC issuer on loopback for the local runtime: one RSA key, kept under a directory only its
 * user can read ({@code issuer-key.json}, mode 600), its discovery document and key set served
 * over plain http on 127.0.0.1 (API Gateway needs https; the local runtime accepts loopback http),
 * and RS256 tokens minted with it. Its URL is written to {@code issuer.json} beside the key, so
 * that {@code local mint-token} signs for the issuer that is running.
 */
public final class LocalIssuer implements AutoCloseable {

    /** The audience its tokens carry, and scripts/run configures the authorizer with. */
    public static final String AUDIENCE = "local";
    /** The scope POST /sessions asks of its tokens when the runtime serves this issuer (AWS advises one on every route). */
    public static final String SCOPE = "sessions/create";
    static final String KEY_FILE = "issuer-key.json";
    static final String URL_FILE = "issuer.json";

    private final String kid;
    private final PrivateKey privateKey;
    private final RSAPublicKey publicKey;
    private final String url;
    private final HttpServer server;

    private LocalIssuer(String kid, KeyPair keys, String url, HttpServer server) {
        this.kid = kid;
        this.privateKey = keys.getPrivate();
        this.publicKey = (RSAPublicKey) keys.getPublic();
        this.url = url;
        this.server = server;
    }

    /**
     * Serves the issuer of {@code dir} (its key made on first use) on 127.0.0.1.
     *
     * @param port 0 for any free port
     */
    public static LocalIssuer start(Path dir, int port) {
        KeyPair keys = keys(dir);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new LocalRuntimeException("cannot serve the local issuer on 127.0.0.1:" + port + ": " + e.getMessage());
        }
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        LocalIssuer issuer = new LocalIssuer(kidOf(keys), keys, url, server);
        server.createContext("/", issuer::serve);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        write(dir.resolve(URL_FILE), Json.write(Map.of("issuer", url)));
        return issuer;
    }

    /**
     * Mints a token signed by the issuer of {@code dir}, the one {@link #start} serves (its URL
     * read from the directory).
     *
     * @throws LocalRuntimeException when no issuer was started there
     */
    public static String mint(Path dir, Map<String, Object> claims) {
        Path urlFile = dir.resolve(URL_FILE);
        if (!Files.exists(urlFile) || !Files.exists(dir.resolve(KEY_FILE))) {
            throw new LocalRuntimeException("no local issuer in " + dir + ": start it with scripts/run --jwt");
        }
        String url;
        try {
            url = String.valueOf(Json.parseObject(Files.readString(urlFile), 4).get("issuer"));
        } catch (IOException | JsonException e) {
            throw new LocalRuntimeException("cannot read " + urlFile + ": " + e.getMessage());
        }
        KeyPair keys = keys(dir);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("iss", url);
        all.putAll(claims);
        return sign(Map.of("alg", "RS256", "typ", "JWT", "kid", kidOf(keys)), all, keys.getPrivate());
    }

    /** The issuer's URL, its tokens' {@code iss}. */
    public String url() {
        return url;
    }

    /**
     * A token for {@code subject}: {@code iss} this issuer, {@code aud} {@value #AUDIENCE},
     * {@code iat} and {@code nbf} {@code now}, {@code exp} an hour on, {@code scope} as given.
     */
    public String token(String subject, String scope, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", subject);
        claims.put("aud", AUDIENCE);
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plusSeconds(3600).getEpochSecond());
        if (scope != null) {
            claims.put("scope", scope);
        }
        return token(claims);
    }

    /** A token of exactly these claims ({@code iss} added unless given), signed RS256 with the issuer's key. */
    public String token(Map<String, Object> claims) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("iss", url);
        all.putAll(claims);
        return sign(Map.of("alg", "RS256", "typ", "JWT", "kid", kid), all, privateKey);
    }

    /** The kid its key set lists. */
    public String kid() {
        return kid;
    }

    /** Its signing key (for tests that sign with it under another kid). */
    java.security.PrivateKey privateKey() {
        return privateKey;
    }

    /** Its public key, as the key set publishes it. */
    public RSAPublicKey publicKey() {
        return publicKey;
    }

    static String sign(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) {
        String signed = base64(Json.write(header)) + "." + base64(Json.write(claims));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime signs SHA256withRSA", e);
        }
    }

    static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body;
            if (path.equals("/.well-known/openid-configuration")) {
                body = Json.write(Map.of("issuer", url, "jwks_uri", url + "/.well-known/jwks.json",
                        "id_token_signing_alg_values_supported", java.util.List.of("RS256")));
            } else if (path.equals("/.well-known/jwks.json")) {
                Map<String, Object> key = new LinkedHashMap<>();
                key.put("kty", "RSA");
                key.put("kid", kid);
                key.put("use", "sig");
                key.put("alg", "RS256");
                key.put("n", unsigned(publicKey.getModulus()));
                key.put("e", unsigned(publicKey.getPublicExponent()));
                body = Json.write(Map.of("keys", java.util.List.of(key)));
            } else {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The directory's key pair, made (RSA 2048) and written readable by the user only when there is none. */
    private static KeyPair keys(Path dir) {
        Path file = dir.resolve(KEY_FILE);
        try {
            if (Files.exists(file)) {
                Map<String, Object> saved = Json.parseObject(Files.readString(file), 4);
                KeyFactory rsa = KeyFactory.getInstance("RSA");
                PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(
                        Base64.getDecoder().decode(String.valueOf(saved.get("privateKey")))));
                var crt = (java.security.interfaces.RSAPrivateCrtKey) privateKey;
                return new KeyPair(rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent())),
                        privateKey);
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            Files.createDirectories(dir);
            write(file, Json.write(Map.of("privateKey",
                    Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()))));
            return keys;
        } catch (IOException | JsonException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new LocalRuntimeException("cannot read or make the local issuer's key in " + file + ": " + e.getMessage());
        }
    }

    private static String kidOf(KeyPair keys) {
        byte[] modulus = ((RSAPublicKey) keys.getPublic()).getModulus().toByteArray();
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(modulus);
            return "local-" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Writes {@code text} to {@code file}, readable and writable by the user only. */
    private static void write(Path file, String text) {
        try {
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, text);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LocalRuntimeException("cannot write " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
