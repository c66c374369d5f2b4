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
 * DynamoDB as AWS runs it, in front of the emulator: {@code scripts/dynamodb_fidelity.py} as a
 * child process on a free loopback port. Eventually consistent reads and index queries trail the
 * writes (indexes item by item), transactions hold their items (a write meets
 * {@code TransactionConflictException}), TTL deletes expired items with the stream records DynamoDB
 * writes for it. The emulators do none of it; code that relies on that passes locally and fails on
 * AWS.
 */
final class DynamoDbFidelity implements AutoCloseable {

    /**
     * What the proxy emulates.
     *
     * @param readLag how far eventual reads trail the writes (the older of two copies; zero: off)
     * @param transactionHold how long a transaction holds its items (zero: no conflicts)
     * @param ttlDeleteAfter how long after expiry TTL deletes an item, or {@code null} for never
     */
    record Settings(Duration readLag, Duration transactionHold, Duration ttlDeleteAfter) {

        /** A lag a person notices (DynamoDB's replicas usually catch up within a second), a hold as long as a transaction. */
        static final Settings DEFAULTS = new Settings(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(1));

        boolean nothing() {
            return readLag.isZero() && transactionHold.isZero() && ttlDeleteAfter == null;
        }

        Settings withReadLag(Duration lag) {
            return new Settings(lag, transactionHold, ttlDeleteAfter);
        }

        Settings withTransactionHold(Duration hold) {
            return new Settings(readLag, hold, ttlDeleteAfter);
        }

        Settings withTtlDeleteAfter(Duration after) {
            return new Settings(readLag, transactionHold, after);
        }

        /** What the run will show of DynamoDB, and loudly what it will not, a line each. */
        List<String> describe() {
            return List.of(readLag.isZero()
                            ? "WARNING: reads do NOT lag (--no-read-lag): every eventually consistent read and index query"
                            + " sees the latest write, which DynamoDB does not promise. Code that works here can fail on AWS."
                            : "Reads: eventually consistent reads trail the writes by " + readLag.toMillis() + " or "
                            + readLag.toMillis() / 2 + " ms, indexes by " + readLag.toMillis()
                            + " ms item by item, as on DynamoDB (--read-lag-ms, --no-read-lag)",
                    transactionHold.isZero()
                            ? "WARNING: transactions do NOT conflict (--no-transaction-conflicts): no write meets the"
                            + " TransactionConflictException DynamoDB gives while a transaction holds its item."
                            : "Transactions hold their items " + transactionHold.toMillis() + " ms: a write of one meets"
                            + " TransactionConflictException, as on DynamoDB (--transaction-hold-ms,"
                            + " --no-transaction-conflicts)",
                    ttlDeleteAfter == null
                            ? "WARNING: TTL does NOT delete (--no-ttl-deletes): expired items stay, and their stream"
                            + " REMOVE records never come."
                            : "TTL deletes an item " + ttlDeleteAfter.toMillis() + " ms after it expires (DynamoDB: within"
                            + " days), with DynamoDB's service identity on the stream (--ttl-delete-after-ms,"
                            + " --no-ttl-deletes)");
        }
    }

    private static final Pattern LAG = Pattern.compile("\"lagMs\"\\s*:\\s*(\\d+)");
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final Process process;
    private final URI uri;

    private DynamoDbFidelity(Process process, URI uri) {
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
     * @param region the region whose tables the copies start from
     * @param logFile where the proxy's own lines go
     * @throws LocalRuntimeException when it cannot start (no Python, no script, the endpoint down)
     */
    static DynamoDbFidelity start(URI upstream, Settings settings, String region, Path logFile) {
        Path python = Roles.venvPython();
        if (python == null) {
            throw new LocalRuntimeException("DynamoDB's fidelity proxy needs the project's Python (.venv): run"
                    + " scripts/setup");
        }
        Path script = script();
        int port = freePort();
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(python.toString(), script.toString(), "--upstream", upstream.toString(),
                    "--lag-ms", Long.toString(settings.readLag().toMillis()),
                    "--transaction-hold-ms", Long.toString(settings.transactionHold().toMillis()),
                    "--ttl-delete-after-ms", settings.ttlDeleteAfter() == null ? "-1"
                            : Long.toString(settings.ttlDeleteAfter().toMillis()),
                    "-H", "127.0.0.1", "-p", Integer.toString(port),
                    "--seed-region", region, "--parent-pid", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // the lags are spans of real time: a clock faked for the functions (libfaketime) stays out
            builder.environment().keySet().removeIf(name -> name.equals("LD_PRELOAD") || name.startsWith("FAKETIME")
                    || name.equals("DONT_FAKE_MONOTONIC"));
            Process process = builder.start();
            DynamoDbFidelity started = new DynamoDbFidelity(process, URI.create("http://127.0.0.1:" + port));
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
            HttpResponse<String> status = client.send(HttpRequest.newBuilder(endpoint.resolve("/_dynamodb-fidelity"))
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
            return existing(Path.of(root, "scripts", "dynamodb_fidelity.py"));
        }
        try {
            Path code = Path.of(DynamoDbFidelity.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = code; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve("scripts").resolve("dynamodb_fidelity.py");
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        throw new LocalRuntimeException("scripts/dynamodb_fidelity.py not found above " + new File(".").getAbsolutePath()
                + ": set -Dsessions.root to the repository");
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
                throw new LocalRuntimeException("the DynamoDB fidelity proxy exited before listening: " + lastLine(logFile));
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
        throw new LocalRuntimeException("the DynamoDB fidelity proxy did not listen on 127.0.0.1:" + port + " within " + START_LIMIT
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
