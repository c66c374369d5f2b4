package dev.sessions.verifier;

import dev.sessions.domain.Session;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a team's code learns of the caller's session: its public id (never the token), its
 * principal, when it expires, and its data (all of it from {@link SessionVerifier}; behind the
 * session authorizer, only the keys the stack names).
 *
 * @param id the session's public id: base64url SHA-256 of the token, safe to log and store
 * @param principal who the session belongs to, or {@code null} for an anonymous session
 * @param expiresAt when it expires unless used again (the idle expiry, capped by the absolute one)
 * @param data the session's data, or the named part of it; never {@code null}
 */
public record LiveSession(String id, String principal, Instant expiresAt, Map<String, Object> data) {

    public LiveSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(expiresAt, "expiresAt");
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }

    static LiveSession of(Session session) {
        return new LiveSession(session.id(), session.principal(), session.expiresAt(), session.data());
    }
}
