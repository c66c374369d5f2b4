package dev.sessions.bench.designs;

import java.security.SecureRandom;
import java.util.Base64;

/** New session ids: 32 random bytes, base64url, as the product's tokens. */
final class SessionIds {

    private final SecureRandom random = new SecureRandom();

    String next() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
