package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/** The harness gives a DynamoDB endpoint whose table writes appear on its stream. */
@ExtendWith(LocalServices.class)
class EmulatorStreamIT {

    @Test
    void givenTableWithStream_whenItemPut_thenItemReadsBackAndStreamCarriesInsert(AwsEndpoint aws) {
        String table = "harness-" + UUID.randomUUID();
        try (DynamoDbClient dynamo = aws.dynamoDb(); DynamoDbStreamsClient streams = aws.streams()) {
            dynamo.createTable(b -> b.tableName(table)
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
            try {
                Poll.until(Duration.ofSeconds(60), "table " + table + " active",
                        () -> dynamo.describeTable(b -> b.tableName(table)).table().tableStatus() == TableStatus.ACTIVE);
                Map<String, AttributeValue> item = Map.of(
                        "id", AttributeValue.fromS("a"),
                        "visits", AttributeValue.fromN("3"),
                        "data", AttributeValue.fromM(Map.of("greeting", AttributeValue.fromS("héllo 👋"))));

                dynamo.putItem(b -> b.tableName(table).item(item));

                assertEquals(item, dynamo.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS("a")))
                        .consistentRead(true)).item());
                String streamArn = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
                String shardId = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()
                        .getFirst().shardId();
                String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                List<Record> records = Poll.until(Duration.ofSeconds(30), "a stream record",
                        () -> streams.getRecords(b -> b.shardIterator(iterator)).records(), r -> !r.isEmpty());
                Record insert = records.getFirst();
                assertEquals("INSERT", insert.eventNameAsString());
                assertEquals(item, insert.dynamodb().newImage());
                assertFalse(insert.dynamodb().sequenceNumber().isEmpty());
            } finally {
                dynamo.deleteTable(b -> b.tableName(table));
            }
        }
    }
}
