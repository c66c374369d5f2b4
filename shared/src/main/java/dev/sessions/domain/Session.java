package dev.sessions.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A session as stored: never its token, only the token's hash as {@link #id()}.
 *
 * @param id base64url SHA-256 of the token, the table key
 * @param principal who the session belongs to, or {@code null} for an anonymous session
 * @param data the client's JSON object (see {@link SessionData}), unmodifiable
 * @param visits how many visits {@code GET /} counted
 * @param version the version of {@code data}: 1 at creation, +1 on every patch
 * @param revision +1 on every write of the item: the order the cache replica keeps
 * @param createdAt when it was created (millisecond precision)
 * @param lastAccessedAt when a request last slid its idle window (millisecond precision)
 * @param expiresAt when it expires: the idle expiry capped by the absolute one (whole seconds)
 * @param absoluteExpiresAt the latest it can live, whatever its use (whole seconds)
 * @param device what it recorded of the device that created it, or {@code null} (created before
 *     devices were recorded, or read from the cache replica, which does not keep it)
 */
public record Session(String id, String principal, Map<String, Object> data, long visits, long version,
                      long revision, Instant createdAt, Instant lastAccessedAt, Instant expiresAt,
                      Instant absoluteExpiresAt, Device device) {

    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastAccessedAt, "lastAccessedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(absoluteExpiresAt, "absoluteExpiresAt");
        if (expiresAt.isAfter(absoluteExpiresAt)) {
            expiresAt = absoluteExpiresAt;
        }
    }

    /** A session that recorded no device. */
    public Session(String id, String principal, Map<String, Object> data, long visits, long version, long revision,
                   Instant createdAt, Instant lastAccessedAt, Instant expiresAt, Instant absoluteExpiresAt) {
        this(id, principal, data, visits, version, revision, createdAt, lastAccessedAt, expiresAt, absoluteExpiresAt,
                null);
    }

    /** The same session with {@code device} recorded. */
    public Session withDevice(Device device) {
        return new Session(id, principal, data, visits, version, revision, createdAt, lastAccessedAt, expiresAt,
                absoluteExpiresAt, device);
    }

    /** True from the instant {@link #expiresAt()} is reached: an expired session reads as absent. */
    public boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** Whole seconds from {@code now} until it expires, never negative: the cookie's Max-Age. */
    public long secondsToExpiry(Instant now) {
        return Math.max(0, expiresAt.getEpochSecond() - now.getEpochSecond());
    }
}
