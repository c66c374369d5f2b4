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
 * the key's hash: {@code fingerprint} of the first request's body, {@code sessionId} (named at the
 * claim, before the session is written), {@code claimedBy} (the claiming request), {@code leaseUntil}
 * (epoch ms) until the claim is completed, and {@code expiresAt} (epoch seconds, the TTL attribute)
 * a day after the key was first used. A claim is one conditional PutItem.
 */
public final class DynamoDbIdempotencyRecords implements IdempotencyRecords {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbIdempotencyRecords(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public Claim claim(String keyHash, String fingerprint, String sessionId, String requestId, Instant now,
                       Duration lease) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(record(keyHash, fingerprint, sessionId, requestId, now, lease))
                    // free, expired, or this request's own claim (the SDK's repeat after its answer was lost)
                    .conditionExpression("attribute_not_exists(pk) OR expiresAt <= :nowS"
                            + " OR (claimedBy = :req AND attribute_exists(leaseUntil))")
                    .expressionAttributeValues(Map.of(":nowS", number(now.getEpochSecond()),
                            ":req", AttributeValue.fromS(requestId)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claimed();
        } catch (ConditionalCheckFailedException held) {
            Map<String, AttributeValue> record = held.hasItem() ? held.item() : Map.of();
            AttributeValue first = record.get("fingerprint");
            AttributeValue session = record.get("sessionId");
            if (first == null || !fingerprint.equals(first.s()) || session == null) {
                return new OtherRequest();
            }
            AttributeValue leaseUntil = record.get("leaseUntil");
            boolean completed = leaseUntil == null;
            return new Existing(session.s(), completed,
                    !completed && Long.parseLong(leaseUntil.n()) > now.toEpochMilli());
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public boolean takeOver(String keyHash, String fingerprint, String staleSessionId, String sessionId,
                            String requestId, Instant now, Duration lease) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(record(keyHash, fingerprint, sessionId, requestId, now, lease))
                    .conditionExpression("(fingerprint = :fp AND sessionId = :stale AND leaseUntil <= :nowMs)"
                            + " OR (claimedBy = :req AND attribute_exists(leaseUntil))")
                    .expressionAttributeValues(Map.of(":fp", AttributeValue.fromS(fingerprint),
                            ":stale", AttributeValue.fromS(staleSessionId), ":nowMs", number(now.toEpochMilli()),
                            ":req", AttributeValue.fromS(requestId))));
            return true;
        } catch (ConditionalCheckFailedException another) {
            return false;
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    private static Map<String, AttributeValue> record(String keyHash, String fingerprint, String sessionId,
                                                      String requestId, Instant now, Duration lease) {
        return Map.of("pk", AttributeValue.fromS(keyHash), "fingerprint", AttributeValue.fromS(fingerprint),
                "sessionId", AttributeValue.fromS(sessionId), "claimedBy", AttributeValue.fromS(requestId),
                "leaseUntil", number(now.plus(lease).toEpochMilli()),
                "expiresAt", number(now.plus(LIFETIME).getEpochSecond()));
    }

    @Override
    public void complete(String keyHash, String sessionId, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS(keyHash)))
                    .updateExpression("SET sessionId = :s REMOVE leaseUntil")
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(sessionId))));
        } catch (ConditionalCheckFailedException expired) {
            // the record is gone (its day is over): nothing to complete
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public void release(String keyHash, String requestId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS(keyHash)))
                    .conditionExpression("claimedBy = :req AND attribute_exists(leaseUntil)")
                    .expressionAttributeValues(Map.of(":req", AttributeValue.fromS(requestId))));
        } catch (ConditionalCheckFailedException completedOrTakenMeanwhile) {
            // nothing of this request's to release
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }
}
