package dev.sessions.adapter.apigw;

import dev.sessions.json.Json;

/**
 * An RFC 9457 problem: what the API answers for every error. The {@code type} URNs are listed in
 * docs/api.md; {@code detail} says what to fix and never carries a token, a stack trace or an
 * SDK message.
 *
 * @param type a stable URN for the kind of problem
 * @param title the short, fixed summary of that kind
 * @param status the HTTP status
 * @param detail what happened in this request
 */
public record Problem(String type, String title, int status, String detail) {

    private static final String URN = "urn:sessions:problem:";

    public static Problem malformedRequest(String detail) {
        return new Problem(URN + "malformed-request", "Malformed request", 400, detail);
    }

    public static Problem invalidBody(String detail) {
        return new Problem(URN + "invalid-body", "Invalid request body", 400, detail);
    }

    public static Problem invalidQuery(String detail) {
        return new Problem(URN + "invalid-query", "Invalid query parameter", 400, detail);
    }

    public static Problem ambiguousSession(String cookieName) {
        return new Problem(URN + "ambiguous-session", "Ambiguous session", 400,
                "The request carries more than one " + cookieName + " cookie; send exactly one.");
    }

    public static Problem invalidPrincipal(String detail) {
        return new Problem(URN + "invalid-principal", "Invalid principal", 400, detail);
    }

    public static Problem tokenRequired() {
        return new Problem(URN + "token-required", "Token required", 401,
                "Creating a session needs a verified token (JWT) in the Authorization header; the request reached"
                        + " the function without one.");
    }

    public static Problem principalUnverified(String detail) {
        return new Problem(URN + "principal-unverified", "Principal not verified", 403, detail);
    }

    /** A browser's cross-origin unsafe request that carried the session cookie (CSRF): nothing was changed. */
    public static Problem crossSiteRequest(String detail) {
        return new Problem(URN + "cross-site-request", "Cross-site request", 403, detail);
    }

    public static Problem principalMismatch() {
        return new Problem(URN + "principal-mismatch", "Principal mismatch", 403,
                "The body's principal is not the verified token's; leave it out, or send the token's own.");
    }

    public static Problem sessionRequired(String detail) {
        return new Problem(URN + "session-required", "Session required", 401, detail);
    }

    public static Problem notFound(String path) {
        return new Problem(URN + "not-found", "Not Found", 404, "Nothing is served at " + path + ".");
    }

    public static Problem methodNotAllowed(String method, String path) {
        return new Problem(URN + "method-not-allowed", "Method Not Allowed", 405, method + " is not served at " + path + ".");
    }

    public static Problem versionMismatch(long expected, long actual) {
        return new Problem(URN + "version-mismatch", "Version mismatch", 412, "If-Match asked for version "
                + expected + " but the session data is at version " + actual + "; read it again and retry.");
    }

    public static Problem versionMismatch(String detail) {
        return new Problem(URN + "version-mismatch", "Version mismatch", 412, detail);
    }

    public static Problem tooLarge(String detail) {
        return new Problem(URN + "too-large", "Payload Too Large", 413, detail);
    }

    public static Problem unsupportedMediaType(String detail) {
        return new Problem(URN + "unsupported-media-type", "Unsupported Media Type", 415, detail);
    }

    public static Problem invalidIdempotencyKey() {
        return new Problem(URN + "invalid-idempotency-key", "Invalid Idempotency-Key", 400,
                "Idempotency-Key must be 16 to 255 visible ASCII characters; a UUID will do.");
    }

    public static Problem idempotencyKeyReused() {
        return new Problem(URN + "idempotency-key-reused", "Idempotency-Key reused", 422,
                "This Idempotency-Key was used with another request body; use a new key for a new request.");
    }

    public static Problem idempotencyConflict(String detail) {
        return new Problem(URN + "idempotency-conflict", "Idempotency-Key conflict", 409, detail);
    }

    public static Problem unavailable(String detail) {
        return new Problem(URN + "unavailable", "Service Unavailable", 503, detail);
    }

    public static Problem internal() {
        return new Problem(URN + "internal", "Internal Server Error", 500,
                "The request failed on our side; it has been logged with its request id.");
    }

    /** The problem document, with the request id that lets an operator find its log line. */
    public String toJson(String requestId) {
        StringBuilder out = new StringBuilder(160);
        out.append("{\"type\":");
        Json.writeString(type, out);
        out.append(",\"title\":");
        Json.writeString(title, out);
        out.append(",\"status\":").append(status).append(",\"detail\":");
        Json.writeString(detail, out);
        if (requestId != null) {
            out.append(",\"requestId\":");
            Json.writeString(requestId, out);
        }
        return out.append('}').toString();
    }
}
