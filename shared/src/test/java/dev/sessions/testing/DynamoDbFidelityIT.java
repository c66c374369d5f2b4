package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The harness's DynamoDB reads the way DynamoDB reads: an eventually consistent read or index
 * query right after a write misses it, a consistent one sees it, and the eventual one sees it once
 * the lag has passed; streams and transactions see the latest state; DynamoDB's refusals that
 * emulators skip are made.
 */
@ExtendWith(LocalServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbFidelityIT {

    private AwsEndpoint aws;
    private DynamoDbClient dynamo;
    private String table;

    @BeforeAll
    void createTable(AwsEndpoint aws) {
        this.aws = aws;
        assertFalse(aws.readLag().isZero(), "the harness lags reads by default (SESSIONS_READ_LAG_MS=0 turns it off)");
        dynamo = aws.dynamoDb();
        table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("lagging"));
    }

    @AfterAll
    void dropTable() {
        dynamo.deleteTable(b -> b.tableName(table));
        dynamo.close();
    }

    @Test
    void givenWrite_whenReadAtOnce_thenEventualMissesConsistentSeesAndEventualSeesAfterTheLag() {
        Map<String, AttributeValue> key = key(UUID.randomUUID().toString());
        Map<String, AttributeValue> item = item(key, "alice", 1);

        dynamo.putItem(b -> b.tableName(table).item(item));

        assertTrue(dynamo.getItem(b -> b.tableName(table).key(key)).item().isEmpty(), "the eventual read misses it");
        assertEquals(item, dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item());
        Map<String, AttributeValue> later = Poll.until(aws.readLag().multipliedBy(10), "the eventual read to see it",
                () -> dynamo.getItem(b -> b.tableName(table).key(key)).item(), i -> !i.isEmpty());
        assertEquals(item, later);
    }

    @Test
    void givenUpdate_whenReadAtOnce_thenEventualReadShowsTheOldItem() {
        Map<String, AttributeValue> key = key(UUID.randomUUID().toString());
        dynamo.putItem(b -> b.tableName(table).item(item(key, "bob", 1)));
        aws.awaitReadsCaughtUp(); // in every copy: reads choose one at random

        dynamo.updateItem(b -> b.tableName(table).key(key).updateExpression("ADD visits :one")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));

        assertEquals("1", dynamo.getItem(b -> b.tableName(table).key(key)).item().get("visits").n());
        assertEquals("2", dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item().get("visits").n());
        dynamo.deleteItem(b -> b.tableName(table).key(key));
        assertFalse(dynamo.getItem(b -> b.tableName(table).key(key)).item().isEmpty(), "a deleted item still reads back");
        assertTrue(dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item().isEmpty());
    }

    @Test
    void givenWrite_whenIndexQueriedScannedAndBatchRead_thenEachLagsButConsistentBatchPartsDoNot() {
        String principal = "carol-" + UUID.randomUUID();
        Map<String, AttributeValue> key = key(UUID.randomUUID().toString());
        dynamo.putItem(b -> b.tableName(table).item(item(key, principal, 1)));

        assertTrue(byPrincipal(principal).isEmpty(), "the index lags");
        assertTrue(dynamo.scan(b -> b.tableName(table).filterExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)))).items().isEmpty());
        assertTrue(dynamo.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder().keys(key).build())))
                .responses().get(table).isEmpty());
        assertEquals(1, dynamo.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder().keys(key)
                .consistentRead(true).build()))).responses().get(table).size());
        Poll.until(aws.readLag().multipliedBy(10), "the index to list it", () -> byPrincipal(principal).size() == 1);
    }

    @Test
    void givenHeaderNamesInAnotherCase_whenWritten_thenTheWriteIsReplayedAllTheSame() throws Exception {
        String id = UUID.randomUUID().toString();
        // as a proxy in front may send them (Java's HTTP server hands on "X-amz-target")
        java.net.http.HttpResponse<String> put = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(aws.uri())
                        .header("x-amz-target", "DynamoDB_20120810.PutItem")
                        .header("content-type", "application/x-amz-json-1.0")
                        .header("authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/" + aws.region().id()
                                + "/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"TableName\":\"" + table
                                + "\",\"Item\":{\"id\":{\"S\":\"" + id + "\"}}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertEquals(200, put.statusCode(), put.body());
        Poll.until(aws.readLag().multipliedBy(10), "the eventual read to see the write",
                () -> !dynamo.getItem(b -> b.tableName(table).key(key(id))).item().isEmpty());
    }

    @Test
    void givenGlobalIndex_whenQueriedConsistently_thenRefusedAsDynamoDbRefusesIt() {
        DynamoDbException refused = assertThrows(DynamoDbException.class, () -> dynamo.query(b -> b.tableName(table)
                .indexName("byPrincipal").consistentRead(true).keyConditionExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("x")))));
        assertEquals("ValidationException", refused.awsErrorDetails().errorCode());
    }

    @Test
    void givenWrite_whenStreamAndTransactionRead_thenBothSeeTheLatestState() {
        Map<String, AttributeValue> key = key(UUID.randomUUID().toString());
        dynamo.putItem(b -> b.tableName(table).item(item(key, "dave", 7)));

        assertEquals("7", dynamo.transactGetItems(b -> b.transactItems(t -> t.get(g -> g.tableName(table).key(key))))
                .responses().getFirst().item().get("visits").n());
        try (DynamoDbStreamsClient streams = aws.streams()) {
            String arn = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
            String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().getLast().shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            List<Record> records = streams.getRecords(b -> b.shardIterator(iterator).limit(1000)).records();
            assertTrue(records.stream().anyMatch(r -> key.equals(r.dynamodb().keys())),
                    "the stream carries the write before the copy has it");
        }
    }

    @Test
    void givenClientRequestToken_whenReusedWithOtherParameters_thenMismatchAndWithTheSameOnesAppliedOnce() {
        Map<String, AttributeValue> key = key(UUID.randomUUID().toString());
        dynamo.putItem(b -> b.tableName(table).item(item(key, "erin", 0)));
        String token = UUID.randomUUID().toString();

        for (int repeat = 0; repeat < 2; repeat++) {
            dynamo.transactWriteItems(b -> b.clientRequestToken(token).transactItems(add(key, 1)));
        }
        assertThrows(IdempotentParameterMismatchException.class,
                () -> dynamo.transactWriteItems(b -> b.clientRequestToken(token).transactItems(add(key, 2))));

        assertEquals("1", dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item().get("visits").n());
    }

    @Test
    void givenCancelledTransaction_whenTokenReusedWithOtherParameters_thenMismatchToo() {
        Map<String, AttributeValue> key = key(UUID.randomUUID().toString());
        String token = UUID.randomUUID().toString();
        TransactWriteItem failing = TransactWriteItem.builder().update(u -> u.tableName(table).key(key)
                .updateExpression("ADD visits :n").conditionExpression("attribute_exists(id)")
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN("1")))).build();
        assertThrows(DynamoDbException.class, () -> dynamo.transactWriteItems(b -> b.clientRequestToken(token)
                .transactItems(failing)));

        assertThrows(IdempotentParameterMismatchException.class,
                () -> dynamo.transactWriteItems(b -> b.clientRequestToken(token).transactItems(add(key, 2))));
        assertNull(dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item().get("visits"));
    }

    private TransactWriteItem add(Map<String, AttributeValue> key, int n) {
        return TransactWriteItem.builder().update(u -> u.tableName(table).key(key).updateExpression("ADD visits :n")
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Integer.toString(n))))).build();
    }

    private List<Map<String, AttributeValue>> byPrincipal(String principal) {
        return dynamo.query(b -> b.tableName(table).indexName("byPrincipal").keyConditionExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)))).items();
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("id", AttributeValue.fromS(id));
    }

    private static Map<String, AttributeValue> item(Map<String, AttributeValue> key, String principal, int visits) {
        return Map.of("id", key.get("id"), "principal", AttributeValue.fromS(principal),
                "createdAt", AttributeValue.fromN("1"), "visits", AttributeValue.fromN(Integer.toString(visits)));
    }
}
