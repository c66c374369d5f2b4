package dev.sessions.adapter.redis;

import dev.sessions.domain.Session;
import dev.sessions.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * The form a session takes in the replica's {@code body} field, versioned so that the API's JSON
 * can change without touching what sits in Redis, and a new function can read what an older one
 * wrote (a deploy does not flush the cache):
 *
 * <ul>
 *   <li>version 1 (written now): {@code {"v":1,"id","principal","data","visits","version","revision",
 *       "createdAt","lastAccessedAt"} (epoch ms), "expiresAt","absoluteExpiresAt"} (epoch s)}</li>
 *   <li>version 0 (read only): the API's session JSON plus {@code revision}, times in ISO-8601</li>
 * </ul>
 */
final class ReplicaCodec {

    static final int VERSION = 1;

    private ReplicaCodec() {
    }

    static String write(Session session) {
        StringBuilder out = new StringBuilder(256).append("{\"v\":").append(VERSION).append(",\"id\":");
        Json.writeString(session.id(), out);
        out.append(",\"principal\":");
        Json.write(session.principal(), out);
        out.append(",\"data\":");
        Json.write(session.data(), out);
        out.append(",\"visits\":").append(session.visits())
                .append(",\"version\":").append(session.version())
                .append(",\"revision\":").append(session.revision())
                .append(",\"createdAt\":").append(session.createdAt().toEpochMilli())
                .append(",\"lastAccessedAt\":").append(session.lastAccessedAt().toEpochMilli())
                .append(",\"expiresAt\":").append(session.expiresAt().getEpochSecond())
                .append(",\"absoluteExpiresAt\":").append(session.absoluteExpiresAt().getEpochSecond())
                .append('}');
        return out.toString();
    }

    /**
     * Reads a body of any version this code knows.
     *
     * @throws IllegalArgumentException when it is not one (a newer version, or garbage)
     */
    static Session read(String body) {
        try {
            Map<String, Object> map = Json.parseObject(body, 64);
            long version = number(map, "v", 0);
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) map.get("data");
            return switch ((int) version) {
                case 0 -> new Session((String) map.get("id"), (String) map.get("principal"), data,
                        number(map, "visits", 0), number(map, "version", 1), number(map, "revision", 0),
                        Instant.parse((String) map.get("createdAt")), Instant.parse((String) map.get("lastAccessedAt")),
                        Instant.parse((String) map.get("expiresAt")), Instant.parse((String) map.get("absoluteExpiresAt")));
                case 1 -> new Session((String) map.get("id"), (String) map.get("principal"), data,
                        number(map, "visits", 0), number(map, "version", 1), number(map, "revision", 0),
                        Instant.ofEpochMilli(number(map, "createdAt", 0)),
                        Instant.ofEpochMilli(number(map, "lastAccessedAt", 0)),
                        Instant.ofEpochSecond(number(map, "expiresAt", 0)),
                        Instant.ofEpochSecond(number(map, "absoluteExpiresAt", 0)));
                default -> throw new IllegalArgumentException("replica entry version " + version + " is newer than this code");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cached session: " + e.getMessage(), e);
        }
    }

    private static long number(Map<String, Object> map, String key, long fallback) {
        Object value = map.get(key);
        return value == null ? fallback : ((BigDecimal) value).longValueExact();
    }
}
