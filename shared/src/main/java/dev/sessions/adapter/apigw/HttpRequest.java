package dev.sessions.adapter.apigw;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler reads of an API Gateway HTTP API request (payload format 2.0), with the event's
 * nulls turned into empty values, header names lower-cased and cookies gathered from the
 * {@code cookies} field (or, from clients that do not split them, the {@code cookie} header).
 *
 * @param method the HTTP method, upper case
 * @param path the decoded path
 * @param headers header values by lower-case name
 * @param cookies the request's cookies, each {@code name=value}
 * @param query query parameters (repeated ones joined by commas, as API Gateway joins them)
 * @param pathParameters the route's path variables
 * @param body the body as sent: text, or base64 when {@code base64} is true; {@code null} for none
 * @param base64 whether API Gateway base64-encoded the body
 * @param apiRequestId API Gateway's request id ({@code requestContext.requestId}); the key of a write's
 *     repeat detection and of the access log line
 * @param caller the IAM caller's ARN on AWS_IAM routes, or {@code null}
 * @param claims the verified token's claims on a JWT authorizer's routes (as API Gateway passes
 *     them, every value as text), or empty
 * @param authorizer a Lambda authorizer's context on its routes ({@code requestContext.authorizer.lambda}:
 *     the session authorizer's, say), or empty
 * @param sourceIp the client's address as API Gateway saw it ({@code requestContext.http.sourceIp}), or {@code null}
 * @param domainName the API's own host ({@code requestContext.domainName}): its origin is
 *     {@code https://<domainName>}, or {@code null} when the event has none
 */
public record HttpRequest(String method, String path, Map<String, String> headers, List<String> cookies,
                          Map<String, String> query, Map<String, String> pathParameters, String body, boolean base64,
                          String apiRequestId, String caller, Map<String, String> claims, Map<String, Object> authorizer,
                          String sourceIp, String domainName) {

    public HttpRequest {
        claims = claims == null ? Map.of() : Map.copyOf(claims);
        authorizer = authorizer == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(authorizer));
    }

    /** A request no authorizer verified. */
    public HttpRequest(String method, String path, Map<String, String> headers, List<String> cookies,
                       Map<String, String> query, Map<String, String> pathParameters, String body, boolean base64,
                       String apiRequestId, String caller) {
        this(method, path, headers, cookies, query, pathParameters, body, base64, apiRequestId, caller, Map.of(),
                Map.of(), null, null);
    }

    /**
     * A request known only by its headers and cookies (what a session token travels in), as a
     * verifier outside API Gateway has it: header names in any case, cookies gathered from the
     * {@code cookie} header when {@code cookies} is empty.
     */
    public static HttpRequest of(String method, String path, Map<String, String> headers, List<String> cookies) {
        return from(method, path, path, headers, cookies, null, null, null, false, null, null, null, null, null, null);
    }

    /**
     * From the event's fields as API Gateway sends them, any of which may be missing ({@code null}).
     *
     * @param method requestContext.http.method
     * @param path requestContext.http.path
     * @param rawPath rawPath, the path when the context has none
     */
    static HttpRequest from(String method, String path, String rawPath, Map<String, String> headers,
                            List<String> cookies, Map<String, String> query, Map<String, String> pathParameters,
                            String body, boolean base64, String apiRequestId, String caller,
                            Map<String, String> claims, Map<String, Object> authorizer, String sourceIp,
                            String domainName) {
        Map<String, String> lowerCased = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> lowerCased.merge(name.toLowerCase(Locale.ROOT),
                    value == null ? "" : value, (a, b) -> a + "," + b));
        }
        List<String> gathered = new ArrayList<>();
        if (cookies != null && !cookies.isEmpty()) {
            gathered.addAll(cookies);
        } else if (lowerCased.containsKey("cookie")) {
            for (String cookie : lowerCased.get("cookie").split(";")) {
                if (!cookie.isBlank()) {
                    gathered.add(cookie.trim());
                }
            }
        }
        return new HttpRequest(method == null ? "GET" : method.toUpperCase(Locale.ROOT),
                path != null ? path : rawPath == null ? "/" : rawPath, lowerCased, gathered,
                query == null ? Map.of() : query, pathParameters == null ? Map.of() : pathParameters,
                body, base64, apiRequestId, caller, claims, authorizer, sourceIp, domainName);
    }

    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    /** Whether the request sent a cookie of this name (the session cookie: an ambient credential). */
    public boolean carriesCookie(String name) {
        return cookies.stream().anyMatch(c -> c.indexOf('=') > 0 && c.substring(0, c.indexOf('=')).trim().equals(name));
    }

    /** What the request tells of its device: a session it creates records it. */
    public dev.sessions.domain.Device device() {
        return dev.sessions.domain.Device.of(headers.get("user-agent"), sourceIp);
    }

    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /**
     * The id a write of this request is known by, so that the SDK's repeat of it within this
     * invocation is recognised: Lambda's request id, which is new for every invocation, else (a
     * warm-up, which has none) API Gateway's, else a fresh one. Not API Gateway's first: a test
     * event replays a fixed one (every events/ file does), and two invocations of it are two
     * requests, not a repeat.
     */
    public String writeId(String awsRequestId) {
        if (awsRequestId != null && !awsRequestId.isBlank()) {
            return awsRequestId;
        }
        if (apiRequestId != null && !apiRequestId.isBlank()) {
            return apiRequestId;
        }
        return java.util.UUID.randomUUID().toString();
    }

    /** The body's bytes: decoded from base64 when API Gateway encoded it. */
    public byte[] bodyBytes() {
        if (body == null || body.isEmpty()) {
            return new byte[0];
        }
        if (!base64) {
            return body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new RequestRejected(Problem.malformedRequest("The request body is not valid base64."));
        }
    }
}
