package dev.sessions.local;

import dev.sessions.local.iam.Roles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DynamoDB's read consistency in front of the emulator: {@code scripts/lagging_reads.py} as a
 * child process on a free loopback port, so that eventually consistent reads and index queries
 * trail the writes (by default {@link #DEFAULT_LAG}) as they do on DynamoDB. The emulators answer
 * every read with the latest write; code that relies on that passes locally and fails on AWS.
 */
final class LaggingReads implements AutoCloseable {

    /** A lag a person notices: DynamoDB's replicas usually catch up within a second. */
    static final Duration DEFAULT_LAG = Duration.ofSeconds(1);

    private static final Pattern LAG = Pattern.compile("\"lagMs\"\\s*:\\s*(\\d+)");
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final Process process;
    private final URI uri;

    private LaggingReads(Process process, URI uri) {
        this.process = process;
        this.uri = uri;
    }

    /** The proxy's endpoint: point every DynamoDB client here. */
    URI uri() {
        return uri;
    }

    /**
     * Starts the proxy in front of {@code upstream}.
     *
     * @param region the region whose tables the copy starts from
     * @param logFile where the proxy's own lines go
     * @throws LocalRuntimeException when it cannot start (no Python, no script, the endpoint down)
     */
    static LaggingReads start(URI upstream, Duration lag, String region, Path logFile) {
        Path python = Roles.venvPython();
        if (python == null) {
            throw new LocalRuntimeException("lagging reads need the project's Python (.venv): run scripts/setup, or"
                    + " pass --no-read-lag");
        }
        Path script = script();
        int port = freePort();
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(python.toString(), script.toString(), "--upstream", upstream.toString(),
                    "--lag-ms", Long.toString(lag.toMillis()), "-H", "127.0.0.1", "-p", Integer.toString(port),
                    "--seed-region", region, "--parent-pid", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // the lag is a span of real time: a clock faked for the functions (libfaketime) stays out
            builder.environment().keySet().removeIf(name -> name.equals("LD_PRELOAD") || name.startsWith("FAKETIME")
                    || name.equals("DONT_FAKE_MONOTONIC"));
            Process process = builder.start();
            LaggingReads started = new LaggingReads(process, URI.create("http://127.0.0.1:" + port));
            started.awaitListening(port, logFile);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + script, e);
        }
    }

    /** The lag of an endpoint that is such a proxy already (scripts/run's, a test's), or empty. */
    static Optional<Duration> probe(URI endpoint) {
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

    /** Whether {@code endpoint} is DynamoDB itself, whose reads lag on their own. */
    static boolean isAws(URI endpoint) {
        return endpoint.getHost() != null && endpoint.getHost().endsWith("amazonaws.com");
    }

    /** The script: under {@code -Dsessions.root}, else in the repository this tool was built in. */
    static Path script() {
        String root = System.getProperty("sessions.root");
        if (root != null) {
            return existing(Path.of(root, "scripts", "lagging_reads.py"));
        }
        try {
            Path code = Path.of(LaggingReads.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = code; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve("scripts").resolve("lagging_reads.py");
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        throw new LocalRuntimeException("scripts/lagging_reads.py not found above " + new File(".").getAbsolutePath()
                + ": set -Dsessions.root to the repository, or pass --no-read-lag");
    }

    private static Path existing(Path script) {
        if (!Files.isRegularFile(script)) {
            throw new LocalRuntimeException(script + " not found: is -Dsessions.root the repository?");
        }
        return script;
    }

    private void awaitListening(int port, Path logFile) {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new LocalRuntimeException("lagging reads exited before listening: " + lastLine(logFile));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close();
        throw new LocalRuntimeException("lagging reads did not listen on 127.0.0.1:" + port + " within " + START_LIMIT
                + " (log: " + logFile + ")");
    }

    private static String lastLine(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return lines.isEmpty() ? "(no output; log: " + logFile + ")" : lines.getLast();
        } catch (IOException e) {
            return "(log " + logFile + " unreadable)";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Stops the proxy by its process id. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
