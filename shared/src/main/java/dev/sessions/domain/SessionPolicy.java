package dev.sessions.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long sessions live and how much they hold.
 *
 * @param idleTimeout a session unused this long expires; each use slides it (default 30 min)
 * @param absoluteTimeout no session outlives this from its creation (default 12 h)
 * @param touchInterval reads slide the idle window at most once per interval (default 60 s), so a
 *     read is not a write
 * @param maxDataBytes {@code data} at most this many bytes as compact UTF-8 JSON (default 16 KiB)
 * @param maxDepth nesting as DynamoDB counts it, {@code data} itself being level 1 (default 32)
 * @param maxKeyLength at most this many UTF-8 bytes in any key of {@code data} (default 255)
 */
public record SessionPolicy(Duration idleTimeout, Duration absoluteTimeout, Duration touchInterval,
                            int maxDataBytes, int maxDepth, int maxKeyLength) {

    /** DynamoDB's own nesting limit for a document attribute. */
    public static final int DYNAMODB_MAX_DEPTH = 32;

    public SessionPolicy {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(absoluteTimeout, "absoluteTimeout");
        Objects.requireNonNull(touchInterval, "touchInterval");
        if (idleTimeout.toSeconds() < 1 || absoluteTimeout.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException("need 1 s <= idleTimeout <= absoluteTimeout, got " + idleTimeout
                    + " and " + absoluteTimeout);
        }
        if (touchInterval.isNegative() || touchInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("need 0 <= touchInterval < idleTimeout, got " + touchInterval);
        }
        if (maxDataBytes < 2 || maxDataBytes > 300 * 1024) {
            throw new IllegalArgumentException("maxDataBytes out of range 2..307200: " + maxDataBytes);
        }
        if (maxDepth < 1 || maxDepth > DYNAMODB_MAX_DEPTH) {
            throw new IllegalArgumentException("maxDepth out of range 1.." + DYNAMODB_MAX_DEPTH + ": " + maxDepth);
        }
        if (maxKeyLength < 1 || maxKeyLength > 65535) {
            throw new IllegalArgumentException("maxKeyLength out of range 1..65535: " + maxKeyLength);
        }
    }

    public static SessionPolicy defaults() {
        return new SessionPolicy(Duration.ofMinutes(30), Duration.ofHours(12), Duration.ofSeconds(60),
                16 * 1024, DYNAMODB_MAX_DEPTH, 255);
    }

    /** The idle expiry a use at {@code now} gives, in whole seconds and not yet capped. */
    public Instant idleExpiry(Instant now) {
        return Instant.ofEpochSecond(now.plus(idleTimeout).getEpochSecond());
    }

    /** The absolute expiry of a session created at {@code now}, in whole seconds. */
    public Instant absoluteExpiry(Instant now) {
        return Instant.ofEpochSecond(now.plus(absoluteTimeout).getEpochSecond());
    }

    /** Whether a read at {@code now} should slide the idle window of a session last touched at {@code last}. */
    public boolean dueForTouch(Instant last, Instant now) {
        return !now.isBefore(last.plus(touchInterval));
    }
}
