package dev.sessions.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The baseline every cold start is compared with: the plainest AWS SDK v2 program that does what
 * the functions do at least once, building a DynamoDB client (region, credentials and endpoint
 * from the environment, the HTTP client found on the classpath) and getting one item.
 */
public class BaselineHandler implements RequestStreamHandler {

    private final DynamoDbClient dynamo = DynamoDbClient.create();
    private final String table = System.getenv("BASELINE_TABLE");

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        input.readAllBytes();
        boolean found = dynamo.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS("baseline"))))
                .hasItem();
        output.write(("{\"found\":" + found + "}").getBytes(StandardCharsets.UTF_8));
    }
}
