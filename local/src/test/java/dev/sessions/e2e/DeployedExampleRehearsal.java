package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * examples/orders-service deployed beside a sessions stack, through the API Gateway both were
 * deployed to: scripts/rehearse runs it against MiniStack ({@code -Dsessions.api.url=<ApiUrl>
 * -Dsessions.orders.url=<OrdersApiUrl>}). The sessions stack's authorizer guards the orders routes:
 * a live session's principal is served, and a missing, an ended or a rotated-away session is refused
 * by API Gateway, as is one whose expiry has passed (-Dsessions.table=<the sessions table>, whose item's
 * expiry the test moves back to its creation, as its idle window passing would); and examples/sign-out-audit, whose rule on the sessions stack's bus audits a
 * sign-out (-Dsessions.audit.table=<its AuditTable>). Not an IT: it needs the deployed stacks.
 */
class DeployedExampleRehearsal {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String api;
    private static String orders;

    @BeforeAll
    static void named() {
        api = url("sessions.api.url", "the sessions stack's ApiUrl");
        orders = url("sessions.orders.url", "the orders stack's OrdersApiUrl");
    }

    private static String url(String property, String what) {
        String url = System.getProperty(property, "");
        assertTrue(url.startsWith("http"), "name " + what + ": -D" + property + "=<url>");
        return url.endsWith("/") ? url : url + "/";
    }

    private static HttpResponse<String> send(String method, String url, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + url + ": " + e, e);
        }
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    void givenASignOut_whenTheSessionsStackAnnouncesIt_thenTheAuditStacksRuleDeliversItAndItIsAudited() {
        String table = System.getProperty("sessions.audit.table", "");
        assertTrue(!table.isEmpty(), "name the audit stack's table: -Dsessions.audit.table=<name>");
        String principal = "audited-" + UUID.randomUUID().toString().substring(0, 8);
        String token = (String) Json.parseObject(send("POST", api + "sessions", "{\"principal\":\"" + principal + "\"}",
                Map.of("Content-Type", "application/json")).body(), 8).get("token");
        assertEquals(204, send("DELETE", api + "sessions/current", null, bearer(token)).statusCode());

        // the stream mapping runs the stream function, which puts the event on the bus, whose rule runs the audit
        try (var dynamo = dynamo()) {
            var lines = Poll.until(Duration.ofSeconds(90), "the sign-out audited", () -> dynamo.query(b ->
                    b.tableName(table).keyConditionExpression("principal = :p").expressionAttributeValues(Map.of(":p",
                            AttributeValue.fromS(principal)))).items(),
                    items -> !items.isEmpty());
            assertEquals("signed-out", lines.getFirst().get("reason").s());
        }
    }

    @Test
    void givenASessionWhoseExpiryHasPassed_whenItCallsTheOrdersStack_thenRefusedAtOnce() {
        String table = System.getProperty("sessions.table", "");
        assertTrue(!table.isEmpty(), "name the sessions stack's table: -Dsessions.table=<name>");
        HttpResponse<String> created = send("POST", api + "sessions", "{\"principal\":\"expiring\"}",
                Map.of("Content-Type", "application/json"));
        assertEquals(201, created.statusCode(), created.body());
        Map<String, Object> body = Json.parseObject(created.body(), 8);
        String token = (String) body.get("token");
        String id = (String) ((Map<?, ?>) body.get("session")).get("id");
        assertEquals(200, send("GET", orders + "orders", null, bearer(token)).statusCode(), "live: served");

        // the idle window's passing, without waiting for it: the item expires at the second it was created,
        // on the stack's own clock, whatever this machine's says
        try (var dynamo = dynamo()) {
            var key = Map.of("id", AttributeValue.fromS(id));
            long createdMillis = Long.parseLong(dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true))
                    .item().get("createdAt").n());
            dynamo.updateItem(b -> b.tableName(table).key(key).updateExpression("SET expiresAt = :created")
                    .expressionAttributeValues(Map.of(":created", AttributeValue.fromN(Long.toString(createdMillis / 1000)))));
        }
        HttpResponse<String> expired = send("GET", orders + "orders", null, bearer(token));
        assertEquals(403, expired.statusCode(), "expired: refused at once: " + expired.body());
    }

    private static DynamoDbClient dynamo() {
        return DynamoDbClient.builder().endpointOverride(URI.create(System.getenv("AWS_ENDPOINT_URL")))
                .region(Region.of(System.getenv().getOrDefault("AWS_REGION", "us-east-1")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void givenASessionOfTheSessionsStack_whenItCallsTheOrdersStack_thenServedWhileLiveAndRefusedOnceEndedOrRotated() {
        String principal = "orders-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = send("POST", api + "sessions", "{\"principal\":\"" + principal + "\"}",
                Map.of("Content-Type", "application/json"));
        assertEquals(201, created.statusCode(), created.body());
        String token = (String) Json.parseObject(created.body(), 8).get("token");

        HttpResponse<String> placed = send("POST", orders + "orders", "{\"item\":\"book\",\"quantity\":1}", bearer(token));
        assertEquals(201, placed.statusCode(), placed.body());
        HttpResponse<String> listed = send("GET", orders + "orders", null, bearer(token));
        assertEquals(200, listed.statusCode(), listed.body());
        assertEquals(principal, Json.parseObject(listed.body(), 8).get("principal"));
        assertEquals(1, ((List<?>) Json.parseObject(listed.body(), 8).get("orders")).size(), listed.body());

        HttpResponse<String> missing = send("GET", orders + "orders", null, Map.of());
        assertEquals(403, missing.statusCode(), "no session: " + missing.body());

        HttpResponse<String> rotation = send("POST", api + "sessions/current/rotate", null, bearer(token));
        assertEquals(200, rotation.statusCode(), rotation.body());
        String fresh = (String) Json.parseObject(rotation.body(), 8).get("token");
        assertEquals(403, send("GET", orders + "orders", null, bearer(token)).statusCode(), "rotated away");
        assertEquals(200, send("GET", orders + "orders", null, bearer(fresh)).statusCode(), "the rotated session");

        assertEquals(204, send("DELETE", api + "sessions/current", null, bearer(fresh)).statusCode());
        assertEquals(403, send("GET", orders + "orders", null, bearer(fresh)).statusCode(), "ended: refused at once");
    }
}
