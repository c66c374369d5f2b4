package dev.sessions.sessions;

import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.IfMatch;
import dev.sessions.adapter.apigw.JsonBody;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.Problem;
import dev.sessions.adapter.apigw.RequestRejected;
import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.domain.IdempotencyKey;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What the session API reads from a request: its token, bodies, preconditions and options. */
final class SessionRequests {

    private static final Set<String> JSON = Set.of("application/json");
    private static final Set<String> MERGE_PATCH = Set.of("application/merge-patch+json", "application/json");
    /** Containers a body may nest: the body itself, then data's own limit, with room for a clear message. */
    private static final int BODY_DEPTH = 40;

    private final SessionCookie cookie;
    private final int maxBodyBytes;
    /** With a JWT authorizer: the claim that is a new session's principal. */
    private final Optional<String> principalClaim;

    SessionRequests(SessionCookie cookie, int maxBodyBytes, Optional<String> principalClaim) {
        this.cookie = cookie;
        this.maxBodyBytes = maxBodyBytes;
        this.principalClaim = principalClaim;
    }

    /** The token presented, whatever its shape. */
    PresentedToken presented(HttpRequest request) {
        return PresentedToken.of(request, cookie.name());
    }

    /** Every well-formed token presented: what a DELETE ends. */
    PresentedToken.Presented every(HttpRequest request) {
        return PresentedToken.every(request, cookie.name());
    }

    /** Whether the request sent the session cookie: the ambient credential a cross-site request could ride on. */
    boolean carriesSessionCookie(HttpRequest request) {
        return request.carriesCookie(cookie.name());
    }

    /**
     * The session a sign-in is presented with: the session cookie, or (without a JWT authorizer,
     * whose token travels in Authorization) a bearer session token. None, a malformed one or
     * several cookies of the name: empty, a plain create.
     */
    Optional<SessionToken> presentedAtSignIn(HttpRequest request) {
        HttpRequest read = principalClaim.isEmpty() ? request
                : HttpRequest.of(request.method(), request.path(), Map.of(), request.cookies());
        try {
            return PresentedToken.of(read, cookie.name()) instanceof PresentedToken.Valid valid
                    ? Optional.of(valid.token()) : Optional.empty();
        } catch (RequestRejected severalCookies) {
            return Optional.empty(); // which of them is the visitor's would be a guess: take over none
        }
    }

    /** The token of a route that needs a session. @throws RequestRejected 401 without a well-formed one */
    PresentedToken.Valid token(HttpRequest request) {
        return presented(request).require();
    }

    /** {@code POST /sessions}: no body, or {@code {"principal"?, "data"?}}, and an optional Idempotency-Key. */
    SessionService.NewSession newSession(HttpRequest request) {
        Optional<IdempotencyKey> key = request.header("idempotency-key").map(value -> IdempotencyKey.parse(value.trim())
                .orElseThrow(() -> new RequestRejected(Problem.invalidIdempotencyKey())));
        Map<String, Object> body = JsonBody.object(request, JSON, maxBodyBytes, BODY_DEPTH).orElse(Map.of());
        for (String field : body.keySet()) {
            if (!field.equals("principal") && !field.equals("data")) {
                throw new RequestRejected(Problem.invalidBody("Unknown field \"" + shorten(field)
                        + "\"; a new session takes only principal and data."));
            }
        }
        Object principal = body.get("principal");
        if (principal != null && !(principal instanceof String)) {
            throw new RequestRejected(Problem.invalidBody("principal must be a string or null, not "
                    + Json.typeName(principal) + "."));
        }
        Object data = body.get("data");
        if (data != null && !(data instanceof Map<?, ?>)) {
            throw new RequestRejected(Problem.invalidBody("data must be a JSON object or null, not "
                    + Json.typeName(data) + "."));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) data;
        return new SessionService.NewSession(principal(request, (String) principal), object, key,
                presentedAtSignIn(request), request.device());
    }

    /**
     * The new session's principal: with a JWT authorizer, the verified token's claim (a body
     * principal may only repeat it); without one, what the body says.
     *
     * @throws RequestRejected 401 when the authorizer passed no claims (the route was reached
     *     around it), 403 when the token lacks the claim or the body names someone else
     */
    private String principal(HttpRequest request, String asserted) {
        if (principalClaim.isEmpty()) {
            return asserted;
        }
        String claim = principalClaim.get();
        if (request.claims().isEmpty()) {
            throw new RequestRejected(Problem.tokenRequired());
        }
        String verified = request.claims().get(claim);
        if (verified == null || verified.isBlank()) {
            throw new RequestRejected(Problem.principalUnverified("The verified token has no " + claim
                    + " claim to be the session's principal."));
        }
        if (asserted != null && !asserted.equals(verified)) {
            throw new RequestRejected(Problem.principalMismatch());
        }
        return verified;
    }

    /** {@code PATCH /sessions/current}'s body: a JSON merge patch (RFC 7396) of data. */
    MergePatch mergePatch(HttpRequest request) {
        return new MergePatch(JsonBody.object(request, MERGE_PATCH, maxBodyBytes, BODY_DEPTH)
                .orElseThrow(() -> new RequestRejected(Problem.invalidBody(
                        "Send a JSON merge patch (RFC 7396) of data as the body."))));
    }

    /** The version an If-Match asks for, or empty for none. @throws RequestRejected 412 for a tag no version matches */
    static Optional<Long> expectedVersion(IfMatch precondition) {
        return switch (precondition) {
            case IfMatch.Any any -> Optional.empty();
            case IfMatch.Version version -> Optional.of(version.version());
            case IfMatch.Never never -> throw new RequestRejected(Problem.versionMismatch("If-Match " + never.tag()
                    + " matches no version of the data; send the ETag the session was read with."));
        };
    }

    /** {@code Cache-Control: no-cache} or {@code ?consistent=true}: read the table, not the replica. */
    static boolean wantsConsistentRead(HttpRequest request) {
        return request.queryParameter("consistent").map("true"::equalsIgnoreCase).orElse(false)
                || request.header("cache-control").map(v -> v.toLowerCase(Locale.ROOT).contains("no-cache")).orElse(false);
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
