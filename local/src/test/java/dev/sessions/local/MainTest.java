package dev.sessions.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to the command line: each a one-line error and a non-zero exit, before anything starts. */
class MainTest {

    private record Outcome(int exit, String out, List<String> errorLines) {
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private static Path fixtureTemplate() throws Exception {
        return Path.of(MainTest.class.getResource("/templates/runtime.yaml").toURI());
    }

    @Test
    void givenNoIssuerOrNoSubject_whenATokenIsMinted_thenOneLineAndExitOne(@TempDir Path dir) {
        Outcome noIssuer = run("mint-token", "alice", "--local-issuer", dir.toString());
        Outcome noSubject = run("mint-token", "--scope", "sessions/create");
        Outcome badTtl = run("mint-token", "alice", "--ttl-seconds", "-5");

        for (Outcome outcome : List.of(noIssuer, noSubject, badTtl)) {
            assertEquals(1, outcome.exit());
            assertEquals(1, outcome.errorLines().size(), outcome.errorLines().toString());
        }
        assertEquals(List.of("error: no local issuer in " + dir + ": start it with scripts/run --jwt"), noIssuer.errorLines());
    }

    @Test
    void givenARunningIssuer_whenATokenIsMinted_thenItsSignedForItWithTheSubjectAndScope(@TempDir Path dir) {
        try (var issuer = dev.sessions.local.auth.LocalIssuer.start(dir, 0)) {
            Outcome minted = run("mint-token", "alice", "--scope", "sessions/create", "--local-issuer", dir.toString());

            assertEquals(0, minted.exit(), minted.errorLines().toString());
            String[] parts = minted.out().trim().split("\\.");
            assertEquals(3, parts.length);
            var claims = dev.sessions.json.Json.parseObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1]),
                    java.nio.charset.StandardCharsets.UTF_8), 4);
            assertEquals(issuer.url(), claims.get("iss"));
            assertEquals("alice", claims.get("sub"));
            assertEquals("sessions/create", claims.get("scope"));
        }
    }

    @Test
    void givenAStackBesideAndAnOverrideNoTemplateDeclares_whenStarted_thenOneLineNamingItAndNothingStarts(
            @TempDir Path dir) throws Exception {
        Path beside = Files.createDirectories(dir.resolve("team"));
        Files.writeString(beside.resolve("template.yaml"), "Parameters:\n  Own: {Type: String, Default: x}\nResources: {}\n");
        Path template = Files.writeString(dir.resolve("first.yaml"), "Parameters:\n  First: {Type: String, Default: y}\n"
                + "Resources: {}\n");

        Outcome typo = run("start-api", "-t", template.toString(), "--with-stack", beside.toString(),
                "--parameter-overrides", "First=1", "Own=2", "Typo=3", "--no-iam", "--port", "0");
        Outcome missing = run("start-api", "-t", template.toString(), "--with-stack", dir.resolve("nowhere").toString(),
                "--no-iam", "--port", "0");

        assertEquals(1, typo.exit());
        assertEquals(List.of("error: parameter override Typo names no parameter of " + template
                + " or of the --with-stack templates"), typo.errorLines());
        assertEquals(1, missing.exit());
        assertEquals(List.of("error: template not found: " + dir.resolve("nowhere").resolve("template.yaml")),
                missing.errorLines());
    }

    @Test
    void givenTemplateThatDoesNotExist_whenInvoked_thenOneLineAndExitOne(@TempDir Path dir) {
        Outcome outcome = run("invoke", "Red", "-t", dir.resolve("missing.yaml").toString());

        assertEquals(1, outcome.exit());
        assertEquals(List.of("error: template not found: " + dir.resolve("missing.yaml")), outcome.errorLines());
    }

    @Test
    void givenMalformedTemplate_whenInvoked_thenOneLineAndExitOne(@TempDir Path dir) throws IOException {
        Path template = Files.writeString(dir.resolve("t.yaml"), "Resources: [\n  nope: {\n");

        Outcome outcome = run("invoke", "Red", "-t", template.toString());

        assertEquals(1, outcome.exit());
        assertEquals(1, outcome.errorLines().size());
        assertTrue(outcome.errorLines().getFirst().startsWith("error: template is not valid YAML: "));
    }

    @Test
    void givenUnknownLogicalId_whenInvoked_thenNamesTheFunctionsThereAre() throws Exception {
        Outcome outcome = run("invoke", "Nope", "-t", fixtureTemplate().toString());

        assertEquals(1, outcome.exit());
        assertEquals(1, outcome.errorLines().size());
        assertTrue(outcome.errorLines().getFirst().startsWith("error: no function Nope in "), outcome.errorLines().toString());
        assertTrue(outcome.errorLines().getFirst().contains("functions: Responder, Red, Blue"));
    }

    @Test
    void givenNoBuildArtifact_whenInvoked_thenToldToRunSamBuild(@TempDir Path dir) throws Exception {
        Outcome outcome = run("invoke", "Red", "-t", fixtureTemplate().toString(), "-b", dir.toString());

        assertEquals(1, outcome.exit());
        assertEquals(List.of("error: no build artifact for Red at " + dir.resolve("Red") + ": run sam build first"),
                outcome.errorLines());
    }

    @Test
    void givenEventFileThatIsNotJson_whenInvoked_thenOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Path event = Files.writeString(dir.resolve("event.json"), "{\"routeKey\": GET /}");

        Outcome outcome = run("invoke", "Red", "-t", fixtureTemplate().toString(), "-e", event.toString());

        assertEquals(1, outcome.exit());
        assertEquals(1, outcome.errorLines().size());
        assertTrue(outcome.errorLines().getFirst().startsWith("error: event file " + event + " is not JSON: "));
    }

    @Test
    void givenEventFileThatDoesNotExist_whenInvoked_thenOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Outcome outcome = run("invoke", "Red", "-t", fixtureTemplate().toString(), "-e", dir.resolve("no.json").toString());

        assertEquals(List.of("error: event file not found: " + dir.resolve("no.json")), outcome.errorLines());
    }

    @Test
    void givenPortInUse_whenStartApi_thenOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Path build = FixtureArtifacts.build(dir.resolve("build"), "Responder", "Sleepy", "Slow", "Reserved", "Throwing");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Outcome outcome = run("start-api", "-t", fixtureTemplate().toString(), "-b", build.toString(),
                    "--port", Integer.toString(busy.getLocalPort()), "--no-streams");

            assertEquals(1, outcome.exit());
            assertEquals(List.of("error: port " + busy.getLocalPort() + " on 127.0.0.1 is in use: stop what holds it"
                    + " or pass --port"), outcome.errorLines());
        }
    }

    @Test
    void givenUnknownOptionOrCommand_whenRun_thenUsageErrorExitTwo() {
        Outcome option = run("invoke", "Red", "--bogus");
        Outcome command = run("deploy");
        Outcome badNumber = run("start-api", "--port", "eighty");

        assertEquals(2, option.exit());
        assertEquals("error: unknown option --bogus", option.errorLines().getFirst());
        assertEquals(2, command.exit());
        assertEquals("error: unknown command deploy (invoke, start-api, start-lambda, bootstrap, mint-token)", command.errorLines().getFirst());
        assertEquals("error: --port takes a whole number, not eighty", badNumber.errorLines().getFirst());
    }

    @Test
    void givenDynamoDbOptions_whenParsed_thenEachEmulationOnByDefaultOffByItsFlagAndABadValueRefused() {
        DynamoDbFidelity.Settings defaults = CommandLine.parse(new String[] {"start-api"}).dynamodb();
        DynamoDbFidelity.Settings off = CommandLine.parse(new String[] {"start-api", "--no-read-lag",
                "--no-transaction-conflicts", "--no-ttl-deletes"}).dynamodb();
        DynamoDbFidelity.Settings set = CommandLine.parse(new String[] {"start-api", "--read-lag-ms", "250",
                "--transaction-hold-ms", "20", "--ttl-delete-after-ms", "0"}).dynamodb();

        assertEquals(new DynamoDbFidelity.Settings(java.time.Duration.ofSeconds(1), java.time.Duration.ofMillis(50),
                java.time.Duration.ofSeconds(1)), defaults);
        assertTrue(off.nothing());
        assertEquals(3, off.describe().stream().filter(line -> line.startsWith("WARNING: ")).count(), off.describe()
                .toString());
        assertEquals(new DynamoDbFidelity.Settings(java.time.Duration.ofMillis(250), java.time.Duration.ofMillis(20),
                java.time.Duration.ZERO), set);

        Outcome negative = run("start-api", "--read-lag-ms", "-5");

        assertEquals(2, negative.exit());
        assertEquals("error: --read-lag-ms must be from 0 to 60000", negative.errorLines().getFirst());
    }

    @Test
    void givenHelp_whenRun_thenUsageOnStdout() {
        Outcome outcome = run("help");

        assertEquals(0, outcome.exit());
        assertTrue(outcome.out().startsWith("usage: local <command>"));
    }
}
