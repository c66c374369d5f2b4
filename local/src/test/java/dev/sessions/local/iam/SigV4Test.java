package dev.sessions.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** The SigV4 check, held to requests the AWS SDK's own signer signs. */
class SigV4Test {

    private static final String KEY = "AKIAEXAMPLEKEY000000";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /** What the SDK signs for {@code method uri} with {@code body}, as it arrives at a server. */
    private static SigV4.Request signed(String method, String uri, String body, String service, String secret) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(URI.create(uri))
                .putHeader("Content-Type", "application/x-amz-json-1.0").build();
        SdkHttpRequest signedRequest = AwsV4HttpSigner.create().sign(r -> r.request(request)
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .identity(AwsCredentialsIdentity.create(KEY, secret))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        signedRequest.headers().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        headers.putIfAbsent("host", List.of(signedRequest.host() + (signedRequest.port() == 80 ? "" : ":" + signedRequest.port())));
        return new SigV4.Request(method, URI.create(uri).getRawPath(), URI.create(uri).getRawQuery(), headers, bytes);
    }

    private static SigV4.Outcome verify(SigV4.Request request, String secret, Instant now) {
        return SigV4.verify(request, SigV4.authorization(request).orElseThrow(), secret, now);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:4566/", "http://localhost:3000/admin/principals/alice%40example.com/sessions",
        "http://localhost:3000/admin/principals/a%2Bb%20c/sessions?x=1&a=%2F&a=b"})
    void givenRequestsTheSdkSigned_whenVerified_thenValid(String uri) {
        SigV4.Request request = signed("POST", uri, "{\"TableName\":\"t\"}", "execute-api", SECRET);

        assertEquals(SigV4.Outcome.VALID, verify(request, SECRET, Instant.now()));
    }

    @Test
    void givenSignaturesOverOtherFormsOfThePath_whenVerified_thenOnlyTheOneAwsComputesIsValid() {
        String wire = "/admin/principals/a%2Bb%40c.d%3Ax/sessions";
        SigV4.Request request = signed("GET", "http://localhost:3000" + wire, "", "execute-api", SECRET);

        assertEquals("/admin/principals/a%252Bb%2540c.d%253Ax/sessions", SigV4.canonicalUri(wire, "execute-api"));
        assertEquals(SigV4.Outcome.VALID, verify(request, SECRET, Instant.now()), "the SDK signs the one form");
        for (String other : List.of("/admin/principals/a+b@c.d:x/sessions", wire,
                "/admin/principals/a%25252Bb/sessions")) {
            assertEquals(SigV4.Outcome.MISMATCH, verify(resignedOver(request, other), SECRET, Instant.now()),
                    "signed over " + other);
        }
    }

    @Test
    void givenARequestSignedSixMinutesAgo_whenVerified_thenExpiredAsAwsHasIt() {
        SigV4.Request request = signed("GET", "http://127.0.0.1:4566/", "", "dynamodb", SECRET);

        assertEquals(SigV4.Outcome.EXPIRED, verify(request, SECRET, Instant.now().plus(Duration.ofMinutes(6))));
        assertEquals(SigV4.Outcome.EXPIRED, verify(request, SECRET, Instant.now().minus(Duration.ofMinutes(6))));
        assertEquals(SigV4.Outcome.VALID, verify(request, SECRET, Instant.now().plus(Duration.ofMinutes(4))));
    }

    /** {@code request} with its signature recomputed over {@code canonicalPath} instead of AWS's form. */
    private static SigV4.Request resignedOver(SigV4.Request request, String canonicalPath) {
        SigV4.Authorization auth = SigV4.authorization(request).orElseThrow();
        StringBuilder headers = new StringBuilder();
        for (String name : auth.signedHeaders()) {
            headers.append(name).append(':').append(request.headers().get(name).getFirst().trim()).append('\n');
        }
        String canonical = request.method() + "\n" + canonicalPath + "\n\n" + headers + "\n"
                + String.join(";", auth.signedHeaders()) + "\n" + SigV4.hex(SigV4.sha256(request.body()));
        String amzDate = request.headers().get("x-amz-date").getFirst();
        String toSign = SigV4.ALGORITHM + "\n" + amzDate + "\n" + auth.date() + "/" + auth.region() + "/"
                + auth.service() + "/aws4_request\n" + SigV4.hex(SigV4.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        String signature = SigV4.hex(SigV4.hmac(SigV4.signingKey(SECRET, auth.date(), auth.region(), auth.service()),
                toSign));
        Map<String, List<String>> resigned = new LinkedHashMap<>(request.headers());
        resigned.put("authorization", List.of(SigV4.ALGORITHM + " Credential=" + KEY + "/" + auth.date() + "/"
                + auth.region() + "/" + auth.service() + "/aws4_request, SignedHeaders="
                + String.join(";", auth.signedHeaders()) + ", Signature=" + signature));
        return new SigV4.Request(request.method(), request.rawPath(), request.rawQuery(), resigned, request.body());
    }

    @Test
    void givenTheAuthorizationHeader_whenRead_thenItsScopeAndSignedHeaders() {
        SigV4.Authorization authorization = SigV4.authorization(signed("POST", "http://127.0.0.1:4566/", "{}",
                "dynamodb", SECRET)).orElseThrow();

        assertEquals(KEY, authorization.accessKeyId());
        assertEquals("us-east-1", authorization.region());
        assertEquals("dynamodb", authorization.service());
        assertTrue(authorization.signedHeaders().contains("host") && authorization.signedHeaders().contains("x-amz-date"));
    }

    @Test
    void givenAnyChangeAfterSigning_whenVerified_thenMismatch() {
        SigV4.Request request = signed("POST", "http://127.0.0.1:4566/", "{\"TableName\":\"t\"}", "dynamodb", SECRET);
        SigV4.Request otherBody = new SigV4.Request(request.method(), request.rawPath(), request.rawQuery(),
                request.headers(), "{\"TableName\":\"u\"}".getBytes(StandardCharsets.UTF_8));
        SigV4.Request otherPath = new SigV4.Request(request.method(), "/other", request.rawQuery(), request.headers(),
                request.body());

        assertEquals(SigV4.Outcome.MISMATCH, verify(request, SECRET + "x", Instant.now()), "another secret");
        assertEquals(SigV4.Outcome.MISMATCH, verify(otherBody, SECRET, Instant.now()));
        assertEquals(SigV4.Outcome.MISMATCH, verify(otherPath, SECRET, Instant.now()));
    }

    @Test
    void givenARequestSignedLongAgo_whenVerified_thenExpired() {
        SigV4.Request request = signed("GET", "http://127.0.0.1:4566/", "", "dynamodb", SECRET);

        assertEquals(SigV4.Outcome.EXPIRED, verify(request, SECRET, Instant.now().plus(Duration.ofMinutes(16))));
    }

    @Test
    void givenNoOrOtherAuthorization_whenRead_thenNone() {
        SigV4.Request basic = new SigV4.Request("GET", "/", null, Map.of("authorization", List.of("Basic YTpi")), new byte[0]);
        SigV4.Request none = new SigV4.Request("GET", "/", null, Map.of(), new byte[0]);

        assertTrue(SigV4.authorization(basic).isEmpty());
        assertTrue(SigV4.authorization(none).isEmpty());
    }
}
