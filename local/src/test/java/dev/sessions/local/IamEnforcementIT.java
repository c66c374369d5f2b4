package dev.sessions.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.EventFiles;
import dev.sessions.testing.Executables;
import dev.sessions.testing.LocalServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * IAM as {@code invoke} enforces it: the project's StatsFunction, built by {@code sam build}, run
 * as three functions whose template grants it its one call, grants it on another table only, or
 * denies it explicitly. Only the first is served; the others fail in the function with the
 * AccessDeniedException the SDK gets from AWS, as they would on AWS.
 */
@ExtendWith(LocalServices.class)
class IamEnforcementIT {

    private static Path template;
    private static Path build;
    private static String endpoint;

    @BeforeAll
    static void lay(AwsEndpoint aws, @TempDir Path dir) throws Exception {
        endpoint = aws.uri().toString();
        template = Files.copy(Path.of(IamEnforcementIT.class.getResource("/templates/iam.yaml").toURI()),
                dir.resolve("template.yaml"));
        Path stats = Path.of(System.getProperty("sessions.artifacts",
                Executables.projectRoot().resolve(".aws-sam/build").toString())).resolve("StatsFunction");
        build = Files.createDirectories(dir.resolve("build"));
        for (String function : List.of("Granted", "NotGranted", "Denied")) {
            Files.createSymbolicLink(build.resolve(function), stats.toAbsolutePath());
        }
        Files.write(dir.resolve("stats.json"), EventFiles.bytes("stats.json"));
        Outcome bootstrap = run("bootstrap");
        assertEquals(0, bootstrap.exit(), bootstrap.err());
    }

    private record Outcome(int exit, String out, String err) {
        Map<String, Object> response() {
            return Json.parseObject(out.strip(), 8);
        }

        int status() {
            return ((Number) response().get("statusCode")).intValue();
        }
    }

    private static Outcome run(String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(more));
        args.addAll(List.of("-t", template.toString(), "-b", build.toString(), "--endpoint-url", endpoint,
                "--stack-name", "iam", "--caller-credentials", template.resolveSibling("credentials").toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int exit;
        try {
            // the functions' own output goes to stderr, as sam local invoke puts it
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(stderr);
        }
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Outcome invoke(String function, String... more) {
        List<String> args = new ArrayList<>(List.of(function, "-e", template.resolveSibling("stats.json").toString()));
        args.addAll(List.of(more));
        return run("invoke", args.toArray(String[]::new));
    }

    @Test
    void givenTheGrant_whenInvoked_thenServed() {
        Outcome granted = invoke("Granted");

        assertEquals(0, granted.exit(), granted.err());
        assertEquals(200, granted.status(), granted.out());
        assertTrue(granted.err().contains("IAM: enforced"), granted.err());
    }

    @Test
    void givenTheActionOnAnotherTableOnly_whenInvoked_thenAccessDeniedInTheFunction() {
        Outcome denied = invoke("NotGranted");

        assertEquals(500, denied.status(), "a 5xx, as on AWS: " + denied.out());
        assertTrue(denied.err().contains("IAM: denied NotGranted dynamodb:BatchGetItem on arn:aws:dynamodb:"),
                denied.err());
        assertTrue(denied.err().contains("AccessDeniedException"), "the SDK's error in the function's log line: "
                + denied.err());
    }

    @Test
    void givenAnExplicitDeny_whenInvoked_thenDeniedThoughAWildcardAllows() {
        Outcome denied = invoke("Denied");

        assertEquals(500, denied.status(), denied.out());
        assertTrue(denied.err().contains("IAM: denied Denied dynamodb:BatchGetItem"), denied.err());
    }

    @Test
    void givenNoIam_whenInvoked_thenItSaysSoLoudlyAndTheCallGoesThrough() {
        Outcome open = invoke("NotGranted", "--no-iam");

        assertEquals(200, open.status(), open.out());
        assertTrue(open.err().contains("WARNING: IAM is OFF (--no-iam)"), open.err());
    }
}
