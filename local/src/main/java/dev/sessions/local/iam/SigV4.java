package dev.sessions.local.iam;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4, checked as AWS checks it: the {@code Authorization} header's credential
 * scope and signed headers, the one canonical request AWS rebuilds from what arrived, and the
 * signature recomputed with the key's secret and compared in constant time; a request more than
 * five minutes from now is expired ("a request must reach AWS within five minutes of the time
 * stamp in the request"). The canonical URI is the path as it arrived, normalized (no {@code .} or
 * {@code ..} segments) and each segment percent-encoded once more, as SigV4 specifies for every
 * service but S3 and as the SDKs' signers compute it; a signature over any other form of the path
 * (unencoded, encoded once) is a mismatch, as on AWS.
 */
public final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Duration SKEW = Duration.ofMinutes(5);

    private SigV4() {
    }

    /**
     * What an {@code Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...} says.
     *
     * @param accessKeyId the key that signed
     * @param date the scope's date, {@code yyyyMMdd}
     * @param region the scope's region
     * @param service the scope's service, such as {@code dynamodb} or {@code execute-api}
     * @param signedHeaders lower-case names, in the order signed
     * @param signature lower-case hex
     */
    public record Authorization(String accessKeyId, String date, String region, String service,
                                List<String> signedHeaders, String signature) {
    }

    /** How a check came out; anything but {@link #VALID} is a 403. */
    public enum Outcome { VALID, MISSING, MALFORMED, EXPIRED, MISMATCH }

    /** The request as it arrived: headers by lower-case name. */
    public record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** The Authorization header of {@code request}, if it is a SigV4 one. */
    public static Optional<Authorization> authorization(Request request) {
        String header = request.header("authorization");
        if (header == null || !header.startsWith(ALGORITHM + " ")) {
            return Optional.empty();
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : header.substring(ALGORITHM.length() + 1).split(",")) {
            String field = part.trim();
            int eq = field.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = field.substring(eq + 1).trim();
            switch (field.substring(0, eq)) {
                case "Credential" -> credential = value;
                case "SignedHeaders" -> signedHeaders = value;
                case "Signature" -> signature = value;
                default -> { }
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            return Optional.empty();
        }
        String[] scope = credential.split("/");
        if (scope.length != 5 || !scope[4].equals("aws4_request")) {
            return Optional.empty();
        }
        return Optional.of(new Authorization(scope[0], scope[1], scope[2], scope[3],
                List.of(signedHeaders.toLowerCase(Locale.ROOT).split(";")), signature.toLowerCase(Locale.ROOT)));
    }

    /** Checks {@code request}'s signature, made with {@code secret}, at {@code now}. */
    public static Outcome verify(Request request, Authorization authorization, String secret, Instant now) {
        String amzDate = request.header("x-amz-date");
        if (amzDate == null || !authorization.signedHeaders().contains("host")) {
            return Outcome.MALFORMED;
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Outcome.MALFORMED;
        }
        if (!amzDate.startsWith(authorization.date())) {
            return Outcome.MALFORMED;
        }
        if (Duration.between(signedAt, now).abs().compareTo(SKEW) > 0) {
            return Outcome.EXPIRED;
        }
        String canonicalHeaders = canonicalHeaders(request, authorization.signedHeaders());
        if (canonicalHeaders == null) {
            return Outcome.MALFORMED;
        }
        // the body's own hash, whatever a header claims: a header that disagrees is a changed body
        String payloadHash = hex(sha256(request.body()));
        String claimed = request.header("x-amz-content-sha256");
        if (claimed != null && !claimed.equalsIgnoreCase(payloadHash)) {
            return claimed.equals("UNSIGNED-PAYLOAD") ? Outcome.MALFORMED : Outcome.MISMATCH;
        }
        String scope = authorization.date() + "/" + authorization.region() + "/" + authorization.service() + "/aws4_request";
        byte[] key = signingKey(secret, authorization.date(), authorization.region(), authorization.service());
        byte[] expected = HexFormat.of().parseHex(authorization.signature().length() % 2 == 0
                ? authorization.signature() : "00");
        String canonicalRequest = request.method() + "\n" + canonicalUri(request.rawPath(), authorization.service()) + "\n"
                + canonicalQuery(request.rawQuery()) + "\n" + canonicalHeaders + "\n"
                + String.join(";", authorization.signedHeaders()) + "\n" + payloadHash;
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        return MessageDigest.isEqual(expected, hmac(key, stringToSign)) ? Outcome.VALID : Outcome.MISMATCH;
    }

    /** The signature SigV4 gives {@code stringToSign}'s bytes under the scope: for tests and signing. */
    static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    private static String canonicalHeaders(Request request, List<String> signed) {
        StringBuilder out = new StringBuilder();
        for (String name : signed) {
            List<String> values = request.headers().get(name);
            if (values == null) {
                return null; // a signed header that did not arrive
            }
            out.append(name).append(':');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(values.get(i).trim().replaceAll("\\s+", " "));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * The canonical URI AWS computes from the path as it arrived: dot segments removed (RFC 3986),
     * then, for every service but S3, each segment percent-encoded once more (so {@code %40} in the
     * request is {@code %2540} here, and a literal {@code @} is {@code %40}).
     */
    static String canonicalUri(String rawPath, String service) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (service.equals("s3")) {
            return path;
        }
        String normalized;
        try {
            normalized = java.net.URI.create("http://h" + path).normalize().getRawPath();
        } catch (IllegalArgumentException notAUriPath) {
            normalized = path; // signed as it came: a path no client would send a URI for
        }
        StringBuilder out = new StringBuilder();
        String[] segments = (normalized.isEmpty() ? "/" : normalized).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(encode(segments[i]));
        }
        return out.toString();
    }

    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode((eq < 0 ? pair : pair.substring(0, eq)).replace("+", "%2B"), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
            pairs.add(new String[] {encode(name), encode(value)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] pair : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(pair[0]).append('=').append(pair[1]);
        }
        return out.toString();
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants it. */
    static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
