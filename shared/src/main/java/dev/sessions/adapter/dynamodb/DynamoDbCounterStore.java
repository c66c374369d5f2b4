package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.number;

import dev.sessions.domain.CounterStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The aggregates in the counters table (DESIGN.md section 5), write-sharded: {@code pk} is
 * {@code <counter>#<shard>} and a change's shard is a hash of its id (random ids, so random
 * shards, and no random generator whose state a SnapStart snapshot would share), so no key is hot;
 * {@link #totals()} sums the shards in one BatchGetItem. Each change is counted exactly once:
 * its claim {@code dedupe#<changeId>} is put, on condition it does not exist, in the same
 * transaction as the counter updates, and expires after the stream's 24 h retention.
 */
public final class DynamoDbCounterStore implements CounterStore {

    public static final List<String> COUNTERS = List.of("visits", "sessionsCreated", "activeSessions");
    /** Claims outlive the stream's 24 h retention: no record can come back after its claim expired. */
    static final Duration CLAIM_LIFETIME = Duration.ofHours(48);

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

    @Override
    public boolean addOnce(String changeId, Tally tally, Instant now) {
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().put(p -> p.tableName(table)
                .item(Map.of("pk", AttributeValue.fromS("dedupe#" + changeId),
                        "expiresAt", number(now.plus(CLAIM_LIFETIME).getEpochSecond())))
                .conditionExpression("attribute_not_exists(pk)")).build());
        int shard = Math.floorMod(changeId.hashCode(), shards);
        add(items, "visits", tally.visits(), shard);
        add(items, "sessionsCreated", tally.sessionsCreated(), shard);
        add(items, "activeSessions", tally.activeSessions(), shard);
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
            return true;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.getFirst().code())) {
                return false; // counted before: a redelivery
            }
            throw new StoreUnavailable("the counter transaction was cancelled: " + reasons, isThrottle(reasons), e);
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
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
        Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder().keys(keys).build());
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt == 5) {
                throw new StoreUnavailable("DynamoDB kept deferring the counter reads", true, null);
            }
            Map<String, KeysAndAttributes> request = pending;
            try {
                BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(request));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    String pk = item.get("pk").s();
                    sums.merge(pk.substring(0, pk.indexOf('#')), SessionItem.longOf(item, "value", 0), Long::sum);
                }
                pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        return new Tally(sums.getOrDefault("visits", 0L), sums.getOrDefault("sessionsCreated", 0L),
                sums.getOrDefault("activeSessions", 0L));
    }

    private static boolean isThrottle(List<CancellationReason> reasons) {
        return reasons.stream().anyMatch(r -> "ThrottlingError".equals(r.code())
                || "ProvisionedThroughputExceeded".equals(r.code()));
    }
}
