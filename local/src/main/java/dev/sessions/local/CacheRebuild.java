package dev.sessions.local;

import dev.sessions.adapter.dynamodb.SessionItem;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.adapter.redis.RedisErrorReply;
import dev.sessions.adapter.redis.RedisUnavailableException;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.Session;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Rebuilds the cache replica from the sessions table: a consistent scan, each live session written
 * with the same compare-and-set the stream sync uses, so a rerun changes nothing and a running
 * sync is never regressed. {@code --flush} first removes every cached session (after restoring the
 * table to an earlier point, the replica holds newer revisions than the table).
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
        Map<String, String> options = new LinkedHashMap<>();
        boolean flush = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--flush" -> flush = true;
                case "--table", "--redis-url", "--endpoint-url", "--region" -> {
                    if (i + 1 >= args.length) {
                        err.println("error: " + args[i] + " needs a value");
                        return 2;
                    }
                    options.put(args[i], args[++i]);
                }
                default -> {
                    err.println("error: unknown argument " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        if (!options.containsKey("--table") || !options.containsKey("--redis-url")) {
            err.println("error: --table and --redis-url are required\n" + USAGE);
            return 2;
        }
        Map<String, String> aws = new LinkedHashMap<>(System.getenv());
        if (options.containsKey("--endpoint-url")) {
            aws.put("AWS_ENDPOINT_URL", options.get("--endpoint-url"));
        }
        if (options.containsKey("--region")) {
            aws.put("AWS_REGION", options.get("--region"));
        }
        if (aws.containsKey("AWS_ENDPOINT_URL") && !aws.containsKey("AWS_ACCESS_KEY_ID")) {
            aws.put("AWS_ACCESS_KEY_ID", "test");
            aws.put("AWS_SECRET_ACCESS_KEY", "test");
        }
        RedisConnection.Settings redisSettings;
        try {
            redisSettings = RedisConnection.Settings.fromUrl(options.get("--redis-url"), Duration.ofSeconds(5),
                    Duration.ofSeconds(5));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (DynamoDbClient dynamo = AwsClients.dynamoDb(aws); RedisConnection redis = new RedisConnection(redisSettings)) {
            redis.call("PING");
            if (flush) {
                out.println("flushed " + flush(redis) + " cached sessions");
            }
            Map<CacheReplica.Write, Long> counts = rebuild(dynamo, options.get("--table"), new RedisCacheReplica(redis),
                    Clock.systemUTC(), err);
            out.printf("scanned %d, written %d, unchanged %d, expired %d, removed since %d%n",
                    counts.values().stream().mapToLong(Long::longValue).sum(), counts.get(CacheReplica.Write.APPLIED),
                    counts.get(CacheReplica.Write.STALE), counts.get(CacheReplica.Write.EXPIRED),
                    counts.get(CacheReplica.Write.TOMBSTONED));
            return 0;
        } catch (RedisUnavailableException | RedisErrorReply | CacheReplica.CacheUnavailable e) {
            err.println("error: the cache at " + redisSettings + " cannot be used: " + e.getMessage());
            return 1;
        } catch (SdkException e) {
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
        Map<String, AttributeValue> start = null;
        long scanned = 0;
        do {
            ScanRequest.Builder scan = ScanRequest.builder().tableName(table).consistentRead(true).limit(500);
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            ScanResponse page = dynamo.scan(scan.build());
            Instant now = clock.instant();
            for (Map<String, AttributeValue> item : page.items()) {
                Session session = SessionItem.toSession(item);
                counts.merge(session.isExpired(now) ? CacheReplica.Write.EXPIRED : replica.put(session, now), 1L, Long::sum);
            }
            scanned += page.count();
            progress.printf("rebuild-cache: %d sessions scanned, %d written%n", scanned, counts.get(CacheReplica.Write.APPLIED));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return counts;
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
