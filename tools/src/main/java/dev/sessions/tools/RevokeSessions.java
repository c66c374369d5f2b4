package dev.sessions.tools;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.SessionItem;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.adapter.redis.RedisErrorReply;
import dev.sessions.adapter.redis.RedisUnavailableException;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.EndReason;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Revokes every session last used before a given time: the safe default after a point-in-time
 * restore, which brings back every session ended after the restore point under its old token
 * (docs/operations.md, "Recovery"). Run it against the restored table with the restore point:
 * whoever used a session since then signs in again. Each session's tombstone goes in the cache
 * first (when {@code --redis-url} is given), then it is deleted on condition it was not used
 * meanwhile; a rerun revokes nothing twice.
 *
 * <pre>scripts/revoke-sessions --table NAME --last-used-before 2026-11-30T12:00:00Z [--redis-url URL] [--dry-run] [--endpoint-url URL] [--region R]</pre>
 */
public final class RevokeSessions {

    static final String USAGE = "usage: revoke-sessions --table NAME --last-used-before INSTANT [--redis-url URL]"
            + " [--dry-run] [--endpoint-url URL] [--region R]";

    private RevokeSessions() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ToolArguments options;
        try {
            options = ToolArguments.parse(args, List.of("--table", "--last-used-before", "--redis-url", "--endpoint-url",
                    "--region"), List.of("--dry-run"), List.of("--table", "--last-used-before"), USAGE);
        } catch (ToolArguments.Refused refused) {
            err.println(refused.getMessage());
            return 2;
        }
        boolean dryRun = options.has("--dry-run");
        Instant before;
        try {
            before = Instant.parse(options.get("--last-used-before"));
        } catch (DateTimeParseException e) {
            err.println("error: --last-used-before takes an ISO-8601 instant such as 2026-11-30T12:00:00Z, not "
                    + options.get("--last-used-before"));
            return 2;
        }
        Optional<RedisConnection.Settings> redisSettings;
        try {
            redisSettings = Optional.ofNullable(options.get("--redis-url"))
                    .map(url -> RedisConnection.Settings.fromUrl(url, Duration.ofSeconds(5), Duration.ofSeconds(5)));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        Map<String, String> aws = ToolEnvironment.of(options.get("--endpoint-url"), options.get("--region"));
        try (DynamoDbClient dynamo = DynamoDbClients.fromEnvironment(aws);
             RedisConnection redis = redisSettings.map(RedisConnection::new).orElse(null)) {
            if (redis != null) {
                redis.call("PING");
            }
            Optional<CacheReplica> cache = Optional.ofNullable(redis).map(RedisCacheReplica::new);
            long[] counts = revoke(dynamo, options.get("--table"), before, cache, dryRun, err);
            out.printf("scanned %d, %s %d, used since %d%n", counts[0], dryRun ? "would revoke" : "revoked", counts[1],
                    counts[2]);
            return 0;
        } catch (RedisUnavailableException | RedisErrorReply | CacheReplica.CacheUnavailable e) {
            err.println("error: the cache cannot be used, so no session was revoked past this point: " + e.getMessage());
            return 1;
        } catch (SdkException e) {
            err.println("error: cannot revoke in " + options.get("--table") + ": " + e.getMessage());
            return 1;
        }
    }

    /** @return sessions scanned, revoked, and used after {@code before} (kept) */
    static long[] revoke(DynamoDbClient dynamo, String table, Instant before, Optional<CacheReplica> cache,
                         boolean dryRun, PrintStream progress) {
        long scanned = 0;
        long revoked = 0;
        long kept = 0;
        AttributeValue cutoff = SessionItem.number(before.toEpochMilli());
        for (ScanResponse page : dynamo.scanPaginator(b -> b.tableName(table).consistentRead(true).limit(500)
                .projectionExpression("id, lastAccessedAt, absoluteExpiresAt, movedTo"))) {
            for (Map<String, AttributeValue> item : page.items()) {
                if (SessionItem.isForwardPointer(item)) {
                    continue; // a rotated id: the session it moved to is scanned under its own id
                }
                scanned++;
                long lastUsed = SessionItem.longOf(item, SessionItem.LAST_ACCESSED_AT, 0);
                if (lastUsed >= before.toEpochMilli()) {
                    kept++;
                    continue;
                }
                if (dryRun) {
                    revoked++;
                    continue;
                }
                String id = item.get(SessionItem.ID).s();
                Instant now = Instant.now();
                Instant until = Instant.ofEpochSecond(SessionItem.longOf(item, SessionItem.ABSOLUTE_EXPIRES_AT, 0));
                // the tombstone first: no cached copy outlives it; taken back if the session is kept after all
                boolean tombstonedBefore = cache.isPresent() && cache.get().evict(id, until, now);
                switch (end(dynamo, table, id, cutoff)) {
                    case ENDED -> revoked++;
                    case USED_SINCE -> {
                        kept++;
                        if (!tombstonedBefore) {
                            cache.ifPresent(c -> c.lift(id));
                        }
                    }
                    case GONE -> kept++; // ended or rotated meanwhile, with a tombstone of its own
                }
            }
            progress.printf("revoke-sessions: %d sessions scanned, %d revoked%n", scanned, revoked);
        }
        return new long[] {scanned, revoked, kept};
    }

    /** How one session's revocation went. */
    private enum Outcome { ENDED, USED_SINCE, GONE }

    /**
     * Ends session {@code id} unless it was used since {@code cutoff}: why first, onto the item, as
     * the service writes it before a delete, so that the stream's REMOVE says an administrator
     * revoked it (docs/events.md); then the delete, under the same condition.
     */
    private static Outcome end(DynamoDbClient dynamo, String table, String id, AttributeValue cutoff) {
        EndReason reason = EndReason.REVOKED_BY_ADMINISTRATOR;
        String unused = "lastAccessedAt < :cutoff AND attribute_not_exists(" + SessionItem.MOVED_TO + ")";
        try {
            dynamo.updateItem(b -> b.tableName(table).key(SessionItem.key(id)).conditionExpression(unused)
                    .updateExpression(SessionItem.MARK_ENDING)
                    .expressionAttributeValues(SessionItem.endingValues(reason, Map.of(":cutoff", cutoff)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException usedOrGone) {
            return outcome(usedOrGone);
        }
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(SessionItem.key(id)).conditionExpression(unused)
                    .expressionAttributeValues(Map.of(":cutoff", cutoff))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Outcome.ENDED;
        } catch (ConditionalCheckFailedException usedMeanwhile) {
            // it lives on (or moved): take our reason back, so that its end, whenever it comes, says its own
            try {
                dynamo.updateItem(b -> b.tableName(table).key(SessionItem.key(id))
                        .conditionExpression(SessionItem.END_REASON + " = :reason")
                        .updateExpression("REMOVE " + SessionItem.END_REASON)
                        .expressionAttributeValues(Map.of(":reason", AttributeValue.fromS(reason.code()))));
            } catch (ConditionalCheckFailedException notOursAnyMore) {
                // ended or moved meanwhile, with a reason of its own written first
            }
            return outcome(usedMeanwhile);
        }
    }

    /** Why a condition failed: the session is there and was used since, or it is gone or moved (not ours to keep). */
    private static Outcome outcome(ConditionalCheckFailedException failed) {
        return failed.hasItem() && !failed.item().isEmpty() && !failed.item().containsKey(SessionItem.MOVED_TO)
                ? Outcome.USED_SINCE : Outcome.GONE;
    }
}
