package dev.sessions.local.auth;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.template.JwtAuthorizer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JWT authorizer's checks, in API Gateway's order: the token from the identity source (alone or
 * after {@code Bearer }); an RSA signature ({@code RS256}, {@code RS384} or {@code RS512}; nothing
 * else, {@code none} and HMAC included) by the issuer key its {@code kid} names; then {@code iss},
 * {@code aud} (or {@code client_id} when there is no {@code aud}), {@code exp}, {@code nbf},
 * {@code iat}, and the route's scopes in {@code scope} or {@code scp}. Any failure rejects.
 */
public final class JwtVerifier {

    /** What the authorizer decided. */
    public sealed interface Outcome permits Verified, Rejected, InsufficientScope {
    }

    /**
     * The token holds.
     *
     * @param claims every claim as API Gateway passes it on: text (a list as {@code [a b]})
     * @param scopes the token's scopes, or {@code null} when the route asks for none
     */
    public record Verified(Map<String, String> claims, List<String> scopes) implements Outcome {
    }

    /** It does not, and why (for the {@code www-authenticate} header and the log): 401. */
    public record Rejected(String description) implements Outcome {
    }

    /**
     * A valid token without any of the route's scopes: 403, {@code error="insufficient_scope"}, as
     * RFC 6750 section 3.1 says and AWS documents for its REST API JWT authorizers (AWS documents
     * only the 401 of an invalid token for HTTP APIs; local/README.md says so).
     */
    public record InsufficientScope(String description) implements Outcome {
    }

    private static final String BEARER = "Bearer ";

    private static final Map<String, String> ALGORITHMS = Map.of("RS256", "SHA256withRSA", "RS384", "SHA384withRSA",
            "RS512", "SHA512withRSA");

    private final KeySets keys;
    private final Clock clock;

    public JwtVerifier(KeySets keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** Checks the identity source's value ({@code null} when the request has none) against {@code authorizer}. */
    public Outcome verify(String presented, JwtAuthorizer authorizer) {
        if (presented == null || presented.isBlank()) {
            return new Rejected("the token is missing from " + authorizer.header());
        }
        // "the token alone, or the token prefixed with Bearer " (AWS's words): that prefix exactly; any other
        // spelling stays part of the value, which then is no token
        String token = presented.startsWith(BEARER) ? presented.substring(BEARER.length()) : presented;
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return new Rejected("the token is not a JWS (three parts)");
        }
        Map<String, Object> header;
        Map<String, Object> claims;
        byte[] signature;
        try {
            header = Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8), 8);
            claims = Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8), 16);
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException | JsonException e) {
            return new Rejected("the token is not valid base64url JSON");
        }
        String algorithm = ALGORITHMS.get(String.valueOf(header.get("alg")));
        if (algorithm == null) {
            return new Rejected("signing algorithm " + header.get("alg") + " is not supported (RSA only)");
        }
        if (!(header.get("kid") instanceof String kid)) {
            return new Rejected("the token has no kid");
        }
        PublicKey key;
        try {
            key = keys.key(authorizer.issuer(), kid);
        } catch (KeySets.Unavailable e) {
            return new Rejected("the issuer's keys are unavailable: " + e.getMessage());
        }
        if (key == null) {
            return new Rejected("no key of the issuer has kid " + kid);
        }
        try {
            Signature check = Signature.getInstance(algorithm);
            check.initVerify(key);
            check.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!check.verify(signature)) {
                return new Rejected("signature is invalid");
            }
        } catch (GeneralSecurityException e) {
            return new Rejected("signature is invalid");
        }
        return checkClaims(claims, authorizer);
    }

    private Outcome checkClaims(Map<String, Object> claims, JwtAuthorizer authorizer) {
        if (!authorizer.issuer().equals(claims.get("iss"))) {
            return new Rejected("the token's iss is not " + authorizer.issuer());
        }
        Object aud = claims.get("aud");
        List<String> audiences = aud == null ? listOf(claims.get("client_id")) : listOf(aud);
        if (audiences.stream().noneMatch(authorizer.audiences()::contains)) {
            return new Rejected((aud == null ? "client_id" : "aud") + " names none of the authorizer's audiences");
        }
        long now = clock.instant().getEpochSecond();
        Long exp = seconds(claims.get("exp"));
        if (exp == null || exp <= now) {
            return new Rejected("the token has expired");
        }
        Long nbf = seconds(claims.get("nbf"));
        if (claims.containsKey("nbf") && (nbf == null || nbf > now)) {
            return new Rejected("the token is not valid yet (nbf)");
        }
        Long iat = seconds(claims.get("iat"));
        if (claims.containsKey("iat") && (iat == null || iat > now)) {
            return new Rejected("the token was issued in the future (iat)");
        }
        List<String> scopes = scopes(claims);
        if (!authorizer.scopes().isEmpty() && scopes.stream().noneMatch(authorizer.scopes()::contains)) {
            return new InsufficientScope("the token has none of the route's scopes " + authorizer.scopes());
        }
        Map<String, String> asText = new LinkedHashMap<>();
        claims.forEach((name, value) -> asText.put(name, text(value)));
        return new Verified(asText, authorizer.scopes().isEmpty() ? null : scopes);
    }

    private static List<String> scopes(Map<String, Object> claims) {
        Object scope = claims.containsKey("scope") ? claims.get("scope") : claims.get("scp");
        if (scope instanceof String spaced) {
            return Arrays.stream(spaced.split(" ")).filter(s -> !s.isEmpty()).toList();
        }
        return listOf(scope);
    }

    private static List<String> listOf(Object value) {
        if (value instanceof List<?> list) {
            List<String> strings = new ArrayList<>();
            list.forEach(item -> strings.add(String.valueOf(item)));
            return strings;
        }
        return value instanceof String s ? List.of(s) : List.of();
    }

    private static Long seconds(Object value) {
        try {
            return value instanceof BigDecimal number ? number.longValueExact() : null;
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** A claim as API Gateway passes it: strings as they are, numbers plain, lists {@code [a b]}. */
    private static String text(Object value) {
        if (value instanceof BigDecimal number) {
            return number.toPlainString();
        }
        if (value instanceof List<?> list) {
            return "[" + String.join(" ", list.stream().map(JwtVerifier::text).toList()) + "]";
        }
        if (value instanceof Map<?, ?>) {
            return Json.write(value);
        }
        return value == null ? "" : String.valueOf(value);
    }
}
