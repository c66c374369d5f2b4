package example.audit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Keeps an audit trail of sign-outs: its rule sends the sessions stack's {@code Session Ended}
 * events of sign-outs here, and each becomes one item of the audit table (partition: principal;
 * sort: the event's id). The bus delivers at least once, so the write is conditional on the event's
 * id: a redelivery writes nothing. A failure throws, and EventBridge's retry policy tries again.
 */
public final class SignOutsHandler implements RequestHandler<Map<String, Object>, String> {

    private final DynamoDbClient dynamo;
    private final String table;

    public SignOutsHandler() {
        this(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(), tableOf(System.getenv()));
    }

    SignOutsHandler(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static String tableOf(Map<String, String> env) {
        String table = env.get("AUDIT_TABLE");
        if (table == null || table.isBlank()) {
            throw new IllegalStateException("AUDIT_TABLE is not set");
        }
        return table;
    }

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        Optional<SignOut> signOut = SignOut.of(event);
        if (signOut.isEmpty()) {
            return "ignored";
        }
        SignOut out = signOut.get();
        try {
            dynamo.putItem(b -> b.tableName(table).item(Map.of(
                            "principal", AttributeValue.fromS(out.principal()),
                            "eventId", AttributeValue.fromS(out.eventId()),
                            "sessionId", AttributeValue.fromS(out.sessionId()),
                            "reason", AttributeValue.fromS(out.reason()),
                            "occurredAt", AttributeValue.fromS(out.occurredAt())))
                    .conditionExpression("attribute_not_exists(eventId)"));
            if (context != null) {
                context.getLogger().log("{\"level\":\"INFO\",\"message\":\"sign-out audited\",\"sessionId\":\""
                        + out.sessionId() + "\",\"reason\":\"" + out.reason() + "\"}");
            }
            return "audited";
        } catch (ConditionalCheckFailedException redelivered) {
            return "already audited";
        }
    }
}
