package example.orders;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Each principal's orders, in the service's own table (partition: principal; sort: the order's id). */
public final class Orders {

    /** The most a listing answers: the newest first. */
    static final int PAGE = 50;

    private final DynamoDbClient dynamo;
    private final String table;

    public Orders(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** From {@code ORDERS_TABLE}; the SDK takes the region, credentials and any endpoint from the environment. */
    public static Orders fromEnvironment(Map<String, String> env) {
        String table = env.get("ORDERS_TABLE");
        if (table == null || table.isBlank()) {
            throw new IllegalStateException("ORDERS_TABLE is not set");
        }
        return new Orders(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(), table);
    }

    public Order place(String principal, String item, int quantity, String sessionId, Instant now) {
        Order order = new Order(now + "-" + UUID.randomUUID().toString().substring(0, 8), item, quantity, now, sessionId);
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                "principal", AttributeValue.fromS(principal),
                "orderId", AttributeValue.fromS(order.id()),
                "item", AttributeValue.fromS(item),
                "quantity", AttributeValue.fromN(Integer.toString(quantity)),
                "placedAt", AttributeValue.fromS(now.toString()),
                "sessionId", AttributeValue.fromS(sessionId)))
                .conditionExpression("attribute_not_exists(orderId)"));
        return order;
    }

    /** The principal's newest orders, read consistently: an order placed a moment ago is listed. */
    public List<Order> of(String principal) {
        QueryResponse page = dynamo.query(b -> b.tableName(table).keyConditionExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)))
                .scanIndexForward(false).limit(PAGE).consistentRead(true));
        List<Order> orders = new ArrayList<>();
        for (Map<String, AttributeValue> item : page.items()) {
            orders.add(new Order(item.get("orderId").s(), item.get("item").s(), Integer.parseInt(item.get("quantity").n()),
                    Instant.parse(item.get("placedAt").s()), item.get("sessionId").s()));
        }
        return orders;
    }
}
