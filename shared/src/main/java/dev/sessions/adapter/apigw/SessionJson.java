package dev.sessions.adapter.apigw;

import dev.sessions.domain.Session;
import dev.sessions.json.Json;

/**
 * The session's JSON form, as the HTTP contract gives it (docs/api.md): {@code id, principal,
 * data, visits, version, createdAt, lastAccessedAt, expiresAt, absoluteExpiresAt}, times in
 * ISO-8601 UTC. Only the API writes it; the cache replica keeps its own form.
 */
public final class SessionJson {

    private SessionJson() {
    }

    /** The contract's session object. */
    public static String write(Session session) {
        StringBuilder out = new StringBuilder(256);
        append(session, out);
        return out.toString();
    }

    /** Appends the contract's session object to {@code out}. */
    public static void append(Session session, StringBuilder out) {
        out.append("{\"id\":");
        Json.writeString(session.id(), out);
        out.append(",\"principal\":");
        Json.write(session.principal(), out);
        out.append(",\"data\":");
        Json.write(session.data(), out);
        out.append(",\"visits\":").append(session.visits());
        out.append(",\"version\":").append(session.version());
        out.append(",\"createdAt\":\"").append(session.createdAt()).append('"');
        out.append(",\"lastAccessedAt\":\"").append(session.lastAccessedAt()).append('"');
        out.append(",\"expiresAt\":\"").append(session.expiresAt()).append('"');
        out.append(",\"absoluteExpiresAt\":\"").append(session.absoluteExpiresAt()).append('"');
        out.append('}');
    }
}
