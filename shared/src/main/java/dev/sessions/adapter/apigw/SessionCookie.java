package dev.sessions.adapter.apigw;

import dev.sessions.domain.SessionToken;

/**
 * The {@code sid} cookie: {@code sid=<token>; Path=/; HttpOnly; SameSite=Lax; Max-Age=<seconds>},
 * with {@code Secure} unless configuration turns it off (only the local runtime does).
 */
public final class SessionCookie {

    public static final String NAME = "sid";

    private final boolean secure;

    public SessionCookie(boolean secure) {
        this.secure = secure;
    }

    /** The cookie that carries {@code token} for {@code maxAgeSeconds}. */
    public String issue(SessionToken token, long maxAgeSeconds) {
        return NAME + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + maxAgeSeconds
                + (secure ? "; Secure" : "");
    }

    /** The cookie that makes the client forget it. */
    public String clear() {
        return NAME + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + (secure ? "; Secure" : "");
    }
}
