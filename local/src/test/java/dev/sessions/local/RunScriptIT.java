package dev.sessions.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.testing.Executables;
import dev.sessions.testing.Poll;
import dev.sessions.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command: it brings up its own emulator, Redis and runtime, serves, and on
 * SIGTERM leaves nothing behind (no JVM, server or poller).
 */
class RunScriptIT {

    @Test
    void givenRunScript_whenServingAndTerminated_thenEverythingItStartedIsGone() throws Exception {
        Path root = Executables.projectRoot();
        int port = ServerProcess.freePort();
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("scripts/run").toString(), "--no-build",
                "--port", Integer.toString(port))
                .directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(root.resolve("local/target/run-script-it.log").toFile());
        builder.environment().remove("AWS_ENDPOINT_URL"); // the script starts its own emulator
        builder.environment().remove("REDIS_URL");
        Process run = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest hello = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                    .timeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> response = Poll.answer(Duration.ofSeconds(120), "scripts/run serving /hello", http, hello);
            assertEquals(200, response.statusCode());
            List<ProcessHandle> started = run.descendants().toList();
            assertTrue(started.size() >= 4, "emulator, redis-server, runtime and a function JVM: " + started.size());

            run.destroy(); // SIGTERM

            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "scripts/run stopped on SIGTERM");
            Poll.until(Duration.ofSeconds(20), "every process it started gone",
                    () -> started.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
    }
}
