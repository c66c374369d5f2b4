package dev.sessions.local.iam;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The IAM actions and resources one AWS API request needs, read from the request as the services
 * read it: the AWS JSON protocol's {@code X-Amz-Target} (DynamoDB, DynamoDB Streams, SQS, EventBridge) and body,
 * or a query-protocol form's {@code Action}. A transaction needs each part's own action
 * (TransactWriteItems: PutItem, UpdateItem, DeleteItem, ConditionCheckItem on each table), a batch
 * its action on each table it names, a Query or Scan of an index the index's ARN.
 *
 * @param service {@code dynamodb}, {@code sqs}, ...
 * @param operation the API operation, such as {@code TransactWriteItems}
 * @param checks each action on each resource that must be allowed
 */
public record ActionRequest(String service, String operation, List<Check> checks) {

    /** How deep a request body may nest for the proxy to read it. */
    static final int MAX_DEPTH = 512;

    /** One action on one resource ARN (or {@code *}). */
    public record Check(String action, String resource) {
    }

    /**
     * Reads a request.
     *
     * @param target the {@code X-Amz-Target} header, or {@code null}
     * @param body the request body
     * @param region the region ARNs are in
     * @param account the account ARNs are in
     */
    public static ActionRequest of(String target, byte[] body, String region, String account) {
        return of(target, body, region, account, iterator -> null);
    }

    /**
     * Reads a request whose shard iterator, if any, {@code iteratorStream} knows the stream of.
     *
     * @param iteratorStream the stream ARN a shard iterator reads, or {@code null} when unknown
     */
    public static ActionRequest of(String target, byte[] body, String region, String account,
                                   java.util.function.Function<String, String> iteratorStream) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (target == null || target.indexOf('.') < 0) {
            String action = formAction(text);
            return new ActionRequest("unknown", action, List.of(new Check("unknown:" + action, "*")));
        }
        String prefix = target.substring(0, target.indexOf('.'));
        String operation = target.substring(target.indexOf('.') + 1);
        Map<String, Object> json;
        try {
            // DynamoDB nests items 32 levels deep, two JSON levels each on the wire inside a
            // transaction's few: well below this, so every request DynamoDB accepts is read
            json = text.isBlank() ? Map.of() : Json.parseObject(text, MAX_DEPTH);
        } catch (JsonException e) {
            json = Map.of();
        }
        Arns arns = new Arns(region, account);
        if (prefix.startsWith("DynamoDBStreams")) {
            Object stream = json.get("StreamArn");
            if (stream == null && json.get("ShardIterator") instanceof String iterator) {
                stream = iteratorStream.apply(iterator);
            }
            return new ActionRequest("dynamodb", operation, List.of(new Check("dynamodb:" + operation,
                    stream instanceof String arn ? arn : "*")));
        }
        if (prefix.startsWith("DynamoDB")) {
            return new ActionRequest("dynamodb", operation, dynamoDb(operation, json, arns));
        }
        if (prefix.equals("AmazonSQS")) {
            String action = "sqs:" + (operation.equals("SendMessageBatch") ? "SendMessage"
                    : operation.equals("DeleteMessageBatch") ? "DeleteMessage"
                    : operation.equals("ChangeMessageVisibilityBatch") ? "ChangeMessageVisibility" : operation);
            Object url = json.get("QueueUrl");
            String resource = url instanceof String queueUrl ? arns.queue(queueUrl.substring(queueUrl.lastIndexOf('/') + 1))
                    : json.get("QueueName") instanceof String name ? arns.queue(name) : "*";
            return new ActionRequest("sqs", operation, List.of(new Check(action, resource)));
        }
        if (prefix.equals("AWSEvents")) {
            return new ActionRequest("events", operation, events(operation, json, arns));
        }
        String service = prefix.toLowerCase(java.util.Locale.ROOT);
        return new ActionRequest(service, operation, List.of(new Check(service + ":" + operation, "*")));
    }

    private static List<Check> dynamoDb(String operation, Map<String, Object> json, Arns arns) {
        List<Check> checks = new ArrayList<>();
        switch (operation) {
            case "BatchGetItem", "BatchWriteItem" -> {
                if (json.get("RequestItems") instanceof Map<?, ?> items) {
                    for (Object table : items.keySet()) {
                        checks.add(new Check("dynamodb:" + operation, arns.table(String.valueOf(table))));
                    }
                }
            }
            case "TransactWriteItems", "TransactGetItems" -> {
                if (json.get("TransactItems") instanceof List<?> items) {
                    for (Object item : items) {
                        for (Map.Entry<?, ?> part : ((Map<?, ?>) item).entrySet()) {
                            String action = switch (String.valueOf(part.getKey())) {
                                case "Put" -> "PutItem";
                                case "Update" -> "UpdateItem";
                                case "Delete" -> "DeleteItem";
                                case "ConditionCheck" -> "ConditionCheckItem";
                                case "Get" -> "GetItem";
                                default -> String.valueOf(part.getKey());
                            };
                            Object table = ((Map<?, ?>) part.getValue()).get("TableName");
                            checks.add(new Check("dynamodb:" + action, arns.table(String.valueOf(table))));
                        }
                    }
                }
            }
            default -> {
                Object table = json.get("TableName");
                if (table instanceof String name) {
                    String arn = arns.table(name);
                    if (json.get("IndexName") instanceof String index) {
                        arn += "/index/" + index;
                    }
                    checks.add(new Check("dynamodb:" + operation, arn));
                } else {
                    checks.add(new Check("dynamodb:" + operation, "*"));
                }
            }
        }
        return checks;
    }

    /** EventBridge: PutEvents needs events:PutEvents on each entry's bus (the account's default one when it names none). */
    private static List<Check> events(String operation, Map<String, Object> json, Arns arns) {
        if (!operation.equals("PutEvents")) {
            Object bus = json.get("EventBusName");
            return List.of(new Check("events:" + operation, bus instanceof String name ? arns.eventBus(name) : "*"));
        }
        List<Check> checks = new ArrayList<>();
        if (json.get("Entries") instanceof List<?> entries) {
            for (Object entry : entries) {
                Object bus = entry instanceof Map<?, ?> map ? map.get("EventBusName") : null;
                Check check = new Check("events:PutEvents", arns.eventBus(bus instanceof String name ? name : "default"));
                if (!checks.contains(check)) {
                    checks.add(check);
                }
            }
        }
        return checks.isEmpty() ? List.of(new Check("events:PutEvents", arns.eventBus("default"))) : checks;
    }

    private static String formAction(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith("Action=")) {
                return URLDecoder.decode(pair.substring(7), StandardCharsets.UTF_8);
            }
        }
        return "Unknown";
    }

    private record Arns(String region, String account) {
        String table(String name) {
            return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
        }

        String queue(String name) {
            return "arn:aws:sqs:" + region + ":" + account + ":" + name;
        }

        String eventBus(String nameOrArn) {
            return nameOrArn.startsWith("arn:") ? nameOrArn : "arn:aws:events:" + region + ":" + account + ":event-bus/"
                    + nameOrArn;
        }
    }
}
