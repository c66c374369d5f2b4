package dev.sessions.adapter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.ServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replica's compare-and-set, tombstones and expiry, in a real redis-server. */
@ExtendWith(LocalServices.class)
class RedisCacheReplicaIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private RedisConnection redis;
    private RedisCacheReplica replica;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void connect(RedisEndpoint endpoint) {
        redis = new RedisConnection(RedisConnection.Settings.fromUrl(endpoint.uri().toString(), TIMEOUT, TIMEOUT));
        replica = new RedisCacheReplica(redis);
    }

    private Session session(String id, long revision, String note) {
        return new Session(id, null, Map.of("note", note), revision, 1, revision, now, now,
                Instant.ofEpochSecond(now.plusSeconds(1800).getEpochSecond()),
                Instant.ofEpochSecond(now.plusSeconds(43200).getEpochSecond()));
    }

    @Test
    void givenNewerRevision_whenPut_thenAppliedAndReadBackWhole() {
        String id = SessionToken.generate().id();

        assertEquals(CacheReplica.Write.APPLIED, replica.put(session(id, 1, "one"), now));
        assertEquals(CacheReplica.Write.APPLIED, replica.put(session(id, 3, "three"), now));

        CacheReplica.Hit hit = assertInstanceOf(CacheReplica.Hit.class, replica.read(id));
        assertEquals(session(id, 3, "three"), hit.session());
    }

    @Test
    void givenOlderOrSameRevision_whenPut_thenStaleAndNothingRegresses() {
        String id = SessionToken.generate().id();
        replica.put(session(id, 5, "five"), now);

        assertEquals(CacheReplica.Write.STALE, replica.put(session(id, 4, "four"), now));
        assertEquals(CacheReplica.Write.STALE, replica.put(session(id, 5, "other five"), now));

        assertEquals("five", ((CacheReplica.Hit) replica.read(id)).session().data().get("note"));
    }

    @Test
    void givenEviction_whenOlderWriteArrivesLater_thenTombstoneKeepsTheSessionGone() {
        String id = SessionToken.generate().id();
        replica.put(session(id, 2, "two"), now);

        replica.evict(id, now.plusSeconds(600), now);

        assertInstanceOf(CacheReplica.Revoked.class, replica.read(id));
        assertEquals(CacheReplica.Write.TOMBSTONED, replica.put(session(id, 9, "resurrected"), now));
        assertInstanceOf(CacheReplica.Revoked.class, replica.read(id));
    }

    @Test
    void givenSession_whenPut_thenKeyExpiresWhenTheSessionDoes() {
        String id = SessionToken.generate().id();
        Session session = session(id, 1, "x");

        replica.put(session, now);

        // what the session has left by the writer's clock, whatever the server's clock says
        long ttl = (Long) redis.call("PTTL", RedisCacheReplica.key(id));
        long expected = session.expiresAt().toEpochMilli() - now.toEpochMilli();
        assertTrue(ttl <= expected && ttl > expected - 2000, "PTTL " + ttl + " vs " + expected);
    }

    @Test
    void givenWriterClockFarFromTheServers_whenPut_thenTheCopyLivesWhatTheSessionHasLeft() {
        String id = SessionToken.generate().id();
        Instant aYearAgo = now.minus(Duration.ofDays(400));
        Session session = new Session(id, null, Map.of(), 0, 1, 1, aYearAgo, aYearAgo,
                aYearAgo.plusSeconds(1800), aYearAgo.plusSeconds(43200));

        assertEquals(CacheReplica.Write.APPLIED, replica.put(session, aYearAgo));

        long ttl = (Long) redis.call("PTTL", RedisCacheReplica.key(id));
        assertTrue(ttl <= 1_800_000 && ttl > 1_798_000, "PTTL " + ttl);
        assertInstanceOf(CacheReplica.Hit.class, replica.read(id));
    }

    @Test
    void givenEviction_whenEvicted_thenTheTombstoneStandsUntilTheGivenTimeByTheWritersClock() {
        String id = SessionToken.generate().id();
        Instant aYearAhead = now.plus(Duration.ofDays(400));

        replica.evict(id, aYearAhead.plusSeconds(3600), aYearAhead);
        long ttl = (Long) redis.call("PTTL", RedisCacheReplica.key(id));
        assertTrue(ttl <= 3_600_000 && ttl > 3_598_000, "PTTL " + ttl);

        String soon = SessionToken.generate().id();
        replica.evict(soon, now.plusSeconds(1), now);
        long floor = (Long) redis.call("PTTL", RedisCacheReplica.key(soon));
        assertTrue(floor > 58_000, "a tombstone stands at least a minute: PTTL " + floor);
    }

    @Test
    void givenALongTombstone_whenEvictedForLess_thenItStillStandsAsLong() {
        String id = SessionToken.generate().id();
        replica.evict(id, now.plusSeconds(3600), now);

        assertTrue(replica.evict(id, now.plusSeconds(60), now), "a tombstone stood");

        long ttl = (Long) redis.call("PTTL", RedisCacheReplica.key(id));
        assertTrue(ttl > 3_598_000, "a provisional tombstone never shortens a revocation: PTTL " + ttl);
        replica.evict(id, now.plusSeconds(7200), now);
        long longer = (Long) redis.call("PTTL", RedisCacheReplica.key(id));
        assertTrue(longer > 7_198_000, "a longer one extends it: PTTL " + longer);
    }

    @Test
    void givenExpiredSession_whenPut_thenNotWritten() {
        String id = SessionToken.generate().id();

        assertEquals(CacheReplica.Write.EXPIRED, replica.put(session(id, 1, "x"), now.plusSeconds(3600)));
        assertInstanceOf(CacheReplica.Miss.class, replica.read(id));
    }

    @Test
    void givenScriptCacheFlushed_whenPut_thenScriptReloadedAndApplied() {
        String id = SessionToken.generate().id();
        replica.put(session(id, 1, "x"), now);
        redis.call("SCRIPT", "FLUSH");

        assertEquals(CacheReplica.Write.APPLIED, replica.put(session(id, 2, "y"), now));
    }

    @Test
    void givenRedisDown_whenRead_thenMissAndWritesRefusedWithCause() {
        RedisCacheReplica down = new RedisCacheReplica(new RedisConnection(RedisConnection.Settings.fromUrl(
                "redis://127.0.0.1:" + ServerProcess.freePort(), TIMEOUT, TIMEOUT)));

        assertEquals(new CacheReplica.Miss(true), down.read("any"));
        CacheReplica.CacheUnavailable error = assertThrows(CacheReplica.CacheUnavailable.class,
                () -> down.put(session("any", 1, "x"), now));
        assertInstanceOf(RedisUnavailableException.class, error.getCause());
    }
}
