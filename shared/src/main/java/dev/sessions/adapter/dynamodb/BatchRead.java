package dev.sessions.adapter.dynamodb;

import dev.sessions.domain.StoreUnavailable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Items by key in BatchGetItems of 100, the keys DynamoDB defers retried with backoff, as it asks,
 * a bounded number of times: sessions by id (read consistently), and any table's items by key.
 */
public final class BatchRead {

    private static final int READ_ATTEMPTS = 5;
    private static final int BATCH_GET_LIMIT = 100;

    private BatchRead() {
    }

    /**
     * The session items of {@code ids} that exist, read consistently, in no particular order.
     *
     * @throws StoreUnavailable when the table cannot be read, or keeps deferring keys
     */
    public static List<Map<String, AttributeValue>> sessions(DynamoDbClient dynamo, String table, List<String> ids) {
        return items(dynamo, table, ids.stream().map(SessionItem::key).toList(), true);
    }

    /**
     * The items of {@code keys} that exist, in no particular order.
     *
     * @param consistent read the latest writes (1 RRU per 4 KB, against 0.5)
     * @throws StoreUnavailable when the table cannot be read, or keeps deferring keys
     */
    public static List<Map<String, AttributeValue>> items(DynamoDbClient dynamo, String table,
                                                          List<Map<String, AttributeValue>> keys, boolean consistent) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(from + BATCH_GET_LIMIT, keys.size()))).consistentRead(consistent)
                    .build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt == READ_ATTEMPTS) {
                    throw new StoreUnavailable("DynamoDB kept deferring reads", true, null);
                }
                backOff(attempt);
                Map<String, KeysAndAttributes> request = pending;
                try {
                    BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(request));
                    items.addAll(response.responses().getOrDefault(table, List.of()));
                    pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
                } catch (SdkException e) {
                    throw StoreErrors.translate(e);
                }
            }
        }
        return items;
    }

    private static void backOff(int attempt) {
        if (attempt == 0) {
            return;
        }
        try {
            Thread.sleep(Math.min(1000, 25L << attempt)); // DynamoDB asks for backoff before retrying unprocessed keys
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("interrupted", false, e);
        }
    }
}
