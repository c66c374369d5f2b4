package dev.sessions.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The secret a client holds: 32 random bytes, base64url without padding (43 characters). The
 * store keeps only {@link #id()}, so a leaked table, stream or cache holds no usable credential.
 *
 * <p>{@link #toString()} never shows the value, so a token cannot reach a log by accident.
 */
public final class SessionToken {

    /** Length of a token's text. */
    public static final int LENGTH = 43;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final String value;

    private SessionToken(String value) {
        this.value = value;
    }

    /**
     * Draws a new token. A fresh {@link SecureRandom} is obtained for each token rather than
     * kept from init, so no random state from a SnapStart snapshot is ever reused.
     */
    public static SessionToken generate() {
        byte[] bytes = new byte[32];
        newRandom().nextBytes(bytes);
        return new SessionToken(ENCODER.encodeToString(bytes));
    }

    private static SecureRandom newRandom() {
        try {
            // reads the kernel's generator on every call: nothing cached in the process to restore
            return SecureRandom.getInstance("NativePRNGNonBlocking");
        } catch (NoSuchAlgorithmException notOnThisPlatform) {
            return new SecureRandom();
        }
    }

    /** The token in {@code text}, if it is 43 base64url characters; anything else is not a token. */
    public static Optional<SessionToken> parse(String text) {
        if (text == null || text.length() != LENGTH) {
            return Optional.empty();
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            boolean base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!base64url) {
                return Optional.empty();
            }
        }
        return Optional.of(new SessionToken(text));
    }

    /** The token's text, for the cookie or the response body only. */
    public String value() {
        return value;
    }

    /** The session id: base64url, without padding, of SHA-256 over the token's 43 ASCII characters. */
    public String id() {
        return idOf(value);
    }

    /** Whether {@code id} is this token's id, compared in constant time. */
    public boolean hasId(String id) {
        return id != null && MessageDigest.isEqual(id().getBytes(StandardCharsets.US_ASCII),
                id.getBytes(StandardCharsets.US_ASCII));
    }

    static String idOf(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return ENCODER.encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionToken that && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.US_ASCII), that.value.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(id());
    }

    @Override
    public String toString() {
        return "SessionToken[redacted]";
    }
}
