package dev.sessions.local.runtime;

import static dev.sessions.testing.JsonAssertions.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.template.LambdaFunction;
import dev.sessions.local.template.Template;
import dev.sessions.testing.Executables;
import dev.sessions.testing.ServerProcess;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Holds the local runtime to AWS's own Runtime Interface Emulator (what {@code sam local} runs in
 * its containers): the same artifacts and events through both must give the same bodies and
 * error shapes. The emulator is built by scripts/setup from the Go module proxy.
 */
class RieConformanceIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path build;
    private static JavaRuntime java;
    private static LocalLambda fixtures;
    private static LocalLambda project;
    private static Template fixtureTemplate;
    private static Template projectTemplate;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        java = FixtureArtifacts.javaRuntime(dir.resolve("scratch"));
        build = FixtureArtifacts.build(dir.resolve("build"), "Responder", "Throwing", "Red");
        fixtureTemplate = Template.load(Path.of(RieConformanceIT.class.getResource("/templates/runtime.yaml").toURI()),
                Map.of(), Template.Settings.defaults());
        projectTemplate = Template.load(Executables.projectRoot().resolve("template.yaml"), Map.of(),
                Template.Settings.defaults());
        fixtures = new LocalLambda(fixtureTemplate, settings(build));
        project = new LocalLambda(projectTemplate, settings(Path.of(System.getProperty("sessions.artifacts",
                Executables.projectRoot().resolve(".aws-sam/build").toString()))));
    }

    private static LocalLambda.Settings settings(Path buildDir) {
        return new LocalLambda.Settings(buildDir, java, 1, Duration.ofMinutes(5), Map.of(), Map.of(), (f, l) -> { });
    }

    @AfterAll
    static void stop() {
        fixtures.close();
        project.close();
    }

    static Path rie() {
        String configured = System.getProperty("sessions.rie");
        Path rie = configured != null ? Path.of(configured) : Executables.projectRoot().resolve(".tools/bin/aws-lambda-rie");
        if (!Files.isExecutable(rie)) {
            fail("aws-lambda-rie not found at " + rie + ": run scripts/setup, which builds it with `go install`"
                    + " (needs Go), or pass -Dsessions.rie=<path>");
        }
        return rie;
    }

    /** What the emulator answers for one invocation of {@code function} from {@code artifactDir}. */
    private static String throughRie(LambdaFunction function, Path artifactDir, byte[] event, Path logDir) throws Exception {
        FunctionArtifact artifact = FunctionArtifact.locate(artifactDir, function.logicalId());
        String classpath = String.join(File.pathSeparator, List.of(artifact.directory().resolve("lib") + File.separator + "*",
                String.join(File.pathSeparator, java.ricClasspath().stream().map(Path::toString).toList())));
        Map<String, String> env = new java.util.HashMap<>(function.environment());
        env.put("PATH", "/usr/bin:/bin");
        try (ServerProcess rie = ServerProcess.start("rie-" + function.logicalId(), List.of(rie().toString(),
                "--runtime-interface-emulator-address", "127.0.0.1:%PORT%", java.java().toString(), "-cp", classpath,
                JavaRuntime.MAIN_CLASS, function.handler()), logDir.resolve("rie-" + function.logicalId() + ".log"),
                artifact.directory(), env)) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rie.port()
                    + "/2015-03-31/functions/function/invocations")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(event)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static void assertSameAnswer(LocalLambda lambda, Template template, Path artifacts, String functionId,
                                         String event, Path logDir) throws Exception {
        byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
        String reference = throughRie(template.function(functionId), artifacts, bytes, logDir);
        InvocationResult local = lambda.invoke(functionId, bytes);
        Map<?, ?> expected = asMap(reference);
        Map<?, ?> actual = asMap(local.payloadText());
        if (expected.containsKey("errorType")) {
            assertTrue(local.failed(), "the emulator reported an error: " + reference);
            assertEquals(expected.get("errorType"), actual.get("errorType"));
            assertEquals(expected.get("errorMessage"), actual.get("errorMessage"));
            assertTrue(actual.get("stackTrace") instanceof List<?>, "stackTrace is a list as in " + reference);
        } else {
            assertJsonEquals(Json.parse(reference), Json.parse(local.payloadText()));
        }
    }

    private static Map<?, ?> asMap(String json) {
        return Json.parse(json) instanceof Map<?, ?> map ? map : Map.of();
    }

    @Test
    void givenHelloFunctionAndItsEvent_whenInvokedThroughBoth_thenSameResponse(@TempDir Path logs) throws Exception {
        String event = Files.readString(Executables.projectRoot().resolve("events/hello.json"));
        Path artifacts = Path.of(System.getProperty("sessions.artifacts",
                Executables.projectRoot().resolve(".aws-sam/build").toString()));

        assertSameAnswer(project, projectTemplate, artifacts, "HelloFunction", event, logs);
    }

    @Test
    void givenEventTheHandlerCannotRead_whenInvokedThroughBoth_thenSameSerializationError(@TempDir Path logs) throws Exception {
        Path artifacts = Path.of(System.getProperty("sessions.artifacts",
                Executables.projectRoot().resolve(".aws-sam/build").toString()));

        assertSameAnswer(project, projectTemplate, artifacts, "HelloFunction", "[1,2", logs);
    }

    @Test
    void givenThrowingHandler_whenInvokedThroughBoth_thenSameErrorShape(@TempDir Path logs) throws Exception {
        assertSameAnswer(fixtures, fixtureTemplate, build, "Throwing", "{}", logs);
    }

    @Test
    void givenStreamHandler_whenInvokedThroughBoth_thenSameBytes(@TempDir Path logs) throws Exception {
        String event = "{\"headers\":{\"x-respond\":\"{\\\"statusCode\\\":201,\\\"body\\\":\\\"é\\\"}\"}}";

        assertSameAnswer(fixtures, fixtureTemplate, build, "Responder", event, logs);
    }
}
