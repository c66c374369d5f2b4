package dev.sessions.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.runtime.FunctionDirectory;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Route;
import dev.sessions.local.template.StreamMapping;
import dev.sessions.local.template.Template;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.Executables;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.RedisEndpoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file in events/ runs, as {@code local invoke -e} runs it, through the function the
 * template routes it to (by its routeKey, an authorizer event to its route's authorizer, or by its
 * stream source), against the real emulator and Redis. None may end in a function error, an HTTP
 * event gets an HTTP response, an authorizer event a simple response, and every line the functions
 * print is a JSON object.
 */
@ExtendWith(LocalServices.class)
class EventFilesIT {

    private static Template template;
    private static LocalLambda lambda;
    /** What the functions printed that is not a JSON object: structured logs only, no stray warnings. */
    private static final List<String> unstructured = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(AwsEndpoint aws, RedisEndpoint redis, @TempDir Path dir) {
        ProjectRun run = ProjectRun.start(aws, "events", Map.of("REDIS_URL", redis.uri().toString(), "COOKIE_SECURE",
                "false"), Map.of(), 1, (f, line) -> {
                    if (!line.startsWith("{")) {
                        unstructured.add(f + ": " + line);
                    }
                }, dir);
        template = run.template();
        lambda = run.lambda();
    }

    @AfterAll
    static void stop() {
        lambda.close();
    }

    @TestFactory
    Stream<DynamicTest> everyEventFile() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(Executables.projectRoot().resolve("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> invoke(file)));
            }
        }
        assertFalse(tests.isEmpty(), "events/ is empty");
        // last: every line the functions printed on the way, cold starts included, was a JSON object
        tests.add(DynamicTest.dynamicTest("every log line is JSON", () ->
                assertEquals(List.of(), unstructured, "lines CloudWatch Logs Insights cannot parse")));
        return tests.stream();
    }

    private static void invoke(Path file) throws IOException {
        String text = Files.readString(file);
        Map<?, ?> event = (Map<?, ?>) Json.parse(text);
        if ("dev.sessions".equals(event.get("source"))) {
            // a lifecycle event as the bus delivers it: a consumer's input (examples/sign-out-audit runs
            // it), held to what the stream function writes by SessionEventSamplesTest
            assertTrue(event.containsKey("detail-type") && event.get("detail") instanceof Map<?, ?>, file.toString());
            return;
        }
        List<String> functions = functionsFor(event);
        assertFalse(functions.isEmpty(), file.getFileName() + " matches no route or stream of template.yaml");
        for (String function : functions) {
            InvocationResult result = lambda.invoke(function, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertFalse(result.failed(), file.getFileName() + " -> " + function + ": " + result.payloadText());
            checkHttpResponse(file, event, result);
        }
    }

    private static void checkHttpResponse(Path file, Map<?, ?> event, InvocationResult result) {
        if (isAuthorizerEvent(event)) {
            Map<?, ?> response = (Map<?, ?>) Json.parse(result.payloadText());
            assertTrue(response.get("isAuthorized") instanceof Boolean, file.getFileName()
                    + ": a simple response: " + result.payloadText());
        } else if (event.containsKey("routeKey")) {
            Map<?, ?> response = (Map<?, ?>) Json.parse(result.payloadText());
            int status = ((BigDecimal) response.get("statusCode")).intValue();
            assertTrue(status >= 200 && status < 600, "an HTTP status: " + status);
            assertEquals(status >= 500, file.getFileName().toString().contains("unavailable"),
                    file.getFileName() + " answered " + status + ": " + response.get("body"));
        }
    }

    /** API Gateway's event for a Lambda authorizer, which carries the route it guards. */
    private static boolean isAuthorizerEvent(Map<?, ?> event) {
        return "REQUEST".equals(event.get("type")) && event.containsKey("routeArn");
    }

    /**
     * The function of the route the event names (its authorizer's, for an authorizer event), or
     * every consumer of the table its records come from.
     */
    private static List<String> functionsFor(Map<?, ?> event) {
        if (isAuthorizerEvent(event) && event.get("routeKey") instanceof String routeKey) {
            return template.routes().stream().filter(r -> r.routeKey().equals(routeKey) && r.lambdaAuthorizer() != null)
                    .map(r -> FunctionDirectory.of(lambda).byArn(r.lambdaAuthorizer().functionArn()).orElseThrow()
                            .logicalId()).limit(1).toList();
        }
        if (event.get("routeKey") instanceof String routeKey) {
            return template.routes().stream().filter(r -> r.routeKey().equals(routeKey)).map(Route::functionId)
                    .limit(1).toList();
        }
        if (event.get("Records") instanceof List<?> records && !records.isEmpty()
                && records.getFirst() instanceof Map<?, ?> first && "aws:dynamodb".equals(first.get("eventSource"))) {
            String arn = String.valueOf(first.get("eventSourceARN"));
            return template.streamMappings().stream().filter(m -> arn.contains(m.tableId()))
                    .map(StreamMapping::functionId).toList();
        }
        return List.of();
    }
}
