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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command: it brings up its own emulator, Redis and runtime, serves (with
 * {@code --with-example}, the orders service beside it, guarded by the session authorizer), and on
 * SIGTERM leaves nothing behind (no JVM, server or poller).
 */
class RunScriptIT {

    @Test
    void givenRunScript_whenServingAndTerminated_thenEverythingItStartedIsGone() throws Exception {
        Path root = Executables.projectRoot();
        int port = freePorts(3); // the sessions API, the orders service's, the sign-out audit's
        // the DynamoDB switches, each not its default: the runtime says what it runs with
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("scripts/run").toString(), "--no-build",
                "--with-example", "--port", Integer.toString(port), "--read-lag-ms", "800",
                "--transaction-hold-ms", "60", "--ttl-delete-after-ms", "900")
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
            walkThrough(http, "http://127.0.0.1:" + port, "http://127.0.0.1:" + (port + 1));
            Path log = root.resolve("local/target/run-script-it.log");
            String said = java.nio.file.Files.readString(log);
            for (String line : List.of("trail the writes by 800 or 400 ms", "hold their items 60 ms",
                    "TTL deletes an item 900 ms after it expires")) {
                assertTrue(said.contains(line), "the runtime got the switch: " + line);
            }
            // the walk-through's sign-out reached the audit beside: the stream, the bus, its rule, its function
            Poll.until(Duration.ofSeconds(60), "the sign-out audited", () -> {
                try {
                    return java.nio.file.Files.readString(log).contains("sign-out audited");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
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

    @Test
    void givenAnUnknownOptionOrAMissingValue_whenRun_thenOneLineNamingTheOptionsAndNothingStarted() throws Exception {
        Path root = Executables.projectRoot();
        Map<List<String>, String> refusals = Map.of(List.of("--no-such-thing"), "error: unknown option --no-such-thing (",
                List.of("--ttl-delete-after-ms"), "error: --ttl-delete-after-ms needs a value (",
                List.of("--port", "--no-iam"), "error: --port needs a value (");
        for (List<String> args : refusals.keySet()) {
            List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("scripts/run").toString(),
                    "--no-build"));
            command.addAll(args);
            Process run = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
            String output = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

            assertTrue(run.waitFor(30, TimeUnit.SECONDS), "refused at once: " + output);
            assertTrue(run.exitValue() != 0, output);
            assertEquals(1, output.strip().lines().count(), output);
            assertTrue(output.startsWith(refusals.get(args)), output);
        }
    }

    /** The README's curl walk-through: a session, GET /me, the orders service, the session ended. */
    private static void walkThrough(HttpClient http, String api, String orders) throws Exception {
        HttpResponse<String> created = send(http, "POST", api + "/sessions", "{\"principal\":\"alice\"}",
                "Content-Type", "application/json");
        assertEquals(201, created.statusCode(), created.body());
        String token = created.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        HttpResponse<String> me = send(http, "GET", api + "/me", null, "Authorization", "Bearer " + token);
        assertEquals(200, me.statusCode(), me.body());
        assertTrue(me.body().contains("\"principal\":\"alice\""), me.body());
        assertEquals(403, send(http, "GET", api + "/me", null).statusCode(), "no session");
        HttpResponse<String> placed = Poll.answer(Duration.ofSeconds(60), "the orders service serving", http,
                request("POST", orders + "/orders", "{\"item\":\"book\",\"quantity\":1}", "Authorization",
                        "Bearer " + token));
        assertEquals(201, placed.statusCode(), placed.body());
        assertEquals(403, send(http, "GET", orders + "/orders", null).statusCode(), "no session");
        assertEquals(204, send(http, "DELETE", api + "/sessions/current", null, "Authorization", "Bearer " + token)
                .statusCode());
        assertEquals(403, send(http, "GET", api + "/me", null, "Authorization", "Bearer " + token).statusCode(), "ended");
        assertEquals(403, send(http, "GET", orders + "/orders", null, "Authorization", "Bearer " + token).statusCode(),
                "ended, for the other service too");
    }

    private static HttpRequest request(String method, String url, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request.build();
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String body, String... headers)
            throws Exception {
        return http.send(request(method, url, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    /** A free port whose next {@code count - 1} are free too: the stacks beside the first are served there. */
    private static int freePorts(int count) throws java.io.IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = ServerProcess.freePort();
            List<java.net.ServerSocket> held = new java.util.ArrayList<>();
            try {
                for (int next = 1; next < count; next++) {
                    held.add(new java.net.ServerSocket(port + next, 1, java.net.InetAddress.getLoopbackAddress()));
                }
                return port;
            } catch (java.io.IOException taken) {
                // try another
            } finally {
                for (java.net.ServerSocket socket : held) {
                    socket.close();
                }
            }
        }
        throw new IllegalStateException("no " + count + " free ports in a row on 127.0.0.1");
    }
}
