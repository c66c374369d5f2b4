package dev.sessions.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * A client's {@code Idempotency-Key} for creating a session: 16 to 255 visible ASCII characters
 * (a UUID is the usual choice). Only its hash is ever stored, and {@link #toString()} never shows
 * it: whoever repeats a key with the same body gets the session it created, so a key is as
 * secret as the token it stands for, until it expires.
 */
public final class IdempotencyKey {

    public static final int MIN_LENGTH = 16;
    public static final int MAX_LENGTH = 255;

    private final String value;

    private IdempotencyKey(String value) {
        this.value = value;
    }

    /**
     * The key in {@code text}.
     *
     * @return empty when it is not 16 to 255 visible ASCII characters
     */
    public static Optional<IdempotencyKey> parse(String text) {
        if (text == null || text.length() < MIN_LENGTH || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return Optional.empty();
            }
        }
        return Optional.of(new IdempotencyKey(text));
    }

    /** What the store keeps: base64url SHA-256 of the key. */
    public String hash() {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IdempotencyKey that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "IdempotencyKey[redacted]";
    }
}
