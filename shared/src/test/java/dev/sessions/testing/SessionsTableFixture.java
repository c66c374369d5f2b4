package dev.sessions.testing;

import java.time.Duration;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates the template's tables under fresh names, for one test class. The local runtime's
 * template test checks that these definitions match template.yaml's.
 */
public final class SessionsTableFixture {

    private SessionsTableFixture() {
    }

    /** The sessions table: key id, GSI byPrincipal (principal, createdAt) with the session times, as template.yaml has it, stream with both images. */
    public static CreateTableRequest sessionsTable(String name) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute("id", ScalarAttributeType.S), attribute("principal", ScalarAttributeType.S),
                        attribute("createdAt", ScalarAttributeType.N))
                .keySchema(key("id", KeyType.HASH))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("byPrincipal")
                        .keySchema(key("principal", KeyType.HASH), key("createdAt", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes("lastAccessedAt", "expiresAt", "absoluteExpiresAt")).build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                .build();
    }

    /** The counters table: key pk. */
    public static CreateTableRequest countersTable(String name) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute("pk", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH))
                .build();
    }

    /** The idempotency table: key pk (the hash of a create's Idempotency-Key). */
    public static CreateTableRequest idempotencyTable(String name) {
        return countersTable(name);
    }

    /** Creates the table under a fresh name, waits until it is active, and returns the name. */
    public static String create(DynamoDbClient dynamo, CreateTableRequest definition) {
        String name = definition.tableName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        dynamo.createTable(definition.toBuilder().tableName(name).build());
        Poll.until(Duration.ofSeconds(60), "table " + name + " active",
                () -> dynamo.describeTable(b -> b.tableName(name)).table().tableStatus() == TableStatus.ACTIVE);
        return name;
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
