package dev.sessions.domain;

import java.util.Objects;

/**
 * A session with the token that opens it: what creation and rotation hand to the client, the
 * only moment a token exists outside the client.
 */
public record IssuedSession(SessionToken token, Session session) {
    public IssuedSession {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(session, "session");
    }
}
