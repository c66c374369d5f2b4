package dev.sessions.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The actions and resources a request needs, read as the services read them. */
class ActionRequestTest {

    private static final String ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/";

    private static List<ActionRequest.Check> checks(String target, String body) {
        return ActionRequest.of(target, body.getBytes(StandardCharsets.UTF_8), "eu-west-1", "123456789012").checks();
    }

    private static ActionRequest.Check check(String action, String resource) {
        return new ActionRequest.Check(action, resource);
    }

    @Test
    void givenItemCalls_whenRead_thenTheirActionOnTheTable() {
        assertEquals(List.of(check("dynamodb:GetItem", ARN + "s")), checks("DynamoDB_20120810.GetItem", "{\"TableName\":\"s\"}"));
        assertEquals(List.of(check("dynamodb:Query", ARN + "s/index/byPrincipal")),
                checks("DynamoDB_20120810.Query", "{\"TableName\":\"s\",\"IndexName\":\"byPrincipal\"}"));
    }

    @Test
    void givenATransaction_whenRead_thenEachPartsOwnAction() {
        assertEquals(List.of(check("dynamodb:PutItem", ARN + "c"), check("dynamodb:UpdateItem", ARN + "c"),
                check("dynamodb:DeleteItem", ARN + "s"), check("dynamodb:ConditionCheckItem", ARN + "s")),
                checks("DynamoDB_20120810.TransactWriteItems", "{\"TransactItems\":[{\"Put\":{\"TableName\":\"c\"}},"
                        + "{\"Update\":{\"TableName\":\"c\"}},{\"Delete\":{\"TableName\":\"s\"}},"
                        + "{\"ConditionCheck\":{\"TableName\":\"s\"}}]}"));
    }

    @Test
    void givenAnItemNestedAsDeepAsDynamoDbAllows_whenRead_thenItsTableIsNamed() {
        // 32 levels of maps, as a create with the contract's deepest data writes it, inside a transaction
        String data = "{\"M\":{\"k\":".repeat(31) + "{\"N\":\"1\"}" + "}}".repeat(31);
        String body = "{\"TransactItems\":[{\"Put\":{\"TableName\":\"s\",\"Item\":{\"id\":{\"S\":\"x\"},\"data\":"
                + "{\"M\":{\"k\":" + data + "}}}}}]}";

        assertEquals(List.of(check("dynamodb:PutItem", ARN + "s")), checks("DynamoDB_20120810.TransactWriteItems", body));
    }

    @Test
    void givenABatch_whenRead_thenItsActionOnEveryTable() {
        assertEquals(List.of(check("dynamodb:BatchGetItem", ARN + "a"), check("dynamodb:BatchGetItem", ARN + "b")),
                checks("DynamoDB_20120810.BatchGetItem", "{\"RequestItems\":{\"a\":{},\"b\":{}}}"));
    }

    @Test
    void givenStreamAndQueueCalls_whenRead_thenTheirArns() {
        String stream = ARN + "s/stream/2026-11-27T09:00:00.000";
        assertEquals(List.of(check("dynamodb:DescribeStream", stream)),
                checks("DynamoDBStreams_20120810.DescribeStream", "{\"StreamArn\":\"" + stream + "\"}"));
        assertEquals(List.of(check("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:dlq")),
                checks("AmazonSQS.SendMessageBatch", "{\"QueueUrl\":\"https://sqs.eu-west-1.amazonaws.com/123456789012/dlq\"}"));
    }
}
