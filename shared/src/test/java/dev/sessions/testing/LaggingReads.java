package dev.sessions.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/lagging_reads.py} as the harness runs it: in front of an emulator, eventually
 * consistent reads and index queries answered from a copy that trails the writes (docs/design.md,
 * "Consistency"; the script says how).
 */
public final class LaggingReads {

    private static final Pattern LAG = Pattern.compile("\"lagMs\"\\s*:\\s*(\\d+)");

    private LaggingReads() {
    }

    /** Starts the proxy on a free loopback port in front of {@code endpoint}. */
    public static ServerProcess start(AwsEndpoint endpoint, Duration lag, Path log) {
        Path python = LocalServices.venv().resolve("bin/python");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("no Python in " + LocalServices.venv() + ": run scripts/setup");
        }
        Path script = Executables.projectRoot().resolve("scripts/lagging_reads.py");
        return ServerProcess.start("lagging-reads", List.of(python.toString(), script.toString(), "--upstream",
                endpoint.uri().toString(), "--lag-ms", Long.toString(lag.toMillis()), "-H", "127.0.0.1", "-p", "%PORT%",
                "--seed-region", endpoint.region().id(), "--verbose", "--parent-pid",
                Long.toString(ProcessHandle.current().pid())), log, null, realClockEnvironment());
    }

    /**
     * This process's environment without libfaketime (scripts/test-shifted runs the tests under it):
     * the lag is a span of real time, and a faked clock breaks the proxy's timed waits.
     */
    static java.util.Map<String, String> realClockEnvironment() {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.equals("LD_PRELOAD") || name.startsWith("FAKETIME")
                || name.equals("DONT_FAKE_MONOTONIC"));
        return env;
    }

    private static final Pattern PENDING = Pattern.compile("\"pending\"\\s*:\\s*(\\d+)");

    /**
     * Waits until the proxy at {@code endpoint} has replayed every write it was given: eventually
     * consistent reads then see all writes made before the call, as DynamoDB's do once its
     * replicas catch up.
     */
    public static void awaitCaughtUp(URI endpoint, Duration limit) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Poll.until(limit, "the lagging copy at " + endpoint + " to catch up with the writes", () -> {
            try {
                String status = client.send(HttpRequest.newBuilder(endpoint.resolve("/_lagging-reads"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher pending = PENDING.matcher(status);
                return pending.find() && pending.group(1).equals("0");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** The lag of an endpoint that is such a proxy already, or empty. */
    public static Optional<Duration> probe(URI endpoint) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> status = client.send(HttpRequest.newBuilder(endpoint.resolve("/_lagging-reads"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher lag = LAG.matcher(status.body());
            return status.statusCode() == 200 && lag.find() ? Optional.of(Duration.ofMillis(Long.parseLong(lag.group(1))))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
