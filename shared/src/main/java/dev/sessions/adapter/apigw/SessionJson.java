package dev.sessions.adapter.apigw;

import dev.sessions.domain.Session;
import dev.sessions.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * The session's JSON form, as the HTTP contract gives it: {@code id, principal, data, visits,
 * version, createdAt, lastAccessedAt, expiresAt, absoluteExpiresAt}, times in ISO-8601 UTC. The
 * cache replica stores the same form plus {@code revision}.
 */
public final class SessionJson {

    private SessionJson() {
    }

    /** The contract's session object. */
    public static String write(Session session) {
        StringBuilder out = new StringBuilder(256);
        append(session, false, out);
        return out.toString();
    }

    /** The session object with {@code revision}, as the cache replica holds it. */
    public static String writeWithRevision(Session session) {
        StringBuilder out = new StringBuilder(256);
        append(session, true, out);
        return out.toString();
    }

    /** Appends the contract's session object to {@code out}. */
    public static void append(Session session, boolean withRevision, StringBuilder out) {
        out.append("{\"id\":");
        Json.writeString(session.id(), out);
        out.append(",\"principal\":");
        Json.write(session.principal(), out);
        out.append(",\"data\":");
        Json.write(session.data(), out);
        out.append(",\"visits\":").append(session.visits());
        out.append(",\"version\":").append(session.version());
        if (withRevision) {
            out.append(",\"revision\":").append(session.revision());
        }
        out.append(",\"createdAt\":\"").append(session.createdAt()).append('"');
        out.append(",\"lastAccessedAt\":\"").append(session.lastAccessedAt()).append('"');
        out.append(",\"expiresAt\":\"").append(session.expiresAt()).append('"');
        out.append(",\"absoluteExpiresAt\":\"").append(session.absoluteExpiresAt()).append('"');
        out.append('}');
    }

    /**
     * Reads a session object written by {@link #writeWithRevision}.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static Session read(String json) {
        try {
            Map<String, Object> map = Json.parseObject(json, 64);
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) map.get("data");
            return new Session((String) map.get("id"), (String) map.get("principal"), data,
                    number(map, "visits"), number(map, "version"), number(map, "revision"),
                    Instant.parse((String) map.get("createdAt")), Instant.parse((String) map.get("lastAccessedAt")),
                    Instant.parse((String) map.get("expiresAt")), Instant.parse((String) map.get("absoluteExpiresAt")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cached session: " + e.getMessage(), e);
        }
    }

    private static long number(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? 0 : ((BigDecimal) value).longValueExact();
    }
}
