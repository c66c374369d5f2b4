package dev.sessions.verifier;

import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.RequestRejected;
import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.domain.StoreUnavailable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The decision {@code GET /sessions/current} makes, as a call, for code that has no API Gateway in
 * front of it (a WebSocket {@code $connect}, an ALB target, a queue consumer): a token, or a
 * request's headers and cookies, in; a live session, a refusal, or "the store failed" out. The
 * session authorizer decides with it too, so the rules are one:
 *
 * <ul>
 *   <li>a bearer token wins, else the session cookie (by the one name the deployment sets; more than
 *       one of them is refused);
 *   <li>the replica's tombstone refuses at once; else the replica's live copy, or a strongly
 *       consistent read of the table: a token passes the moment its create answered and fails the
 *       moment its DELETE or rotation answered;
 *   <li>idle and absolute expiry; a read slides the idle window at most once per touch interval,
 *       best effort.
 * </ul>
 *
 * Build one per execution environment (it holds the store's clients) and share it; it is
 * thread-safe.
 */
public final class SessionVerifier {

    private final SessionService sessions;
    private final SessionCookie cookie;

    /**
     * @param sessions the session service, on the stack's table (and replica, if any)
     * @param cookie the deployment's session cookie, whose name requests are read by
     */
    public SessionVerifier(SessionService sessions, SessionCookie cookie) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.cookie = Objects.requireNonNull(cookie, "cookie");
    }

    /**
     * From the environment, as the session functions read it: {@code SESSIONS_TABLE},
     * {@code REDIS_URL} (optional), the timeouts, {@code COOKIE_SECURE}/{@code COOKIE_DOMAIN} (the
     * cookie's name), {@code AWS_REGION} and the credentials. The caller's role needs
     * {@code dynamodb:GetItem} and {@code dynamodb:UpdateItem} (the idle window's slide) on the table.
     */
    public static SessionVerifier fromEnvironment(Map<String, String> env) {
        SessionComponents components = SessionComponents.fromEnvironment(env);
        return new SessionVerifier(components.sessions(), components.cookie());
    }

    /** A bare token, however the caller got it (a query parameter, a message attribute). */
    public Verdict verify(String token) {
        return SessionToken.parse(token == null ? "" : token.trim())
                .map(parsed -> decide(parsed, Instant.MAX))
                .orElseGet(() -> new Verdict.Refused(token == null || token.isBlank() ? Verdict.Reason.NO_TOKEN
                        : Verdict.Reason.MALFORMED));
    }

    /**
     * A request's token, by the contract's rules.
     *
     * @param headers the request's headers (names in any case; a {@code cookie} header is read when
     *     {@code cookies} is empty)
     * @param cookies the request's cookies, each {@code name=value} (API Gateway's {@code cookies})
     * @param source where to read the token from
     */
    public Verdict verify(Map<String, String> headers, List<String> cookies, TokenSource source) {
        return verify(headers, cookies, source, Instant.MAX);
    }

    /**
     * As {@link #verify(Map, List, TokenSource)}, for a caller that must answer by a deadline: the
     * idle window's slide (a write, best effort) is started only before {@code touchBy}.
     */
    public Verdict verify(Map<String, String> headers, List<String> cookies, TokenSource source, Instant touchBy) {
        Map<String, String> read = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if ((source != TokenSource.COOKIE || !lower.equals("authorization"))
                    && (source != TokenSource.AUTHORIZATION || !lower.equals("cookie"))) {
                read.put(lower, value);
            }
        });
        List<String> jar = source == TokenSource.AUTHORIZATION ? List.of() : cookies;
        HttpRequest request = HttpRequest.of("GET", "/", read, jar);
        PresentedToken presented;
        try {
            presented = PresentedToken.of(request, cookie.name());
        } catch (RequestRejected severalCookies) {
            return new Verdict.Refused(Verdict.Reason.AMBIGUOUS);
        }
        return switch (presented) {
            case PresentedToken.None none -> new Verdict.Refused(Verdict.Reason.NO_TOKEN);
            case PresentedToken.Invalid invalid -> new Verdict.Refused(Verdict.Reason.MALFORMED);
            case PresentedToken.Valid valid -> decide(valid.token(), touchBy);
        };
    }

    private Verdict decide(SessionToken token, Instant touchBy) {
        try {
            SessionService.Read read = sessions.read(token, false, touchBy);
            return new Verdict.Live(LiveSession.of(read.session()), read.lookup(), read.touchFailure());
        } catch (SessionNotFound gone) {
            return new Verdict.Refused(Verdict.Reason.NO_SESSION);
        } catch (StoreUnavailable failed) {
            return new Verdict.Unavailable(failed);
        }
    }
}
