package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.number;

import dev.sessions.domain.IdempotencyRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Idempotency records in a table of their own (docs/design.md, "Data model"), keyed {@code pk} =
 * the key's hash: {@code fingerprint} of the first request's body, {@code sessionId} once it made
 * one, {@code leaseUntil} (epoch ms) while it has not, and {@code expiresAt} (epoch seconds, the
 * TTL attribute) a day after the key was first used. A claim is one conditional PutItem.
 */
public final class DynamoDbIdempotencyRecords implements IdempotencyRecords {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbIdempotencyRecords(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public Claim claim(String keyHash, String fingerprint, Instant now, Duration lease) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of("pk", AttributeValue.fromS(keyHash), "fingerprint", AttributeValue.fromS(fingerprint),
                            "leaseUntil", number(now.plus(lease).toEpochMilli()),
                            "expiresAt", number(now.plus(LIFETIME).getEpochSecond())))
                    // free, expired, or this same request's claim whose lease ran out (it failed without saying so)
                    .conditionExpression("attribute_not_exists(pk) OR expiresAt <= :nowS"
                            + " OR (fingerprint = :fp AND attribute_not_exists(sessionId) AND leaseUntil <= :nowMs)")
                    .expressionAttributeValues(Map.of(":nowS", number(now.getEpochSecond()),
                            ":nowMs", number(now.toEpochMilli()), ":fp", AttributeValue.fromS(fingerprint)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claimed();
        } catch (ConditionalCheckFailedException held) {
            Map<String, AttributeValue> record = held.hasItem() ? held.item() : Map.of();
            AttributeValue first = record.get("fingerprint");
            if (first == null || !fingerprint.equals(first.s())) {
                return new OtherRequest();
            }
            AttributeValue session = record.get("sessionId");
            return session != null ? new Completed(session.s()) : new InProgress();
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public void complete(String keyHash, String sessionId, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS(keyHash)))
                    .updateExpression("SET sessionId = :s REMOVE leaseUntil")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(sessionId))));
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public void release(String keyHash) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS(keyHash)))
                    .conditionExpression("attribute_not_exists(sessionId)"));
        } catch (ConditionalCheckFailedException completedMeanwhile) {
            // nothing to release
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }
}
