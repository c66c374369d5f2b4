package dev.sessions.adapter.apigw;

import dev.sessions.domain.SessionToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The session token a request presents: from {@code Authorization: Bearer} if that header is sent
 * (it wins over cookies), else from the session cookie (by the one name the deployment sets, see
 * {@link SessionCookie}). Shape only; whether a session exists is the store's to say.
 */
public sealed interface PresentedToken {

    /** No token at all. */
    record None() implements PresentedToken {
    }

    /** A token of the right shape. */
    record Valid(SessionToken token, boolean fromCookie) implements PresentedToken {
    }

    /** Something that cannot be a token: another auth scheme, wrong length or alphabet. */
    record Invalid(String reason) implements PresentedToken {
    }

    /**
     * Reads the token of a request.
     *
     * @param cookieName the session cookie's name ({@link SessionCookie#name()})
     * @throws RequestRejected 400 when it would be read from cookies and there are several of that name
     */
    static PresentedToken of(HttpRequest request, String cookieName) {
        Optional<String> authorization = request.header("authorization");
        if (authorization.isPresent()) {
            String value = authorization.get().trim();
            int space = value.indexOf(' ');
            if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
                return new Invalid("Authorization must use the Bearer scheme.");
            }
            return SessionToken.parse(value.substring(space + 1).trim())
                    .<PresentedToken>map(t -> new Valid(t, false))
                    .orElseGet(() -> new Invalid("The bearer token is not a session token (43 base64url characters)."));
        }
        List<String> values = new ArrayList<>();
        for (String cookie : request.cookies()) {
            int eq = cookie.indexOf('=');
            if (eq > 0 && cookie.substring(0, eq).trim().equals(cookieName)) {
                values.add(unquote(cookie.substring(eq + 1).trim()));
            }
        }
        if (values.isEmpty()) {
            return new None();
        }
        if (values.size() > 1) {
            throw new RequestRejected(Problem.ambiguousSession(cookieName));
        }
        return SessionToken.parse(values.getFirst())
                .<PresentedToken>map(t -> new Valid(t, true))
                .orElseGet(() -> new Invalid("The " + cookieName + " cookie is not a session token (43 base64url characters)."));
    }

    /**
     * Every well-formed token a request presents, bearer and cookies alike, each once: what a
     * DELETE ends. Several cookies of the session's name are no error here, so that a cookie
     * planted beside the user's (by a sibling subdomain, under a shared Domain) can never keep them
     * from logging out; malformed values are ignored.
     *
     * @param cookieName the session cookie's name ({@link SessionCookie#name()})
     */
    static Presented every(HttpRequest request, String cookieName) {
        java.util.LinkedHashSet<SessionToken> tokens = new java.util.LinkedHashSet<>();
        request.header("authorization").map(String::trim).filter(v -> v.regionMatches(true, 0, "bearer ", 0, 7))
                .flatMap(v -> SessionToken.parse(v.substring(7).trim())).ifPresent(tokens::add);
        int cookies = 0;
        for (String cookie : request.cookies()) {
            int eq = cookie.indexOf('=');
            if (eq > 0 && cookie.substring(0, eq).trim().equals(cookieName)) {
                cookies++;
                SessionToken.parse(unquote(cookie.substring(eq + 1).trim())).ifPresent(tokens::add);
            }
        }
        return new Presented(List.copyOf(tokens), cookies);
    }

    /**
     * What {@link #every} found.
     *
     * @param tokens the well-formed tokens, each once
     * @param cookies how many cookies of the session's name were sent
     */
    record Presented(List<SessionToken> tokens, int cookies) {
    }

    /** RFC 6265 lets a cookie value be quoted (some clients do, after Max-Age): the quotes are not the value. */
    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /**
     * The token, for routes that need a session.
     *
     * @throws RequestRejected 401 when there is none or it cannot be a token
     */
    default Valid require() {
        return switch (this) {
            case Valid valid -> valid;
            case None none -> throw new RequestRejected(Problem.sessionRequired(
                    "Send the session token in the session cookie or as Authorization: Bearer <token>."));
            case Invalid invalid -> throw new RequestRejected(Problem.sessionRequired(invalid.reason()));
        };
    }
}
