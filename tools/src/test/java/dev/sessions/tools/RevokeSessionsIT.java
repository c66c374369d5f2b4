package dev.sessions.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.FaultyEndpoint;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The recovery command that revokes sessions last used before a time, against the emulator and a real redis-server. */
@ExtendWith(LocalServices.class)
class RevokeSessionsIT {

    private AwsEndpoint aws;
    private DynamoDbClient dynamo;
    private String table;
    private String endpoint;
    private String redisUrl;
    private RedisConnection redis;
    private DynamoDbSessionStore store;
    private final MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofHours(2)));
    private final List<IssuedSession> idle = new ArrayList<>();
    private final List<IssuedSession> active = new ArrayList<>();
    private Instant cutoff;

    @BeforeEach
    void seed(AwsEndpoint aws, RedisEndpoint redisEndpoint) {
        this.aws = aws;
        dynamo = aws.dynamoDb();
        endpoint = aws.uri().toString();
        redisUrl = redisEndpoint.uri().toString();
        redis = new RedisConnection(RedisConnection.Settings.fromUrl(redisUrl, Duration.ofSeconds(2), Duration.ofSeconds(2)));
        table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("revoke"));
        SessionPolicy policy = SessionPolicy.defaults();
        store = new DynamoDbSessionStore(dynamo, table, policy);
        SessionService sessions = new SessionService(store, policy, clock);
        for (int i = 0; i < 3; i++) {
            idle.add(sessions.create(new SessionService.NewSession("u" + i, Map.of(), Optional.empty()), request()).issued());
        }
        clock.advance(Duration.ofMinutes(20));
        cutoff = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 2; i++) {
            active.add(sessions.create(new SessionService.NewSession(null, Map.of(), Optional.empty()), request()).issued());
        }
        sessions.visit(Optional.of(idle.getFirst().token()), request()); // used after the cutoff: kept
    }

    @AfterEach
    void drop() {
        dynamo.deleteTable(b -> b.tableName(table));
        dynamo.close();
        redis.close();
    }

    private static String request() {
        return UUID.randomUUID().toString();
    }

    private record Outcome(int exit, String out, String err) {
    }

    private Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RevokeSessions.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void givenSessionsUsedBeforeAndAfterTheRestorePoint_whenRevoked_thenOnlyTheIdleOnesGoAndEachIsTombstoned() {
        Outcome dry = run("--table", table, "--last-used-before", cutoff.toString(), "--endpoint-url", endpoint,
                "--dry-run");
        assertEquals("scanned 5, would revoke 2, used since 3\n", dry.out(), dry.err());

        Outcome outcome = run("--table", table, "--last-used-before", cutoff.toString(), "--endpoint-url", endpoint,
                "--redis-url", redisUrl);

        assertEquals(0, outcome.exit(), outcome.err());
        assertEquals("scanned 5, revoked 2, used since 3\n", outcome.out());
        Instant now = clock.instant();
        RedisCacheReplica replica = new RedisCacheReplica(redis);
        for (IssuedSession gone : idle.subList(1, 3)) {
            assertTrue(store.find(gone.session().id(), now, true).isEmpty());
            assertInstanceOf(CacheReplica.Revoked.class, replica.read(gone.session().id()));
        }
        assertTrue(store.find(idle.getFirst().session().id(), now, true).isPresent());
        for (IssuedSession kept : active) {
            assertTrue(store.find(kept.session().id(), now, true).isPresent());
        }
        assertEquals("scanned 3, revoked 0, used since 3\n", run("--table", table, "--last-used-before",
                cutoff.toString(), "--endpoint-url", endpoint).out(), "a rerun revokes nothing twice");
        // the lifecycle events say why: each REMOVE carries the reason the service writes for an administrator
        for (IssuedSession gone : idle.subList(1, 3)) {
            var removal = aws.streamRemovals(table).stream()
                    .filter(r -> r.dynamodb().keys().get("id").s().equals(gone.session().id())).findFirst().orElseThrow();
            assertEquals("revoked-by-administrator", removal.dynamodb().oldImage().get("endReason").s());
        }
    }

    @Test
    void givenSessionsUsedBetweenTheScanAndTheirRevocation_whenRevoked_thenKeptWithTheirTombstonesTakenBack() {
        SessionService sessions = new SessionService(store, SessionPolicy.defaults(), clock);
        List<IssuedSession> racing = idle.subList(1, 3);
        // just before the first revocation's write, both idle sessions are used: a race lost for real
        try (FaultyEndpoint faulty = FaultyEndpoint.start(java.net.URI.create(endpoint)).fail("UpdateItem", 0, 1,
                new FaultyEndpoint.Before(() -> racing.forEach(s -> sessions.visit(Optional.of(s.token()), request()))))) {
            Outcome outcome = run("--table", table, "--last-used-before", cutoff.toString(), "--endpoint-url",
                    faulty.uri().toString(), "--redis-url", redisUrl);

            assertEquals(0, outcome.exit(), outcome.err());
            assertEquals("scanned 5, revoked 0, used since 5\n", outcome.out());
        }
        RedisCacheReplica replica = new RedisCacheReplica(redis);
        for (IssuedSession kept : racing) {
            assertTrue(store.find(kept.session().id(), clock.instant(), true).isPresent());
            assertTrue(!(replica.read(kept.session().id()) instanceof CacheReplica.Revoked),
                    "its tombstone was taken back: cached reads still serve it");
        }
        assertTrue(dynamo.scan(b -> b.tableName(table).consistentRead(true)).items().stream()
                .noneMatch(item -> item.containsKey("endReason")), "no reason left on a session that lives on");
    }

    @Test
    void givenBadArguments_whenRun_thenOneLineAndExitTwoAndNothingRevoked() {
        for (String[] args : List.of(new String[] {"--table", table}, new String[] {"--table", table,
            "--last-used-before", "yesterday"}, new String[] {"--table", table, "--last-used-before",
            cutoff.toString(), "--redis-url", "http://x"}, new String[] {"--nope"})) {
            Outcome outcome = run(args);
            assertEquals(2, outcome.exit(), String.join(" ", args));
            assertTrue(outcome.err().startsWith("error: "), outcome.err());
        }
        assertEquals(5, dynamo.scan(b -> b.tableName(table).consistentRead(true)).count());
    }
}
