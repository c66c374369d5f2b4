package dev.sessions.local.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.Bootstrap;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.LocalServer;
import dev.sessions.local.fixtures.Gate;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Template;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Stream pollers against a real emulator's stream, with real consumer JVMs. */
@ExtendWith(LocalServices.class)
class StreamPollerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static Path records;
    private static Path deadLetters;
    private static Template template;
    private static DynamoDbClient dynamo;
    private static software.amazon.awssdk.services.sqs.SqsClient sqs;
    /** Every message the on-failure destination (the template's FailedBatches queue) received so far. */
    private static final List<Map<?, ?>> DEAD_LETTERS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static LocalServer server;

    @BeforeAll
    static void start(AwsEndpoint aws, @TempDir Path dir) throws Exception {
        records = Files.createDirectories(dir.resolve("records"));
        deadLetters = dir.resolve("dead-letters");
        Path file = Path.of(StreamPollerIT.class.getResource("/templates/streams.yaml").toURI());
        template = Template.load(file, Map.of(), new Template.Settings("pollers-" + UUID.randomUUID().toString()
                .substring(0, 8), aws.region().id(), "123456789012"));
        dynamo = aws.dynamoDb();
        Bootstrap.run(template, dynamo, System.err);
        sqs = software.amazon.awssdk.services.sqs.SqsClient.builder().endpointOverride(aws.uri()).region(aws.region())
                .credentialsProvider(aws.credentials())
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        Bootstrap.createQueues(template, sqs);
        Path build = FixtureArtifacts.build(dir.resolve("build"), template.functions().keySet().toArray(String[]::new));
        Map<String, String> env = Map.of("AWS_REGION", aws.region().id(), "AWS_ENDPOINT_URL", aws.uri().toString(),
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
        LocalLambda lambda = new LocalLambda(template, new LocalLambda.Settings(build,
                FixtureArtifacts.javaRuntime(dir.resolve("scratch")), 2, Duration.ofMinutes(5), env,
                Map.of("Parameters", Map.of("RECORD_DIR", records.toString())), (f, l) -> { }));
        server = new LocalServer(lambda, env, 0, true, deadLetters, new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        server.close();
        for (String table : List.of("Ordered", "Partial", "Poison", "Exhausted", "Filtered", "Throttled", "Deep")) {
            dynamo.deleteTable(b -> b.tableName(template.tables().get(table).name()));
        }
        dynamo.close();
        sqs.close();
    }

    private static void put(String table, String pk, String mode) {
        dynamo.putItem(b -> b.tableName(template.tables().get(table).name()).item(Map.of(
                "pk", AttributeValue.fromS(pk), "mode", AttributeValue.fromS(mode),
                "at", AttributeValue.fromN(Long.toString(System.nanoTime())))));
    }

    /** Each invocation the function got, in order: its records and outcome. */
    private static List<Map<?, ?>> invocations(String function) {
        Path file = records.resolve(template.function(function).name() + ".jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        return lines(file);
    }

    private static List<Map<?, ?>> lines(Path file) {
        List<Map<?, ?>> parsed = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                parsed.add((Map<?, ?>) Json.parse(line));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return parsed;
    }

    private static List<Map<?, ?>> recordsOf(Map<?, ?> invocation) {
        List<Map<?, ?>> list = new ArrayList<>();
        ((List<?>) invocation.get("records")).forEach(r -> list.add((Map<?, ?>) r));
        return list;
    }

    private static List<String> delivered(String function, boolean successfulOnly) {
        List<String> keys = new ArrayList<>();
        for (Map<?, ?> invocation : invocations(function)) {
            if (!successfulOnly || invocation.get("outcome").equals("ok")) {
                recordsOf(invocation).forEach(r -> keys.add(r.get("pk") + ":" + r.get("event")));
            }
        }
        return keys;
    }

    /** What the template's FailedBatches queue holds: the mappings send there, as on AWS. */
    private static List<Map<?, ?>> deadLettersOf() throws IOException {
        String url = template.queues().get("FailedBatches").url();
        for (var message : sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages()) {
            DEAD_LETTERS.add((Map<?, ?>) Json.parse(message.body()));
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
        }
        assertFalse(Files.exists(deadLetters), "a destination the template has a queue for gets no file");
        return List.copyOf(DEAD_LETTERS);
    }

    @Test
    void givenWrites_whenPolled_thenBatchesUpToBatchSizeInWriteOrderPerItem() {
        for (int i = 0; i < 7; i++) {
            put("Ordered", "o" + i, "");
        }
        put("Ordered", "o0", "second");
        put("Ordered", "o0", "third");

        List<String> keys = Poll.until(WAIT, "9 records delivered", () -> delivered("OrderedRecorder", false),
                k -> k.size() >= 9);

        assertEquals(List.of("o0:INSERT", "o1:INSERT", "o2:INSERT", "o3:INSERT", "o4:INSERT", "o5:INSERT", "o6:INSERT",
                "o0:MODIFY", "o0:MODIFY"), keys);
        assertTrue(invocations("OrderedRecorder").stream().allMatch(i -> recordsOf(i).size() <= 3), "BatchSize 3");
    }

    @Test
    void givenAnItemNestedAsDeepAsDynamoDbAllows_whenPolled_thenDeliveredAndTheStreamReadOn() {
        // 32 levels is DynamoDB's limit; each level is two JSON levels in a stream record
        AttributeValue nested = AttributeValue.fromS("bottom");
        for (int level = 1; level < 32; level++) {
            nested = AttributeValue.fromM(Map.of("k", nested));
        }
        AttributeValue deepest = nested;
        dynamo.putItem(b -> b.tableName(template.tables().get("Deep").name()).item(Map.of(
                "pk", AttributeValue.fromS("deep"), "nested", deepest)));
        put("Deep", "after", "");

        List<String> keys = Poll.until(WAIT, "both records delivered", () -> delivered("DeepRecorder", true),
                k -> k.size() >= 2);

        assertEquals(List.of("deep:INSERT", "after:INSERT"), keys);
    }

    @Test
    void givenReportedItemFailure_whenPolled_thenOnlyThatRecordAndLaterOnesAreRetried() {
        put("Partial", "p0", "");
        put("Partial", "p1", "report-once");
        put("Partial", "p2", "");

        Poll.until(WAIT, "p2 delivered after the retry", () -> delivered("PartialRecorder", false),
                k -> k.stream().filter(s -> s.startsWith("p1")).count() == 2 && k.getLast().startsWith("p2"));

        List<String> keys = delivered("PartialRecorder", false);
        assertEquals(1, keys.stream().filter(s -> s.startsWith("p0")).count(), keys.toString());
        for (Map<?, ?> invocation : invocations("PartialRecorder").subList(1, invocations("PartialRecorder").size())) {
            assertEquals("p1", recordsOf(invocation).getFirst().get("pk"), "a retry starts at the reported record");
        }
    }

    @Test
    void givenPoisonRecord_whenBatchBisected_thenOthersDeliveredAndPoisonSentToDestination() throws IOException {
        for (int i = 0; i < 5; i++) {
            put("Poison", "q" + i, i == 2 ? "throw" : "");
        }

        List<Map<?, ?>> dead = Poll.until(WAIT, "the poison record in the on-failure queue",
                StreamPollerIT::deadLettersOfPoison, d -> !d.isEmpty());
        Poll.until(WAIT, "every good record delivered", () -> delivered("PoisonRecorder", true),
                k -> k.containsAll(List.of("q0:INSERT", "q1:INSERT", "q3:INSERT", "q4:INSERT")));

        assertEquals(1, dead.size());
        Map<?, ?> batch = (Map<?, ?>) dead.getFirst().get("DDBStreamBatchInfo");
        assertEquals(BigDecimal.ONE, batch.get("batchSize"));
        String poisonSequence = invocations("PoisonRecorder").stream().flatMap(i -> recordsOf(i).stream())
                .filter(r -> r.get("pk").equals("q2")).findFirst().orElseThrow().get("seq").toString();
        assertEquals(poisonSequence, batch.get("startSequenceNumber"));
        assertEquals("RetryAttemptsExhausted", ((Map<?, ?>) dead.getFirst().get("requestContext")).get("condition"));
        assertEquals(List.of("q0:INSERT", "q1:INSERT", "q3:INSERT", "q4:INSERT"), delivered("PoisonRecorder", true),
                "each good record succeeds exactly once, in order");
    }

    private static List<Map<?, ?>> deadLettersOfPoison() {
        try {
            return deadLettersOf().stream().filter(d -> ((Map<?, ?>) d.get("requestContext")).get("functionArn")
                    .toString().endsWith("PoisonRecorder")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void givenRecordFailingEveryTime_whenRetriesRunOut_thenItLandsInTheOnFailureQueueAndTheShardMovesOn() throws IOException {
        put("Exhausted", "e0", "throw");
        put("Exhausted", "e1", "");

        Poll.until(WAIT, "e1 delivered after e0 was given up", () -> delivered("ExhaustedRecorder", true),
                k -> k.contains("e1:INSERT"));

        assertEquals(3, delivered("ExhaustedRecorder", false).stream().filter(k -> k.startsWith("e0")).count(),
                "one delivery and MaximumRetryAttempts (2) retries");
        Map<?, ?> dead = deadLettersOf().stream().filter(d -> ((Map<?, ?>) d.get("requestContext")).get("functionArn")
                .toString().endsWith("ExhaustedRecorder")).findFirst().orElseThrow();
        assertEquals(new BigDecimal(3), ((Map<?, ?>) dead.get("requestContext")).get("approximateInvokeCount"));
    }

    @Test
    void givenTheFunctionAtItsConcurrency_whenARecordArrives_thenRetriedUntilServedWithoutSpendingItsRetries()
            throws Exception {
        try (Gate gate = new Gate()) {
            // the function's one environment is held by a direct call: the mapping's invocations are throttled
            var busy = java.util.concurrent.CompletableFuture.supplyAsync(() -> server.lambda().invoke("ThrottledRecorder",
                    gate.event().getBytes(StandardCharsets.UTF_8)));
            gate.awaitHeld(1, WAIT);
            long before = server.lambda().invocations("ThrottledRecorder");

            put("Throttled", "t0", "");

            Poll.until(WAIT, "the mapping throttled twice, so retried after a throttle",
                    () -> server.lambda().invocations("ThrottledRecorder") >= before + 2);
            assertTrue(delivered("ThrottledRecorder", false).isEmpty(), "nothing delivered while the environment is held");
            gate.open();

            Poll.until(WAIT, "t0 delivered once the function is free", () -> delivered("ThrottledRecorder", true),
                    k -> k.contains("t0:INSERT"));
            assertFalse(busy.get().failed());
        }
        assertTrue(deadLettersOf().stream().noneMatch(d -> ((Map<?, ?>) d.get("requestContext")).get("functionArn")
                .toString().endsWith("ThrottledRecorder")), "a throttle is no function error: MaximumRetryAttempts 0"
                + " was not spent");
    }

    @Test
    void givenFilterCriteria_whenPolled_thenOnlyMatchingRecordsReachTheFunction() {
        put("Filtered", "keep-1", "");
        put("Filtered", "drop-1", "");
        put("Filtered", "keep-1", "changed");
        dynamo.deleteItem(b -> b.tableName(template.tables().get("Filtered").name())
                .key(Map.of("pk", AttributeValue.fromS("keep-1"))));
        put("Filtered", "keep-zz", "");

        Poll.until(WAIT, "the last record delivered", () -> delivered("FilteredRecorder", false),
                k -> k.contains("keep-zz:INSERT"));

        assertEquals(List.of("keep-1:INSERT", "keep-zz:INSERT"), delivered("FilteredRecorder", false));
    }
}
