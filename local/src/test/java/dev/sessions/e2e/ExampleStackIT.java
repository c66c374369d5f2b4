package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.runtime.FunctionDirectory;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.EventBusFixture;
import dev.sessions.testing.Executables;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One session guards two services: the project's stack and examples/orders-service, a team's stack
 * that attaches the exported session authorizer to its own routes (and grants API Gateway the
 * invoke), served side by side as {@code start-api --with-stack} serves them, each function as its
 * role. A live session's principal places and lists orders; no session, an ended one or a rotated-away
 * one is refused by API Gateway before the orders function runs; a visitor's session without a
 * principal reaches it and is told to sign in.
 */
@ExtendWith(LocalServices.class)
class ExampleStackIT {

    private static final String FORBIDDEN = "{\"message\":\"Forbidden\"}";

    @Test
    void givenTheSessionsStackAndTheOrdersStack_whenOneSessionCallsBoth_thenBothKnowItsPrincipalAndRefuseItOnceEnded(
            AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        Path example = Executables.projectRoot().resolve("examples/orders-service");
        try (ProjectRun sessions = ProjectRun.start(aws, "guard", Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false"), Map.of(), 2, (f, l) -> { }, dir);
             ProjectRun orders = sessions.beside(example, aws, Map.of("SessionsStackName",
                     sessions.template().settings().stackName()), (f, l) -> { }, dir)) {
            FunctionDirectory both = new FunctionDirectory(List.of(sessions.lambda(), orders.lambda()));
            PrintStream log = new PrintStream(System.err, true);
            try (LocalServer sessionsApi = new LocalServer(sessions.lambda(), sessions.aws(), 0, false,
                    dir.resolve("dead-letters"), log, both);
                 LocalServer ordersApi = new LocalServer(orders.lambda(), orders.aws(), 0, false,
                         dir.resolve("dead-letters"), log, both)) {
                String api = "http://127.0.0.1:" + sessionsApi.port();
                String shop = "http://127.0.0.1:" + ordersApi.port();

                HttpResponse<String> nobody = send(shop, "GET", "/orders", Map.of(), null);
                assertEquals(403, nobody.statusCode(), nobody.body());
                assertEquals(FORBIDDEN, nobody.body());
                assertEquals(0, orders.lambda().invocations("OrdersFunction"), "refused before the team's function");

                String principal = "alice-" + UUID.randomUUID().toString().substring(0, 8);
                HttpResponse<String> created = send(api, "POST", "/sessions", Map.of("Content-Type", "application/json"),
                        "{\"principal\":\"" + principal + "\"}");
                String token = (String) Json.parseObject(created.body(), 8).get("token");
                String sessionId = (String) ((Map<?, ?>) Json.parseObject(created.body(), 8).get("session")).get("id");

                HttpResponse<String> placed = send(shop, "POST", "/orders", bearer(token), "{\"item\":\"book\",\"quantity\":2}");
                assertEquals(201, placed.statusCode(), placed.body());
                assertEquals(sessionId, Json.parseObject(placed.body(), 4).get("sessionId"),
                        "the order names the session's public id, never its token");
                Map<String, Object> listed = Json.parseObject(send(shop, "GET", "/orders", bearer(token), null).body(), 8);
                assertEquals(principal, listed.get("principal"));
                assertEquals(1, ((List<?>) listed.get("orders")).size(), "read back at once: " + listed);
                assertEquals(principal, Json.parseObject(send(api, "GET", "/me", bearer(token), null).body(), 8)
                        .get("principal"), "the same session, known to both services");

                String fresh = (String) Json.parseObject(send(api, "POST", "/sessions/current/rotate", bearer(token), null)
                        .body(), 8).get("token");
                assertEquals(FORBIDDEN, send(shop, "GET", "/orders", bearer(token), null).body(), "rotated away");
                Map<String, Object> same = Json.parseObject(send(shop, "GET", "/orders", bearer(fresh), null).body(), 8);
                assertEquals(1, ((List<?>) same.get("orders")).size(), "the rotated session is the same principal");
                assertEquals(204, send(api, "DELETE", "/sessions/current", bearer(fresh), null).statusCode());
                assertEquals(FORBIDDEN, send(shop, "GET", "/orders", bearer(fresh), null).body(), "ended: refused at once");

                HttpResponse<String> visit = send(api, "GET", "/", Map.of(), null);
                String cookie = visit.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
                HttpResponse<String> visitor = send(shop, "GET", "/orders", Map.of("Cookie", cookie), null);
                assertEquals(403, visitor.statusCode(), visitor.body());
                assertTrue(visitor.body().contains("urn:orders:problem:sign-in-required"), visitor.body());
                assertEquals(4, orders.lambda().invocations("OrdersFunction"),
                        "the function ran for the live sessions only: place, list, list after the rotation, the visitor");
            }
            assertEquals(List.of(), orders.iam().denials(), "the orders stack grants what its function calls");
            assertEquals(List.of(), sessions.iam().denials());
        }
    }

    @Test
    void givenTheSignOutAuditBesideTheSessionsStack_whenAUserSignsOut_thenItsRuleDeliversTheEventAndItIsAuditedOnce(
            AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        Path example = Executables.projectRoot().resolve("examples/sign-out-audit");
        try (ProjectRun sessions = ProjectRun.start(aws, "audited", Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false"), Map.of(), 2, (f, l) -> { }, dir);
             ProjectRun audit = sessions.beside(example, aws, Map.of("SessionsStackName",
                     sessions.template().settings().stackName()), (f, l) -> { }, dir);
             LocalServer api = new LocalServer(sessions.lambda(), sessions.aws(), 0, true, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true));
             LocalServer auditor = new LocalServer(audit.lambda(), audit.aws(), 0, true, dir.resolve("dead-letters"),
                     new PrintStream(System.err, true));
             EventBusFixture bus = EventBusFixture.subscribe(aws, sessions.lambda().template().function(
                     "AggregatesFunction").environment().get("EVENT_BUS_NAME"));
             DynamoDbClient dynamo = aws.dynamoDb()) {
            String base = "http://127.0.0.1:" + api.port();
            String table = audit.template().tables().get("AuditTable").name();
            String principal = "carol-" + UUID.randomUUID().toString().substring(0, 8);
            String token = (String) Json.parseObject(send(base, "POST", "/sessions", Map.of("Content-Type",
                    "application/json"), "{\"principal\":\"" + principal + "\"}").body(), 8).get("token");
            String rotated = (String) Json.parseObject(send(base, "POST", "/sessions/current/rotate", bearer(token), null)
                    .body(), 8).get("token");
            assertEquals(204, send(base, "DELETE", "/sessions/current", bearer(rotated), null).statusCode());

            // the stream function announces it, the audit's rule matches it, the audit function writes it
            Poll.until(Duration.ofSeconds(60), "the sign-out audited", () -> auditLines(dynamo, table, principal).size() == 1);
            assertEquals("signed-out", auditLines(dynamo, table, principal).getFirst().get("reason").s());
            assertEquals(1, audit.lambda().invocations("SignOutsFunction"), "the starts and the rotation never matched");

            // EventBridge delivers at least once: the same event again writes nothing more
            Map<String, Object> signOut = new java.util.ArrayList<>(Poll.until(Duration.ofSeconds(30),
                    "the sign-out on the consumer's queue", bus::received, received -> received.stream().anyMatch(
                            e -> "signed-out".equals(((Map<?, ?>) e.get("detail")).get("reason"))))).stream()
                    .filter(e -> "signed-out".equals(((Map<?, ?>) e.get("detail")).get("reason"))).findFirst().orElseThrow();
            bus.republish(signOut);
            Poll.until(Duration.ofSeconds(30), "the repeat delivered", () -> audit.lambda().invocations("SignOutsFunction") == 2);
            assertEquals(1, auditLines(dynamo, table, principal).size(), "audited once");
            assertEquals(List.of(), audit.iam().denials(), "the audit stack grants what its function calls");
        }
    }

    private static List<Map<String, AttributeValue>> auditLines(DynamoDbClient dynamo, String table, String principal) {
        return dynamo.query(b -> b.tableName(table).keyConditionExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal))).consistentRead(true)).items();
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> send(String base, String method, String path, Map<String, String> headers,
                                             String body) {
        return Requests.send(HttpClient.newHttpClient(), method, base + path, body, headers.entrySet().stream()
                .flatMap(h -> java.util.stream.Stream.of(h.getKey(), h.getValue())).toArray(String[]::new));
    }
}
