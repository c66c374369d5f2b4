package dev.sessions.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.ProjectRun;
import dev.sessions.local.SignedRequests;
import dev.sessions.local.iam.ActionRequest;
import dev.sessions.local.iam.Role;
import dev.sessions.local.iam.Statement;
import dev.sessions.local.template.Template;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RedisEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every function's grants in template.yaml held to the calls its code makes: the whole system runs
 * through the local runtime with IAM enforced (each function as the role SAM makes of its
 * Policies) and its SnapStart warm-ups run at init, every route and both stream consumers are
 * exercised (a record that is no session included), and then no call may have been denied, no
 * action the template grants may have gone unused (but those named below with their reason), and
 * no function in the cache's VPC may have called a service its private subnets cannot reach.
 */
@ExtendWith(LocalServices.class)
class GrantsIT {

    /** Grants (action on resource patterns) no call of the code uses, and why they are there. */
    static final List<String> USED_BY_OTHERS = List.of(
            // Lambda itself creates the network interfaces of a function in a VPC, with its role
            "ec2:CreateNetworkInterface *", "ec2:DescribeNetworkInterfaces *", "ec2:DeleteNetworkInterface *",
            "ec2:AssignPrivateIpAddresses *", "ec2:UnassignPrivateIpAddresses *",
            // giving up a failed Idempotency-Key claim: only after the store failed in the middle of a create
            "dynamodb:DeleteItem arn:aws:dynamodb:*:*:table/*-IdempotencyTable");

    @Test
    void givenEveryPathExercisedUnderIam_whenDone_thenNothingWasDeniedAndEveryGrantWasUsed(AwsEndpoint aws,
            RedisEndpoint redis, @TempDir Path dir) throws Exception {
        ByteArrayOutputStream runtimeLog = new ByteArrayOutputStream();
        try (ProjectRun run = ProjectRun.start(aws, "grants", Map.of("REDIS_URL", redis.uri().toString(),
                "COOKIE_SECURE", "false", "MAX_SESSIONS_PER_PRINCIPAL", "3", "TOUCH_INTERVAL_SECONDS", "0"),
                Map.of("PRIME_AT_INIT", "true"), 1, (f, l) -> { }, dir);
             LocalServer server = new LocalServer(run.lambda(), run.aws(), 0, true, dir.resolve("dead-letters"),
                     new PrintStream(runtimeLog, true, StandardCharsets.UTF_8))) {
            String base = "http://127.0.0.1:" + server.port();
            exercise(run, base, aws);

            Map<String, Map<String, Long>> calls = run.iam().calls();
            assertEquals(List.of(), run.iam().denials(), "calls the template does not grant");
            Map<String, Set<String>> unused = new TreeMap<>();
            Map<String, Set<ActionRequest.Check>> made = run.iam().checks();
            for (Map.Entry<String, Role> role : run.iam().roles().entrySet()) {
                Set<ActionRequest.Check> checks = made.getOrDefault(role.getKey(), Set.of());
                for (Statement statement : role.getValue().declared()) {
                    if (!statement.allow() || statement.notAction() || statement.notResource()) {
                        continue;
                    }
                    for (String action : statement.actions()) {
                        for (String resource : statement.resources()) {
                            boolean used = checks.stream().anyMatch(c -> Statement.pairCovers(action, resource,
                                    c.action(), c.resource()));
                            boolean otherwise = USED_BY_OTHERS.stream().anyMatch(e -> Statement.pairCovers(
                                    e.split(" ")[0], e.split(" ")[1], action, resource));
                            if (!used && !otherwise) {
                                unused.computeIfAbsent(role.getKey(), k -> new TreeSet<>()).add(action + " on " + resource);
                            }
                        }
                    }
                }
            }
            assertEquals(Map.of(), unused, "grants no call used (least privilege); calls made: " + made);
            assertEquals(Map.of(), broaderThanTheirCalls(run.iam().roles(), made),
                    "actions a role may take on other resources than the ones its calls named");
            assertEquals(Map.of(), unreachable(run.template(), calls),
                    "calls a function in the cache's VPC made to a service it has no endpoint to reach");
            assertTrue(calls.getOrDefault("AggregatesFunction", Map.of()).containsKey("dynamodb:GetRecords"),
                    "the mapping reads the stream as the function's role: " + calls);
        }
    }

    /**
     * For every call a function made on a named resource (a table, an index, a stream, a queue),
     * whether its role would also allow that action on a sibling resource nobody named: a grant of
     * {@code "*"} (as SAM's managed stream policy is) passes the first check and fails this one.
     */
    private static Map<String, Set<String>> broaderThanTheirCalls(Map<String, Role> roles,
                                                                   Map<String, Set<ActionRequest.Check>> made) {
        Map<String, Set<String>> broad = new TreeMap<>();
        for (Map.Entry<String, Set<ActionRequest.Check>> calls : made.entrySet()) {
            Role role = roles.get(calls.getKey());
            if (role == null) {
                continue; // the local caller, whose policy is the AWS_IAM routes
            }
            for (ActionRequest.Check call : calls.getValue()) {
                String sibling = call.resource().replaceFirst("(table/|:)([A-Za-z0-9_.-]+)(/|$)", "$1someone-else$3");
                if (call.resource().equals("*") || sibling.equals(call.resource())) {
                    continue; // an action with no resource of its own (ListStreams, ec2:*)
                }
                if (role.decide(call.action(), sibling) == Role.Decision.ALLOWED) {
                    broad.computeIfAbsent(calls.getKey(), k -> new TreeSet<>()).add(call.action() + " on " + sibling);
                }
            }
        }
        return broad;
    }

    /**
     * The calls each function placed in the VPC made to a service with no VPC endpoint in the
     * template: its subnets are private, with no NAT, so on AWS those calls would time out.
     */
    private static Map<String, Set<String>> unreachable(Template template, Map<String, Map<String, Long>> calls) {
        Set<String> reachable = new TreeSet<>();
        for (String endpoint : template.resourceIdsOfType("AWS::EC2::VPCEndpoint")) {
            String service = String.valueOf(template.resourceProperties(endpoint).get("ServiceName"));
            reachable.add(service.substring(service.lastIndexOf('.') + 1));
        }
        Map<String, Set<String>> unreachable = new TreeMap<>();
        for (Map.Entry<String, Map<String, Long>> function : calls.entrySet()) {
            if (!template.functions().containsKey(function.getKey())
                    || template.resourceProperties(function.getKey()).get("VpcConfig") == null) {
                continue;
            }
            for (String action : function.getValue().keySet()) {
                if (!reachable.contains(action.substring(0, action.indexOf(':')))) {
                    unreachable.computeIfAbsent(function.getKey(), k -> new TreeSet<>()).add(action);
                }
            }
        }
        return unreachable;
    }

    private static void exercise(ProjectRun run, String base, AwsEndpoint aws) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, send(http, "GET", base + "/hello", null, Map.of()).statusCode());
        HttpResponse<String> first = send(http, "GET", base + "/", null, Map.of());
        String visitCookie = first.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        assertEquals(200, send(http, "GET", base + "/", null, Map.of("Cookie", visitCookie)).statusCode());

        String principal = "grants-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> json = Map.of("Content-Type", "application/json");
        String token = null;
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> created = send(http, "POST", base + "/sessions", "{\"principal\":\"" + principal + "\"}",
                    Map.of("Content-Type", "application/json", "Idempotency-Key", "grants-key-" + principal + i));
            assertEquals(201, created.statusCode(), created.body());
            token = (String) Json.parseObject(created.body(), 8).get("token");
            aws.awaitReadsCaughtUp(); // the next create's session limit then finds this one in the lagging index
        }
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
        assertEquals(200, send(http, "GET", base + "/sessions/current", null, bearer).statusCode());
        assertEquals(200, send(http, "GET", base + "/sessions/current?consistent=true", null, bearer).statusCode());
        assertEquals(200, send(http, "GET", base + "/me", null, bearer).statusCode(), "through the session authorizer");
        assertEquals(200, send(http, "GET", base + "/sessions", null, bearer).statusCode(), "the user's own listing");
        assertEquals(200, send(http, "PATCH", base + "/sessions/current", "{\"a\":{\"b\":1}}",
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json")).statusCode());
        HttpResponse<String> rotated = send(http, "POST", base + "/sessions/current/rotate", null, bearer);
        assertEquals(200, rotated.statusCode(), rotated.body());
        String fresh = (String) Json.parseObject(rotated.body(), 8).get("token");
        assertEquals(204, send(http, "DELETE", base + "/sessions/current", null,
                Map.of("Authorization", "Bearer " + fresh)).statusCode());
        assertEquals(200, send(http, "GET", base + "/stats", null, json).statusCode());

        String listing = base + "/admin/principals/" + principal + "/sessions";
        var caller = run.iam().caller();
        String region = run.template().settings().region();
        Poll.until(Duration.ofSeconds(10), "the principal's sessions listed", () -> sendSigned(http,
                SignedRequests.sign("GET", URI.create(listing), null, caller.accessKeyId(), caller.secret(),
                        "execute-api", region)), r -> r.statusCode() == 200 && r.body().contains(principal));
        assertEquals(200, sendSigned(http, SignedRequests.sign("DELETE", URI.create(listing), null, caller.accessKeyId(),
                caller.secret(), "execute-api", region)).statusCode());

        // a record of the sessions table that is no session: both consumers set it aside in the dead-letter queue
        try (var dynamo = dev.sessions.adapter.dynamodb.DynamoDbClients.fromEnvironment(run.aws())) {
            dynamo.putItem(b -> b.tableName(run.template().tables().get("SessionsTable").name())
                    .item(Map.of("id", AttributeValue.fromS("no-session"))));
        }
        Poll.until(Duration.ofSeconds(30), "both consumers to set the record aside",
                () -> run.iam().calls().getOrDefault("SessionSyncFunction", Map.of()).containsKey("sqs:SendMessage")
                        && run.iam().calls().getOrDefault("AggregatesFunction", Map.of()).containsKey("sqs:SendMessage")
                        && run.iam().calls().getOrDefault("AggregatesFunction", Map.of()).containsKey("dynamodb:PutItem"));
    }

    private static HttpResponse<String> send(HttpClient http, String method, String uri, String body,
                                             Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> sendSigned(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
