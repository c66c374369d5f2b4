package dev.sessions.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.MutableClock;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.SessionsTableFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The recovery command against a real emulator table and a real redis-server. */
@ExtendWith(LocalServices.class)
class CacheRebuildIT {

    private DynamoDbClient dynamo;
    private String table;
    private RedisConnection redis;
    private String redisUrl;
    private String endpoint;
    private final List<IssuedSession> live = new ArrayList<>();
    private IssuedSession expired;

    @BeforeEach
    void seed(AwsEndpoint aws, RedisEndpoint redisEndpoint) {
        dynamo = aws.dynamoDb();
        endpoint = aws.uri().toString();
        table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("rebuild"));
        redisUrl = redisEndpoint.uri().toString();
        redis = new RedisConnection(RedisConnection.Settings.fromUrl(redisUrl, Duration.ofSeconds(2), Duration.ofSeconds(2)));
        redis.call("FLUSHDB");
        SessionPolicy policy = SessionPolicy.defaults();
        MutableClock past = new MutableClock(Instant.now().minus(Duration.ofHours(1)));
        SessionService old = new SessionService(new DynamoDbSessionStore(dynamo, table, policy), policy, past);
        expired = old.create(new SessionService.NewSession(null, Map.of("stale", true), Optional.empty()),
                UUID.randomUUID().toString()).issued();
        SessionService now = new SessionService(new DynamoDbSessionStore(dynamo, table, policy), policy,
                new MutableClock(Instant.now()));
        for (int i = 0; i < 1200; i++) {
            live.add(now.create(new SessionService.NewSession("user-" + (i % 10), Map.of("n", java.math.BigDecimal.valueOf(i)),
                    Optional.empty()), UUID.randomUUID().toString()).issued());
        }
    }

    @AfterEach
    void drop() {
        dynamo.deleteTable(b -> b.tableName(table));
        dynamo.close();
        redis.close();
    }

    private record Outcome(int exit, String out, String err) {
    }

    private Outcome rebuild(String... extra) {
        List<String> args = new ArrayList<>(List.of("--table", table, "--redis-url", redisUrl, "--endpoint-url", endpoint));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CacheRebuild.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Everything Redis holds, key by key. */
    private Map<String, Object> dump() {
        Map<String, Object> contents = new TreeMap<>();
        for (Object key : (List<?>) redis.call("KEYS", "*")) {
            contents.put((String) key, redis.call("HGETALL", key));
        }
        return contents;
    }

    @Test
    void givenTableAndEmptyReplica_whenRebuiltTwice_thenEveryLiveSessionCachedAndTheRerunChangesNothing() {
        Outcome first = rebuild();

        assertEquals(0, first.exit(), first.err());
        assertEquals("scanned 1201, written 1200, unchanged 0, expired 1, removed since 0, tombstoned 0\n", first.out());
        assertTrue(first.err().contains("rebuild-cache: 500 sessions scanned"), "a progress line per page: " + first.err());
        RedisCacheReplica replica = new RedisCacheReplica(redis);
        for (IssuedSession issued : List.of(live.getFirst(), live.get(600), live.getLast())) {
            Session cached = assertInstanceOf(CacheReplica.Hit.class, replica.read(issued.session().id())).session();
            assertEquals(issued.session(), cached);
        }
        assertInstanceOf(CacheReplica.Miss.class, replica.read(expired.session().id()));
        Map<String, Object> afterFirst = dump();

        Outcome second = rebuild();

        assertEquals("scanned 1201, written 0, unchanged 1200, expired 1, removed since 0, tombstoned 0\n", second.out());
        assertEquals(afterFirst, dump());
    }

    @Test
    void givenReplicaWithEntriesTheTableNoLongerHas_whenRebuiltWithFlush_thenOnlyTheTablesSessionsRemain() {
        RedisCacheReplica replica = new RedisCacheReplica(redis);
        Session orphan = new Session(SessionToken.generate().id(), null, Map.of(), 1, 1, 99, Instant.now(), Instant.now(),
                Instant.now().plusSeconds(600), Instant.now().plusSeconds(600));
        replica.put(orphan, Instant.now());

        Outcome outcome = rebuild("--flush");

        assertEquals(0, outcome.exit(), outcome.err());
        assertTrue(outcome.out().startsWith("flushed 1 cached sessions\n"), outcome.out());
        assertInstanceOf(CacheReplica.Miss.class, replica.read(orphan.id()));
        assertEquals(1200, dump().size());
    }

    @Test
    void givenCachedCopiesOfSessionsGoneFromTheTable_whenRebuilt_thenEachIsTombstoned() {
        RedisCacheReplica replica = new RedisCacheReplica(redis);
        Session orphan = new Session(SessionToken.generate().id(), null, Map.of(), 1, 1, 99, Instant.now(), Instant.now(),
                Instant.now().plusSeconds(600), Instant.now().plusSeconds(600));
        replica.put(orphan, Instant.now());
        replica.put(expired.session(), expired.session().createdAt());

        Outcome outcome = rebuild();

        assertEquals(0, outcome.exit(), outcome.err());
        assertTrue(outcome.out().endsWith(", tombstoned 2\n"), "the orphan and the expired session's copy: "
                + outcome.out());
        assertInstanceOf(CacheReplica.Revoked.class, replica.read(orphan.id()));
        assertInstanceOf(CacheReplica.Revoked.class, replica.read(expired.session().id()));
        assertInstanceOf(CacheReplica.Hit.class, replica.read(live.getFirst().session().id()));
    }

    @Test
    void givenBadArguments_whenRun_thenOneLineAndNonZeroExit() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int missing = CacheRebuild.run(new String[] {"--table"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Outcome badUrl = new Outcome(CacheRebuild.run(new String[] {"--table", "t", "--redis-url", "http://x"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)), "", "");
        Outcome unreachable = rebuild("--redis-url", "redis://127.0.0.1:1");

        assertEquals(2, missing);
        assertEquals(2, badUrl.exit());
        assertEquals(1, unreachable.exit());
        assertTrue(unreachable.err().startsWith("error: the cache at "), unreachable.err());
        assertEquals(1, unreachable.err().strip().lines().count());
    }
}
