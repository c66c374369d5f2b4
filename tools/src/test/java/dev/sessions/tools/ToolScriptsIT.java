package dev.sessions.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.Executables;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.SessionsTableFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The operators' commands as an operator types them: scripts/rebuild-cache and scripts/revoke-sessions run this module. */
@ExtendWith(LocalServices.class)
class ToolScriptsIT {

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome script(String name, String... args) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<>(List.of("bash", Executables.projectRoot().resolve("scripts/" + name).toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), name + " did not finish");
        return new Outcome(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void givenAnIncompleteCommandLine_whenEitherScriptRuns_thenOneLineNamingWhatIsMissingAndExitTwo() throws Exception {
        Outcome rebuild = script("rebuild-cache", "--table", "sessions");
        Outcome revoke = script("revoke-sessions", "--table", "sessions");

        assertEquals(2, rebuild.exit(), rebuild.err());
        assertEquals(1, rebuild.err().lines().count(), rebuild.err());
        assertTrue(rebuild.err().contains("--redis-url") && rebuild.err().contains("usage: rebuild-cache"), rebuild.err());
        assertEquals(2, revoke.exit(), revoke.err());
        assertEquals(1, revoke.err().lines().count(), revoke.err());
        assertTrue(revoke.err().contains("--last-used-before") && revoke.err().contains("usage: revoke-sessions"), revoke.err());
    }

    @Test
    void givenATable_whenRevokeSessionsRunsDry_thenItScansItThroughTheEndpointGiven(AwsEndpoint aws) throws Exception {
        try (DynamoDbClient dynamo = aws.dynamoDb()) {
            String table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("script"));
            try {
                Outcome dry = script("revoke-sessions", "--table", table, "--last-used-before", Instant.now().toString(),
                        "--endpoint-url", aws.uri().toString(), "--region", aws.region().id(), "--dry-run");

                assertEquals(0, dry.exit(), dry.err());
                assertEquals("scanned 0, would revoke 0, used since 0\n", dry.out(), dry.err());
            } finally {
                dynamo.deleteTable(b -> b.tableName(table));
            }
        }
    }
}
