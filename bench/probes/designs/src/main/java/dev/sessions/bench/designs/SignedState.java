package dev.sessions.bench.designs;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A visit counter's state carried by the client, as web frameworks' default cookie sessions carry
 * it: the value and its expiry in the clear, and an HMAC-SHA256 over both with a key only the
 * server holds. The server stores nothing; it can tell a forged cookie from its own, but not an old
 * cookie of its own from the latest one.
 *
 * <p>The cookie value is {@code base64url(sessionId|visits|expiresAt|data) "." base64url(mac)}.
 */
public final class SignedState {

    /** What one cookie carries. */
    public record Value(String sessionId, long visits, Instant expiresAt, String data) {
        public Value {
            if (sessionId.indexOf('|') >= 0) {
                throw new IllegalArgumentException("a session id has no '|'");
            }
        }
    }

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public SignedState(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the signing key needs at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** The cookie value that carries {@code value}. */
    public String write(Value value) {
        byte[] payload = (value.sessionId() + "|" + value.visits() + "|" + value.expiresAt().getEpochSecond() + "|"
                + value.data()).getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
    }

    /** What {@code cookie} carries, when this server signed it and it has not expired at {@code now}. */
    public Optional<Value> read(String cookie, Instant now) {
        int dot = cookie.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] presented;
        try {
            payload = DECODER.decode(cookie.substring(0, dot));
            presented = DECODER.decode(cookie.substring(dot + 1));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(payload), presented)) { // constant time: no timing oracle for forgers
            return Optional.empty();
        }
        String[] fields = new String(payload, StandardCharsets.UTF_8).split("\\|", 4);
        if (fields.length != 4) {
            return Optional.empty();
        }
        try {
            Value value = new Value(fields[0], Long.parseLong(fields[1]), Instant.ofEpochSecond(Long.parseLong(fields[2])),
                    fields[3]);
            return now.isBefore(value.expiresAt()) ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256"); // Mac instances are not thread-safe: one per call
            mac.init(key);
            return mac.doFinal(payload);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
