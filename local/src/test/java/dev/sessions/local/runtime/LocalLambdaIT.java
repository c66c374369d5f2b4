package dev.sessions.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.fixtures.Gate;
import dev.sessions.local.template.LambdaFunction;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import dev.sessions.testing.Poll;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lambda stand-in with real function JVMs: environments, isolation, timeouts, crashes, pools. */
class LocalLambdaIT {

    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    private static LocalLambda lambda;
    private static Path build;
    private static JavaRuntime runtime;

    @BeforeAll
    static void start(@TempDir Path dir) throws URISyntaxException {
        Path template = Path.of(LocalLambdaIT.class.getResource("/templates/runtime.yaml").toURI());
        build = FixtureArtifacts.build(dir.resolve("build"), "Red", "Blue", "Slow", "Reserved", "Sleepy", "Throwing",
                "Exiting", "BadInit", "Big", "QuietLevels", "ChattyLevels", "Snappy");
        runtime = FixtureArtifacts.javaRuntime(dir.resolve("scratch"));
        Map<String, Map<String, String>> overrides = Map.of(
                "Parameters", Map.of("SHARED", "from-env-vars-file", "UNDECLARED", "ignored"),
                "Blue", Map.of("COLOR", "navy"));
        lambda = new LocalLambda(Template.load(template, Map.of(), Template.Settings.defaults()),
                new LocalLambda.Settings(build, runtime, 4,
                        Duration.ofMinutes(5), Map.of("AWS_REGION", "eu-west-1"), overrides,
                        (function, line) -> LOG.add(function + " " + line)));
    }

    @AfterAll
    static void stop() {
        lambda.close();
    }

    private static Map<?, ?> invokeOk(String function, String event) {
        InvocationResult result = lambda.invoke(function, event.getBytes(StandardCharsets.UTF_8));
        assertFalse(result.failed(), result.payloadText());
        return (Map<?, ?>) Json.parse(result.payloadText());
    }

    private static Map<?, ?> error(InvocationResult result) {
        assertTrue(result.failed(), result.payloadText());
        assertEquals("Unhandled", result.functionError());
        return (Map<?, ?>) Json.parse(result.payloadText());
    }

    @Test
    void givenSnapStartOnPublishedVersions_whenInvoked_thenItRunsAsARestoredVersionBehindItsAlias() {
        Map<?, ?> first = invokeOk("Snappy", "{}");
        Map<?, ?> second = invokeOk("Snappy", "{}");

        assertEquals(List.of("beforeCheckpoint", "afterRestore"), first.get("hooks"), "both hooks before any request");
        assertEquals(first.get("hooks"), second.get("hooks"), "and never again in the same environment");
        assertEquals("snap-start", first.get("initializationType"));
        assertEquals("1", first.get("version"));
        assertEquals("1", first.get("contextVersion"));
        assertTrue(first.get("invokedArn").toString().endsWith(":function:sessions-local-Snappy:live"),
                first.get("invokedArn").toString());
    }

    @Test
    void givenLoggingConfigLevels_whenInvoked_thenTheLogKeepsWhatLambdaWouldKeep() {
        invokeOk("QuietLevels", "{}");
        invokeOk("ChattyLevels", "{}");
        // the functions' output reaches the log through a pipe, after the answer: as on Lambda, it trails
        Poll.until(Duration.ofSeconds(10), "the functions' last lines in the log",
                () -> messages(linesOf("ChattyLevels")).contains("another level")
                        && messages(linesOf("QuietLevels")).contains("at FATAL"));

        List<String> quiet = linesOf("QuietLevels");
        List<String> chatty = linesOf("ChattyLevels");
        assertEquals(List.of("at WARN", "at ERROR", "at FATAL"), messages(quiet), "and no platform line: " + quiet);
        assertEquals(List.of("at DEBUG", "at INFO", "at WARN", "at ERROR", "at FATAL", "no level", "no timestamp",
                "another level"), messages(chatty), "a line without a valid timestamp or level is INFO");
        assertTrue(chatty.contains("plain text"));
        assertTrue(chatty.stream().anyMatch(l -> l.contains("\"type\":\"platform.report\"")), chatty.toString());
    }

    private static List<String> linesOf(String function) {
        return LOG.stream().filter(l -> l.startsWith(function + " ")).map(l -> l.substring(function.length() + 1))
                .toList();
    }

    private static List<String> messages(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("{") && l.contains("\"message\""))
                .map(l -> String.valueOf(((Map<?, ?>) Json.parse(l)).get("message"))).toList();
    }

    @Test
    void givenTwoFunctionsWithConflictingVariables_whenInvoked_thenEachSeesItsOwn() {
        Map<?, ?> red = invokeOk("Red", "{\"n\":1}");
        Map<?, ?> blue = invokeOk("Blue", "{}");

        assertEquals("red", red.get("color"));
        assertEquals("navy", blue.get("color"), "the env-vars file's section for Blue");
        assertEquals("from-env-vars-file", red.get("shared"));
        assertEquals("sessions-local-Red", red.get("functionName"));
        assertEquals("256", red.get("memory"));
        assertEquals("512", blue.get("memory"));
        assertNull(red.get("maxConcurrency"), "AWS_LAMBDA_MAX_CONCURRENCY is never set");
        assertNotEquals(red.get("pid"), blue.get("pid"));
        assertEquals(Map.of("n", BigDecimal.ONE), red.get("input"));
        assertTrue(red.get("cwd").toString().endsWith("/Red"), "the artifact is the working directory");
        assertEquals(new BigDecimal(21), red.get("javaVersion"));
        assertTrue(((BigDecimal) red.get("maxHeapMb")).intValue() <= 218, "85 % of 256 MB: " + red.get("maxHeapMb"));
        assertTrue(((BigDecimal) red.get("remainingMs")).longValue() > 8_000);
    }

    @Test
    void givenWarmEnvironment_whenInvokedAgain_thenSameProcessServes() {
        Object first = invokeOk("Red", "{}").get("pid");

        assertEquals(first, invokeOk("Red", "{}").get("pid"));
    }

    @Test
    void givenWarmEnvironment_whenRecycled_thenTheNextInvocationStartsAFreshOne() {
        Object first = invokeOk("Red", "{}").get("pid");

        int ended = lambda.recycle("Red");

        assertTrue(ended >= 1, "the warm environment ended");
        assertEquals(0, lambda.environments("Red"));
        assertNotEquals(first, invokeOk("Red", "{}").get("pid"));
    }

    @Test
    void givenHandlerPastItsTimeout_whenInvoked_thenTimeoutErrorAndEnvironmentReplaced() {
        Object before = invokeOk("Sleepy", "{}").get("pid");

        try (Gate gate = new Gate()) { // never opened: the invocation runs past its 1 s
            InvocationResult result = lambda.invoke("Sleepy", gate.event().getBytes(StandardCharsets.UTF_8));

            gate.awaitHeld(1, Duration.ofSeconds(10));
            Map<?, ?> timeout = error(result);
            assertTrue(result.timedOut());
            assertEquals("Sandbox.Timedout", timeout.get("errorType"));
            assertTrue(timeout.get("errorMessage").toString().matches(
                    "RequestId: [0-9a-f-]{36} Error: Task timed out after 1\\.00 seconds"), timeout.toString());
        }
        assertNotEquals(before, invokeOk("Sleepy", "{}").get("pid"));
    }

    @Test
    void givenThrowingHandler_whenInvoked_thenLambdaErrorShapeWithExceptionType() {
        Map<?, ?> error = error(lambda.invoke("Throwing", "{}".getBytes(StandardCharsets.UTF_8)));

        assertEquals("java.lang.IllegalStateException", error.get("errorType"));
        assertEquals("boom", error.get("errorMessage"));
        assertTrue(error.get("stackTrace") instanceof List<?>);
    }

    @Test
    void givenCrashingHandler_whenInvoked_thenRuntimeExitError() {
        Map<?, ?> error = error(lambda.invoke("Exiting", "{}".getBytes(StandardCharsets.UTF_8)));

        assertEquals("Runtime.ExitError", error.get("errorType"));
        assertTrue(error.get("errorMessage").toString().endsWith("Error: Runtime exited with error: exit status 3"),
                error.toString());
    }

    @Test
    void givenFailingInit_whenInvoked_thenInitErrorReported() {
        Map<?, ?> error = error(lambda.invoke("BadInit", "{}".getBytes(StandardCharsets.UTF_8)));

        assertTrue(error.get("errorMessage").toString().contains("missing configuration")
                || String.valueOf(error.get("errorType")).startsWith("Runtime."), error.toString());
    }

    @Test
    void givenResponseOverSixMegabytes_whenInvoked_thenResponseSizeError() {
        Map<?, ?> error = error(lambda.invoke("Big", "{}".getBytes(StandardCharsets.UTF_8)));

        assertEquals("Function.ResponseSizeTooLarge", error.get("errorType"));
    }

    @Test
    void givenMoreConcurrentInvocationsThanTheMachinesEnvironments_whenServed_thenTheRestWaitAndAllAreServed()
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(20);
        try (Gate gate = new Gate()) {
            List<Future<InvocationResult>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(callers.submit(() -> lambda.invoke("Slow", gate.event().getBytes(StandardCharsets.UTF_8))));
            }
            gate.awaitHeld(4, Duration.ofSeconds(60));
            assertEquals(4, lambda.busyEnvironments("Slow"));
            assertEquals(0, results.stream().filter(Future::isDone).count(),
                    "past the machine's 4 environments the invocations wait: Lambda would start more, not throttle");
            gate.open();

            Set<Object> pids = new HashSet<>();
            for (Future<InvocationResult> future : results) {
                InvocationResult result = future.get();
                assertFalse(result.failed(), result.payloadText());
                Map<?, ?> answer = (Map<?, ?>) Json.parse(result.payloadText());
                pids.add(answer.get("pid"));
                assertEquals(BigDecimal.ONE, answer.get("mostAtOnce"), "an environment ran two invocations at once");
            }
            assertEquals(20, gate.arrivals(), "every invocation ran");
            assertTrue(pids.size() <= 4, "at most the machine's 4 environments: " + pids);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void givenReservedConcurrency_whenMoreInvocationsArrive_thenThosePastItAreThrottledAtOnce() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try (Gate gate = new Gate()) {
            List<Future<InvocationResult>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(callers.submit(() -> lambda.invoke("Reserved", gate.event().getBytes(StandardCharsets.UTF_8))));
            }
            gate.awaitHeld(2, Duration.ofSeconds(60));
            Poll.until(Duration.ofSeconds(30), "the four past ReservedConcurrentExecutions 2 answered while two are held",
                    () -> results.stream().filter(Future::isDone).count() == 4);
            long started = System.nanoTime();
            InvocationResult refused = lambda.invoke("Reserved", "{}".getBytes(StandardCharsets.UTF_8));
            long refusedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            gate.open();

            int throttled = 0;
            for (Future<InvocationResult> future : results) {
                InvocationResult result = future.get();
                if (result.throttled()) {
                    throttled++;
                    assertTrue(result.payloadText().contains("Rate Exceeded."), result.payloadText());
                    assertTrue(result.payloadText().contains("ReservedFunctionConcurrentInvocationLimitExceeded"),
                            result.payloadText());
                }
            }
            assertEquals(4, throttled, "the invocations past the reservation of 2 were throttled, not queued");
            assertTrue(refused.throttled(), refused.payloadText());
            assertTrue(refusedMillis < 1000, "refused at once, not after waiting: " + refusedMillis + " ms");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void givenTheAccountsConcurrencySpent_whenAFunctionWithoutAReservationIsInvoked_thenThrottledAsTheAccount(
            @TempDir Path dir) throws Exception {
        // an account of 3, of which Reserved keeps 2: the functions without a reservation share 1
        try (LocalLambda small = new LocalLambda(lambda.template(), new LocalLambda.Settings(build, runtime, 4,
                Duration.ofMinutes(5), Map.of("AWS_REGION", "eu-west-1"), Map.of(), (function, line) -> { },
                null, null, 3));
             Gate gate = new Gate()) {
            var held = CompletableFuture.supplyAsync(() -> small.invoke("Slow",
                    gate.event().getBytes(StandardCharsets.UTF_8)));
            gate.awaitHeld(1, Duration.ofSeconds(60));

            InvocationResult refused = small.invoke("Red", "{}".getBytes(StandardCharsets.UTF_8));

            assertTrue(refused.throttled(), refused.payloadText());
            assertTrue(refused.payloadText().contains("\"ConcurrentInvocationLimitExceeded\""), refused.payloadText());
            gate.open();
            assertFalse(held.get().failed());
            assertFalse(small.invoke("Red", "{}".getBytes(StandardCharsets.UTF_8)).failed(), "served once one is free");
        }
    }

    @Test
    void givenEveryEnvironmentOfTheMachineBusyPastTheWait_whenAcquired_thenAFailureThatNamesTheLocalLimit()
            throws Exception {
        LambdaFunction slow = lambda.template().function("Slow");
        FunctionArtifact artifact = FunctionArtifact.locate(build, "Slow");
        Map<String, String> environment = lambda.environmentOf(slow, artifact);
        try (EnvironmentPool pool = new EnvironmentPool(slow, Concurrency.reserved(10), 1, Duration.ofMillis(300),
                () -> ExecutionEnvironment.start(slow, artifact, runtime, environment, (id, line) -> { }, null));
             Gate gate = new Gate()) {
            EnvironmentPool.Lease busy = pool.acquire();
            var held = CompletableFuture.supplyAsync(() -> busy.environment().invoke(
                    gate.event().getBytes(StandardCharsets.UTF_8), "held"));
            gate.awaitHeld(1, Duration.ofSeconds(60));
            long started = System.nanoTime();

            EnvironmentPool.EnvironmentsBusy error = assertThrows(EnvironmentPool.EnvironmentsBusy.class, pool::acquire);

            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 300, "it waited for the bound");
            assertTrue(error.getMessage().contains("a limit of this machine, not Lambda's (--max-environments raises it)"),
                    error.getMessage());
            gate.open();
            assertFalse(held.get().failed());
            pool.release(busy);
            EnvironmentPool.Lease next = pool.acquire();
            assertEquals(busy.environment(), next.environment(), "the freed environment serves the next invocation");
            pool.release(next);
        }
    }

    @Test
    void givenFunctionWithoutArtifact_whenInvoked_thenToldToRunSamBuild() {
        TemplateException error = assertThrows(TemplateException.class, () -> lambda.check("Unbuilt"));

        assertTrue(error.getMessage().startsWith("no build artifact for Unbuilt at "), error.getMessage());
        assertTrue(error.getMessage().endsWith(": run sam build first"), error.getMessage());
    }

    @Test
    void givenInvocation_whenDone_thenStartEndAndReportLogged() {
        invokeOk("Red", "{}");

        assertTrue(LOG.stream().anyMatch(l -> l.startsWith("Red START RequestId: ")), LOG.toString());
        assertTrue(LOG.stream().anyMatch(l -> l.startsWith("Red REPORT RequestId: ") && l.contains("Duration: ")));
    }
}
