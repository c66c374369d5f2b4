package dev.sessions.tools;

import dev.sessions.adapter.dynamodb.BatchRead;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.SessionItem;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.adapter.redis.RedisErrorReply;
import dev.sessions.adapter.redis.RedisUnavailableException;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import dev.sessions.domain.StoreUnavailable;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Rebuilds the cache replica from the sessions table: a consistent scan, each live session written
 * with the same compare-and-set the stream sync uses, so a rerun changes nothing and a running
 * sync is never regressed; then every cached session whose id is not live in the table any more
 * gets a tombstone, so that no copy outlives its session (a REMOVE the sync never delivered).
 * {@code --flush} first removes every cached session and tombstone (after restoring the table to
 * an earlier point, the replica holds newer revisions than the table; it also drops the
 * tombstones of sessions revoked since, see docs/operations.md).
 *
 * <pre>scripts/rebuild-cache --table NAME --redis-url rediss://HOST:6379 [--flush] [--endpoint-url URL] [--region R]</pre>
 */
public final class CacheRebuild {

    static final String USAGE = "usage: rebuild-cache --table NAME --redis-url URL [--flush] [--endpoint-url URL] [--region R]";

    private CacheRebuild() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ToolArguments options;
        try {
            options = ToolArguments.parse(args, List.of("--table", "--redis-url", "--endpoint-url", "--region"),
                    List.of("--flush"), List.of("--table", "--redis-url"), USAGE);
        } catch (ToolArguments.Refused refused) {
            err.println(refused.getMessage());
            return 2;
        }
        boolean flush = options.has("--flush");
        Map<String, String> aws = ToolEnvironment.of(options.get("--endpoint-url"), options.get("--region"));
        RedisConnection.Settings redisSettings;
        try {
            redisSettings = RedisConnection.Settings.fromUrl(options.get("--redis-url"), Duration.ofSeconds(5),
                    Duration.ofSeconds(5));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (DynamoDbClient dynamo = DynamoDbClients.fromEnvironment(aws); RedisConnection redis = new RedisConnection(redisSettings)) {
            redis.call("PING");
            if (flush) {
                out.println("flushed " + flush(redis) + " cached sessions");
            }
            RedisCacheReplica replica = new RedisCacheReplica(redis);
            Map<CacheReplica.Write, Long> counts = rebuild(dynamo, options.get("--table"), replica, Clock.systemUTC(), err);
            long tombstoned = tombstoneGone(dynamo, options.get("--table"), redis, replica, Clock.systemUTC());
            out.printf("scanned %d, written %d, unchanged %d, expired %d, removed since %d, tombstoned %d%n",
                    counts.values().stream().mapToLong(Long::longValue).sum(), counts.get(CacheReplica.Write.APPLIED),
                    counts.get(CacheReplica.Write.STALE), counts.get(CacheReplica.Write.EXPIRED),
                    counts.get(CacheReplica.Write.TOMBSTONED), tombstoned);
            return 0;
        } catch (RedisUnavailableException | RedisErrorReply | CacheReplica.CacheUnavailable e) {
            err.println("error: the cache at " + redisSettings + " cannot be used: " + e.getMessage());
            return 1;
        } catch (SdkException | StoreUnavailable e) {
            err.println("error: cannot scan " + options.get("--table") + ": " + e.getMessage());
            return 1;
        }
    }

    /** Writes every live session of the table to the replica; returns how each write went. */
    static Map<CacheReplica.Write, Long> rebuild(DynamoDbClient dynamo, String table, CacheReplica replica, Clock clock,
                                                 PrintStream progress) {
        Map<CacheReplica.Write, Long> counts = new EnumMap<>(CacheReplica.Write.class);
        for (CacheReplica.Write write : CacheReplica.Write.values()) {
            counts.put(write, 0L);
        }
        long scanned = 0;
        for (ScanResponse page : dynamo.scanPaginator(b -> b.tableName(table).consistentRead(true).limit(500))) {
            Instant now = clock.instant();
            for (Map<String, AttributeValue> item : page.items()) {
                if (SessionItem.isForwardPointer(item)) {
                    continue; // a rotated id: no session of its own to copy
                }
                Session session = SessionItem.toSession(item);
                counts.merge(session.isExpired(now) ? CacheReplica.Write.EXPIRED : replica.put(session, now), 1L, Long::sum);
            }
            scanned += page.count();
            progress.printf("rebuild-cache: %d sessions scanned, %d written%n", scanned, counts.get(CacheReplica.Write.APPLIED));
        }
        return counts;
    }

    /**
     * Tombstones every cached session (a copy, not a tombstone already) whose id the table does not
     * hold live: the replica's keys are scanned, their ids looked up 100 to a BatchGetItem.
     *
     * @return how many it tombstoned
     */
    static long tombstoneGone(DynamoDbClient dynamo, String table, RedisConnection redis, CacheReplica replica,
                              Clock clock) {
        long tombstoned = 0;
        String cursor = "0";
        do {
            List<?> reply = (List<?>) redis.call("SCAN", cursor, "MATCH", RedisCacheReplica.key("*"), "COUNT", 100);
            cursor = (String) reply.get(0);
            List<String> ids = new ArrayList<>();
            for (Object key : (List<?>) reply.get(1)) {
                if (redis.call("HEXISTS", key, "tombstone").equals(0L)) {
                    ids.add(((String) key).substring(RedisCacheReplica.key("").length()));
                }
            }
            for (int from = 0; from < ids.size(); from += 100) {
                List<String> batch = ids.subList(from, Math.min(from + 100, ids.size()));
                Set<String> live = liveIds(dynamo, table, batch, clock.instant());
                Instant now = clock.instant();
                for (String id : batch) {
                    if (!live.contains(id) && replica.read(id) instanceof CacheReplica.Hit copy) {
                        // as long as the copy could have claimed to be live
                        replica.evict(id, copy.session().absoluteExpiresAt(), now);
                        tombstoned++;
                    }
                }
            }
        } while (!cursor.equals("0"));
        return tombstoned;
    }

    private static Set<String> liveIds(DynamoDbClient dynamo, String table, List<String> ids, Instant now) {
        Set<String> live = new HashSet<>();
        for (Map<String, AttributeValue> item : BatchRead.sessions(dynamo, table, ids)) {
            if (!SessionItem.isForwardPointer(item) && !SessionItem.toSession(item).isExpired(now)) {
                live.add(item.get(SessionItem.ID).s());
            }
        }
        return live;
    }

    /** Removes every {@code session:*} key, tombstones included. */
    static long flush(RedisConnection redis) {
        long removed = 0;
        String cursor = "0";
        do {
            List<?> reply = (List<?>) redis.call("SCAN", cursor, "MATCH", RedisCacheReplica.key("*"), "COUNT", 500);
            cursor = (String) reply.get(0);
            List<?> keys = (List<?>) reply.get(1);
            if (!keys.isEmpty()) {
                Object[] command = new Object[keys.size() + 1];
                command[0] = "UNLINK";
                for (int i = 0; i < keys.size(); i++) {
                    command[i + 1] = keys.get(i);
                }
                removed += (Long) redis.call(command);
            }
        } while (!cursor.equals("0"));
        return removed;
    }
}
