package dev.sessions.domain;

import dev.sessions.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fingerprint of a create request's body: base64url SHA-256 over its principal and data in a
 * canonical JSON form (keys sorted, numbers without trailing zeros), so that the same request sent
 * twice, whatever its key order or number spelling, has the same fingerprint.
 */
final class Fingerprint {

    private Fingerprint() {
    }

    static String of(String principal, Map<String, Object> data) {
        Map<String, Object> request = new TreeMap<>();
        request.put("data", canonical(data));
        request.put("principal", principal);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(request).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The value with every object's keys sorted and every number without trailing zeros. */
    private static Object canonical(Object value) {
        return switch (value) {
            case Map<?, ?> map -> {
                Map<String, Object> sorted = new TreeMap<>();
                map.forEach((k, v) -> sorted.put((String) k, canonical(v)));
                yield sorted;
            }
            case List<?> list -> list.stream().map(Fingerprint::canonical).toList();
            // validated data holds at most 38 significant digits: normalising it is cheap
            case BigDecimal number -> number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
            case Number number -> canonical(new BigDecimal(number.toString()));
            case null, default -> value;
        };
    }
}
