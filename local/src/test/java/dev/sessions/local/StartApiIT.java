package dev.sessions.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.testing.Executables;
import dev.sessions.testing.Poll;
import dev.sessions.testing.ServerProcess;
import java.io.File;
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
 * The run command's server as users start it: a separate process serving the project's own
 * template from its {@code sam build} artifacts, stopped by SIGTERM with nothing left behind.
 */
class StartApiIT {

    @Test
    void givenStartApi_whenHelloRequestedAndStopped_thenHelloServedAndNoEnvironmentOutlivesIt() throws Exception {
        Path root = Executables.projectRoot();
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String lib = root.resolve("local/target/lib").toString() + File.separator + "*";
        int port = ServerProcess.freePort();
        Path build = Path.of(System.getProperty("sessions.artifacts", root.resolve(".aws-sam/build").toString()));
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsessions.ric=" + root.resolve("local/target/ric"), "-Dsessions.venv=" + System.getProperty("sessions.venv"),
                "-cp", classes + File.pathSeparator + lib, Main.class.getName(), "start-api", "--no-streams",
                "--port", Integer.toString(port), "-t", root.resolve("template.yaml").toString(), "-b", build.toString())
                .redirectErrorStream(true).redirectOutput(root.resolve("local/target/start-api-it.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest hello = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                    .timeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> response = Poll.answer(Duration.ofSeconds(60), "GET /hello answered", http, hello);

            assertEquals(200, response.statusCode());
            assertEquals("Hello, World!", response.body());
            assertEquals("text/plain; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
            List<ProcessHandle> environments = server.descendants().toList();
            assertFalse(environments.isEmpty(), "the function ran in a JVM of its own");

            server.destroy(); // SIGTERM, as Ctrl-C or a service manager stops it

            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "start-api stopped on SIGTERM");
            Poll.until(Duration.ofSeconds(10), "no environment JVM left", () -> environments.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
        }
    }
}
