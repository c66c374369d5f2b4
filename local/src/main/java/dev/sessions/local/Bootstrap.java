package dev.sessions.local;

import dev.sessions.local.template.Table;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Creates the template's DynamoDB tables in the endpoint (keys, indexes, streams, TTL), and on a
 * second run changes nothing: a table that exists gets only what it lacks (its stream, its TTL).
 */
public final class Bootstrap {

    private Bootstrap() {
    }

    /** Creates or completes every table; returns one line per table of what was done. */
    public static List<String> run(Template template, DynamoDbClient dynamo, PrintStream log) {
        List<String> done = new ArrayList<>();
        for (Table table : template.tables().values()) {
            CreateTableRequest wanted = createRequest(table);
            String line;
            TableDescription existing = describe(dynamo, table.name());
            if (existing == null) {
                dynamo.createTable(wanted);
                line = "created " + table.name();
            } else {
                line = "exists  " + table.name();
                if (!existing.keySchema().equals(wanted.keySchema())) {
                    log.println("warning: " + table.name() + " has key schema " + existing.keySchema()
                            + ", the template asks for " + wanted.keySchema() + "; delete it to recreate");
                }
                if (wanted.streamSpecification() != null && (existing.streamSpecification() == null
                        || !Boolean.TRUE.equals(existing.streamSpecification().streamEnabled()))) {
                    dynamo.updateTable(b -> b.tableName(table.name()).streamSpecification(wanted.streamSpecification()));
                    line += ", stream enabled";
                }
            }
            awaitActive(dynamo, table.name());
            line += ensureTimeToLive(dynamo, table);
            done.add(line);
        }
        return done;
    }

    /**
     * Creates the template's SQS queues in the endpoint (creating one that exists changes nothing),
     * so that the functions' dead letters land where their environment says.
     */
    public static List<String> createQueues(Template template, SqsClient sqs) {
        List<String> done = new ArrayList<>();
        for (dev.sessions.local.template.Queue queue : template.queues().values()) {
            sqs.createQueue(b -> b.queueName(queue.name()));
            done.add("queue   " + queue.name());
        }
        return done;
    }

    /**
     * Creates the template's EventBridge buses in the endpoint (one that exists is left as it is), so
     * that the functions' events land on the bus their environment names.
     */
    public static List<String> createEventBuses(Template template, EventBridgeClient events) {
        List<String> done = new ArrayList<>();
        for (String id : template.resourceIdsOfType("AWS::Events::EventBus")) {
            String name = String.valueOf(template.evaluate(java.util.Map.of("Ref", id), "Resources." + id));
            try {
                events.createEventBus(b -> b.name(name));
                done.add("bus     " + name);
            } catch (ResourceAlreadyExistsException exists) {
                done.add("exists  " + name);
            }
        }
        return done;
    }

    /** The CreateTable request for a template's table, as CloudFormation would make it. */
    public static CreateTableRequest createRequest(Table table) {
        Map<String, Object> p = table.properties();
        String at = "Resources." + table.logicalId() + ".Properties";
        BillingMode billing = BillingMode.fromValue(String.valueOf(p.getOrDefault("BillingMode", "PROVISIONED")));
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(table.name())
                .billingMode(billing)
                .attributeDefinitions(list(p, "AttributeDefinitions", at).stream().map(a -> AttributeDefinition.builder()
                        .attributeName(text(a, "AttributeName")).attributeType(text(a, "AttributeType")).build()).toList())
                .keySchema(keySchema(list(p, "KeySchema", at)));
        if (billing == BillingMode.PROVISIONED) {
            request.provisionedThroughput(throughput(map(p.get("ProvisionedThroughput"))));
        }
        List<GlobalSecondaryIndex> globals = new ArrayList<>();
        for (Map<?, ?> index : list(p, "GlobalSecondaryIndexes", at)) {
            GlobalSecondaryIndex.Builder gsi = GlobalSecondaryIndex.builder().indexName(text(index, "IndexName"))
                    .keySchema(keySchema(listOf(index.get("KeySchema")))).projection(projection(map(index.get("Projection"))));
            if (billing == BillingMode.PROVISIONED) {
                gsi.provisionedThroughput(throughput(map(index.get("ProvisionedThroughput"))));
            }
            globals.add(gsi.build());
        }
        if (!globals.isEmpty()) {
            request.globalSecondaryIndexes(globals);
        }
        List<LocalSecondaryIndex> locals = list(p, "LocalSecondaryIndexes", at).stream().map(index -> LocalSecondaryIndex
                .builder().indexName(text(index, "IndexName")).keySchema(keySchema(listOf(index.get("KeySchema"))))
                .projection(projection(map(index.get("Projection")))).build()).toList();
        if (!locals.isEmpty()) {
            request.localSecondaryIndexes(locals);
        }
        Map<?, ?> stream = map(p.get("StreamSpecification"));
        if (stream.get("StreamViewType") != null) {
            request.streamSpecification(s -> s.streamEnabled(true).streamViewType(text(stream, "StreamViewType")));
        }
        return request.build();
    }

    private static String ensureTimeToLive(DynamoDbClient dynamo, Table table) {
        Map<?, ?> ttl = map(table.properties().get("TimeToLiveSpecification"));
        if (!"true".equals(String.valueOf(ttl.get("Enabled"))) || ttl.get("AttributeName") == null) {
            return "";
        }
        String attribute = text(ttl, "AttributeName");
        var current = dynamo.describeTimeToLive(b -> b.tableName(table.name())).timeToLiveDescription();
        if (current != null && current.timeToLiveStatus() == TimeToLiveStatus.ENABLED
                && attribute.equals(current.attributeName())) {
            return "";
        }
        dynamo.updateTimeToLive(b -> b.tableName(table.name())
                .timeToLiveSpecification(s -> s.attributeName(attribute).enabled(true)));
        return ", TTL on " + attribute;
    }

    private static TableDescription describe(DynamoDbClient dynamo, String name) {
        try {
            return dynamo.describeTable(b -> b.tableName(name)).table();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private static void awaitActive(DynamoDbClient dynamo, String name) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (describe(dynamo, name).tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new LocalRuntimeException("table " + name + " did not become active within 60 s");
            }
            try {
                Thread.sleep(100); // DynamoDB has no wait-for-active call but a describe loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalRuntimeException("interrupted waiting for " + name);
            }
        }
    }

    private static List<KeySchemaElement> keySchema(List<Map<?, ?>> elements) {
        return elements.stream().map(k -> KeySchemaElement.builder().attributeName(text(k, "AttributeName"))
                .keyType(text(k, "KeyType")).build()).toList();
    }

    private static Projection projection(Map<?, ?> projection) {
        Projection.Builder builder = Projection.builder().projectionType(String.valueOf(
                projection.get("ProjectionType") == null ? "KEYS_ONLY" : projection.get("ProjectionType")));
        if (projection.get("NonKeyAttributes") instanceof List<?> attributes) {
            builder.nonKeyAttributes(attributes.stream().map(String::valueOf).toList());
        }
        return builder.build();
    }

    private static ProvisionedThroughput throughput(Map<?, ?> throughput) {
        return ProvisionedThroughput.builder()
                .readCapacityUnits(units(throughput.get("ReadCapacityUnits")))
                .writeCapacityUnits(units(throughput.get("WriteCapacityUnits")))
                .build();
    }

    private static long units(Object value) {
        return value == null ? 5 : Long.parseLong(String.valueOf(value));
    }

    private static List<Map<?, ?>> list(Map<String, Object> properties, String key, String at) {
        Object value = properties.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw new TemplateException(at + "." + key + " must be a list");
        }
        return listOf(value);
    }

    private static List<Map<?, ?>> listOf(Object value) {
        List<Map<?, ?>> maps = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> maps.add(map(item)));
        }
        return maps;
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }

    private static String text(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new TemplateException("a table definition lacks " + key);
        }
        return String.valueOf(value);
    }
}
