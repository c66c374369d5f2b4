package dev.sessions.adapter.redis;

import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The session replica in Redis or Valkey: one hash per session at {@code session:<id>} holding
 * {@code revision} and {@code body} (the session in the replica's own versioned form,
 * {@link ReplicaCodec}), or {@code tombstone}. Writes run as Lua
 * scripts, so the compare-and-set on revision is atomic in the server.
 *
 * <p>Every key's time to live is set relative ({@code PEXPIRE}, milliseconds remaining), from the
 * writer's clock: the same clock that decides whether a session has expired. The server's own
 * clock is another machine's; an absolute expiry would make the copy's life depend on the two
 * agreeing (a writer a year ahead would keep copies a year, one behind would drop them at once).
 */
public final class RedisCacheReplica implements CacheReplica {

    static final String PREFIX = "session:";

    /**
     * Applies a newer revision only; a tombstone or an expired session is never written. ARGV:
     * revision, body, milliseconds the session has left by the writer's clock.
     */
    static final String PUT = """
            if redis.call('HEXISTS', KEYS[1], 'tombstone') == 1 then return 'TOMBSTONED' end
            if tonumber(ARGV[3]) <= 0 then return 'EXPIRED' end
            local held = redis.call('HGET', KEYS[1], 'revision')
            if held and tonumber(held) >= tonumber(ARGV[1]) then return 'STALE' end
            redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'body', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 'APPLIED'""";

    /**
     * Replaces whatever is there with a tombstone that stands for ARGV[1] milliseconds, or leaves
     * a tombstone that stands longer as it is (a provisional tombstone never shortens a revocation
     * that came before); answers 1 when a tombstone stood there already.
     */
    static final String EVICT = """
            local had = redis.call('HEXISTS', KEYS[1], 'tombstone')
            if had == 1 and redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[1]) then return 1 end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 'tombstone', '1')
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return had""";

    /** Removes a tombstone (and only a tombstone: a copy written meanwhile stays). */
    static final String LIFT = """
            if redis.call('HEXISTS', KEYS[1], 'tombstone') == 1 then redis.call('DEL', KEYS[1]) return 1 end
            return 0""";

    /**
     * The least a tombstone stands, however close the session was to its end: long enough for any
     * write already in flight for it (a stream retry, a slow handler) to meet the tombstone.
     */
    static final Duration MIN_TOMBSTONE = Duration.ofMinutes(1);

    private static final String PUT_SHA = sha1(PUT);
    private static final String EVICT_SHA = sha1(EVICT);
    private static final String LIFT_SHA = sha1(LIFT);

    private final RedisConnection redis;

    public RedisCacheReplica(RedisConnection redis) {
        this.redis = redis;
    }

    /** Runs the replica's codec once, with no I/O: for warm-ups before a snapshot. */
    public static void warmUp() {
        java.time.Instant now = java.time.Instant.ofEpochSecond(1_795_774_530L);
        ReplicaCodec.read(ReplicaCodec.write(new Session("priming", null, java.util.Map.of("k", List.of(1)), 0, 1, 1,
                now, now, now, now)));
    }

    public static String key(String id) {
        return PREFIX + id;
    }

    @Override
    public Read read(String id) {
        try {
            List<?> fields = (List<?>) redis.call("HMGET", key(id), "tombstone", "body");
            if (fields.get(0) != null) {
                return new Revoked();
            }
            if (fields.get(1) == null) {
                return new Miss(false);
            }
            return new Hit(ReplicaCodec.read((String) fields.get(1)));
        } catch (RedisUnavailableException | RedisErrorReply | IllegalArgumentException e) {
            return new Miss(true);
        }
    }

    @Override
    public Write put(Session session, Instant now) {
        long remaining = Duration.between(now, session.expiresAt()).toMillis();
        if (remaining <= 0) {
            return Write.EXPIRED; // no need to ask the server
        }
        Object reply = script(PUT, PUT_SHA, key(session.id()), Long.toString(session.revision()),
                ReplicaCodec.write(session), Long.toString(remaining));
        return Write.valueOf((String) reply);
    }

    @Override
    public boolean evict(String id, Instant until, Instant now) {
        long remaining = Math.max(MIN_TOMBSTONE.toMillis(), Duration.between(now, until).toMillis());
        return Long.valueOf(1).equals(script(EVICT, EVICT_SHA, key(id), Long.toString(remaining)));
    }

    @Override
    public void lift(String id) {
        script(LIFT, LIFT_SHA, key(id));
    }

    /** Runs a script by its hash, loading it first if the server has not seen it (after a restart or failover). */
    private Object script(String source, String sha, String key, String... args) {
        Object[] command = new Object[4 + args.length];
        command[0] = "EVALSHA";
        command[1] = sha;
        command[2] = "1";
        command[3] = key;
        System.arraycopy(args, 0, command, 4, args.length);
        try {
            try {
                return redis.call(command);
            } catch (RedisErrorReply e) {
                if (!e.code().equals("NOSCRIPT")) {
                    throw e;
                }
                command[0] = "EVAL";
                command[1] = source;
                return redis.call(command);
            }
        } catch (RedisUnavailableException | RedisErrorReply e) {
            throw new CacheUnavailable("the session replica could not be written", e);
        }
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
