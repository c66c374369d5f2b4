package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.number;

import dev.sessions.domain.CounterStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The aggregates in the counters table (docs/design.md, "Counters table"), write-sharded: {@code pk} is
 * {@code <counter>#<shard>} and a change's shard is a hash of its id (random ids, so random
 * shards, and no random generator whose state a SnapStart snapshot would share), so no key is hot;
 * {@link #totals()} sums the shards in one BatchGetItem. Each change is counted exactly once:
 * its claim {@code dedupe#<changeId>} is put, on condition it does not exist, in the same
 * transaction as the counter updates, and expires after the stream's 24 h retention. A batch of
 * changes shares one transaction and one shard's counter updates.
 */
public final class DynamoDbCounterStore implements CounterStore {

    public static final List<String> COUNTERS = List.of("visits", "sessionsCreated", "activeSessions");
    /** Claims outlive the stream's 24 h retention: no record can come back after its claim expired. */
    static final Duration CLAIM_LIFETIME = Duration.ofHours(48);
    /** Tries of one group's transaction that meet another transaction, before the batch fails. */
    private static final int CONFLICT_ATTEMPTS = 6;

    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;

    public DynamoDbCounterStore(DynamoDbClient dynamo, String table, int shards) {
        if (shards < 1 || shards * COUNTERS.size() > 100) {
            throw new IllegalArgumentException("shards must be 1 to 33 (one BatchGetItem reads them all), not " + shards);
        }
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
    }

    /**
     * One transaction for the lot: a claim per change and the changes' summed tally on one shard,
     * so that a batch of n changes costs n claims and at most three counter updates, not n of
     * each. A claim that fails its condition names a change counted before; those are dropped and
     * the rest tried again, so every pass either commits or shrinks.
     */
    @Override
    public int addOnce(List<Change> changes, Instant now) {
        if (changes.size() > MAX_CHANGES) {
            throw new IllegalArgumentException("at most " + MAX_CHANGES + " changes at once, not " + changes.size());
        }
        // one claim per id: a transaction may not name an item twice, and a repeated id is a redelivery
        Map<String, Tally> pending = new LinkedHashMap<>();
        for (Change change : changes) {
            pending.putIfAbsent(change.id(), change.tally());
        }
        int conflicts = 0;
        while (!pending.isEmpty()) {
            List<String> ids = List.copyOf(pending.keySet());
            List<TransactWriteItem> items = new ArrayList<>();
            Tally sum = Tally.NONE;
            for (String id : ids) {
                items.add(TransactWriteItem.builder().put(p -> p.tableName(table)
                        .item(Map.of("pk", AttributeValue.fromS("dedupe#" + id),
                                "expiresAt", number(now.plus(CLAIM_LIFETIME).getEpochSecond())))
                        .conditionExpression("attribute_not_exists(pk)")).build());
                sum = sum.plus(pending.get(id));
            }
            int shard = Math.floorMod(ids.getFirst().hashCode(), shards);
            add(items, "visits", sum.visits(), shard);
            add(items, "sessionsCreated", sum.sessionsCreated(), shard);
            add(items, "activeSessions", sum.activeSessions(), shard);
            try {
                dynamo.transactWriteItems(b -> b.transactItems(items));
                return ids.size();
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                List<String> countedBefore = new ArrayList<>();
                for (int i = 0; i < ids.size() && i < reasons.size(); i++) {
                    if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                        countedBefore.add(ids.get(i));
                    }
                }
                if (countedBefore.isEmpty() && isConflict(reasons) && conflicts < CONFLICT_ATTEMPTS) {
                    // another batch's transaction holds a counter item: it is over in milliseconds, and a
                    // retry here spends none of the stream mapping's retries
                    Backoff.pause(conflicts++);
                    continue;
                }
                if (countedBefore.isEmpty()) {
                    throw isConflict(reasons) ? StoreUnavailable.busy("the counter items stayed held by other"
                            + " transactions: " + reasons, e)
                            : new StoreUnavailable("the counter transaction was cancelled: " + reasons, isThrottle(reasons), e);
                }
                countedBefore.forEach(pending::remove);
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        return 0;
    }

    private void add(List<TransactWriteItem> items, String counter, long delta, int shard) {
        if (delta == 0) {
            return;
        }
        String key = counter + "#" + shard;
        items.add(TransactWriteItem.builder().update(u -> u.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS(key)))
                .updateExpression("ADD #v :d")
                .expressionAttributeNames(Map.of("#v", "value"))
                .expressionAttributeValues(Map.of(":d", number(delta)))).build());
    }

    @Override
    public Tally totals() {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String counter : COUNTERS) {
            for (int shard = 0; shard < shards; shard++) {
                keys.add(Map.of("pk", AttributeValue.fromS(counter + "#" + shard)));
            }
        }
        Map<String, Long> sums = new HashMap<>();
        // eventually consistent, as /stats says: the shards are summed from what the reads see
        for (Map<String, AttributeValue> item : BatchRead.items(dynamo, table, keys, false)) {
            String pk = item.get("pk").s();
            sums.merge(pk.substring(0, pk.indexOf('#')), SessionItem.longOf(item, "value", 0), Long::sum);
        }
        return new Tally(sums.getOrDefault("visits", 0L), sums.getOrDefault("sessionsCreated", 0L),
                sums.getOrDefault("activeSessions", 0L));
    }

    private static boolean isConflict(List<CancellationReason> reasons) {
        return reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()));
    }

    private static boolean isThrottle(List<CancellationReason> reasons) {
        return reasons.stream().anyMatch(r -> "ThrottlingError".equals(r.code())
                || "ProvisionedThroughputExceeded".equals(r.code()));
    }
}
