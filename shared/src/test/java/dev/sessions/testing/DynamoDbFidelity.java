package dev.sessions.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/dynamodb_fidelity.py} as the harness runs it: in front of an emulator, DynamoDB as
 * AWS runs it (the script says how): eventually consistent reads and index queries answered from
 * copies that trail the writes, indexes that trail item by item, transactions that hold their
 * items, TTL deletes (docs/design.md, "Consistency").
 */
public final class DynamoDbFidelity {

    private static final Pattern LAG = Pattern.compile("\"lagMs\"\\s*:\\s*(\\d+)");
    private static final Pattern PENDING = Pattern.compile("\"pending\"\\s*:\\s*(\\d+)");
    private static final Pattern NUMBER = Pattern.compile("\"%s\"\\s*:\\s*(-?\\d+)");

    private DynamoDbFidelity() {
    }

    /**
     * What the proxy emulates.
     *
     * @param readLag how far the older read copy trails the writes (the fresher one half that); zero
     *     turns lagging reads and indexes off
     * @param indexLag how far global indexes trail, or {@code null} for {@code readLag}
     * @param indexSpread how far apart one write's items reach an index, or {@code null} for {@code readLag}
     * @param transactionHold how long a transaction holds its items; zero for no conflicts
     * @param ttlDeleteAfter how long after its TTL an item is deleted, or {@code null} for never
     */
    public record Settings(Duration readLag, Duration indexLag, Duration indexSpread, Duration transactionHold,
                           Duration ttlDeleteAfter) {

        /** The defaults, as scripts/run and the local runtime use them. */
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(1), null, null, Duration.ofMillis(50),
                Duration.ofSeconds(1));

        /**
         * The defaults, but as the environment says: {@code SESSIONS_READ_LAG_MS},
         * {@code SESSIONS_TRANSACTION_HOLD_MS} (0 turns either off) and
         * {@code SESSIONS_TTL_DELETE_AFTER_MS} (-1 turns it off).
         */
        public static Settings fromEnvironment() {
            return new Settings(millis("SESSIONS_READ_LAG_MS", DEFAULTS.readLag(), 0), null, null,
                    millis("SESSIONS_TRANSACTION_HOLD_MS", DEFAULTS.transactionHold(), 0),
                    millis("SESSIONS_TTL_DELETE_AFTER_MS", DEFAULTS.ttlDeleteAfter(), -1));
        }

        public Settings withReadLag(Duration lag, Duration indexLag, Duration indexSpread) {
            return new Settings(lag, indexLag, indexSpread, transactionHold, ttlDeleteAfter);
        }

        public Settings withTransactionHold(Duration hold) {
            return new Settings(readLag, indexLag, indexSpread, hold, ttlDeleteAfter);
        }

        /** Whether nothing at all is emulated: then no proxy is needed. */
        boolean nothing() {
            return readLag.isZero() && transactionHold.isZero() && ttlDeleteAfter == null;
        }

        /** One line per emulation turned off: what DynamoDB does that the run will not show. */
        List<String> warnings() {
            List<String> off = new ArrayList<>();
            if (readLag.isZero()) {
                off.add("reads do NOT lag (SESSIONS_READ_LAG_MS=0): every eventually consistent read and index query"
                        + " sees the latest write, which DynamoDB does not promise");
            }
            if (transactionHold.isZero()) {
                off.add("transactions do NOT conflict (SESSIONS_TRANSACTION_HOLD_MS=0): no write meets the"
                        + " TransactionConflictException DynamoDB gives while a transaction holds its item");
            }
            if (ttlDeleteAfter == null) {
                off.add("TTL does NOT delete (SESSIONS_TTL_DELETE_AFTER_MS=-1): expired items stay, and the"
                        + " stream's service-identity REMOVE records never come");
            }
            return off;
        }

        private static Duration millis(String variable, Duration fallback, int off) {
            String configured = System.getenv(variable);
            if (configured == null || configured.isBlank()) {
                return fallback;
            }
            try {
                long value = Long.parseLong(configured.trim());
                if (value < off) {
                    throw new NumberFormatException();
                }
                return value == -1 ? null : Duration.ofMillis(value);
            } catch (NumberFormatException e) {
                throw new IllegalStateException(variable + " must be a whole number of milliseconds, " + off
                        + " or more, not " + configured);
            }
        }
    }

    /** Starts the proxy on a free loopback port in front of {@code endpoint}, its copies in the default regions. */
    public static ServerProcess start(AwsEndpoint endpoint, Settings settings, Path log) {
        return start(endpoint, settings, null, log);
    }

    /**
     * Starts a proxy as {@link #start(AwsEndpoint, Settings, Path)} does, with its copies in
     * {@code copyRegions} (three: the older and fresher read copies, the index), so that a test's own
     * proxy in front of the same emulator as the harness's touches none of the harness's copies. Use
     * a region of its own for {@code endpoint} too.
     */
    public static ServerProcess start(AwsEndpoint endpoint, Settings settings, List<String> copyRegions, Path log) {
        Path python = LocalServices.venv().resolve("bin/python");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("no Python in " + LocalServices.venv() + ": run scripts/setup");
        }
        Path script = Executables.projectRoot().resolve("scripts/dynamodb_fidelity.py");
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), "--upstream",
                endpoint.uri().toString(), "--lag-ms", Long.toString(settings.readLag().toMillis()),
                "--transaction-hold-ms", Long.toString(settings.transactionHold().toMillis()),
                "--ttl-delete-after-ms", settings.ttlDeleteAfter() == null ? "-1"
                        : Long.toString(settings.ttlDeleteAfter().toMillis()),
                "-H", "127.0.0.1", "-p", "%PORT%", "--seed-region", endpoint.region().id(), "--verbose",
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        if (copyRegions != null) {
            command.addAll(List.of("--copy-regions", String.join(",", copyRegions)));
        }
        if (settings.indexLag() != null) {
            command.addAll(List.of("--index-lag-ms", Long.toString(settings.indexLag().toMillis())));
        }
        if (settings.indexSpread() != null) {
            command.addAll(List.of("--index-spread-ms", Long.toString(settings.indexSpread().toMillis())));
        }
        return ServerProcess.start("dynamodb-fidelity", command, log, null, realClockEnvironment());
    }

    /** The endpoint of a proxy started by {@link #start}, as the harness gives it to tests. */
    public static AwsEndpoint endpointOf(ServerProcess proxy, AwsEndpoint upstream, Settings settings) {
        return new AwsEndpoint(URI.create("http://127.0.0.1:" + proxy.port()), upstream.region(), true,
                settings.readLag(), upstream.uri());
    }

    /**
     * This process's environment without libfaketime (scripts/test-shifted runs the tests under it):
     * the lags are spans of real time, and a faked clock breaks the proxy's timed waits.
     */
    static Map<String, String> realClockEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.equals("LD_PRELOAD") || name.startsWith("FAKETIME")
                || name.equals("DONT_FAKE_MONOTONIC"));
        return env;
    }

    /**
     * Waits until the proxy at {@code endpoint} has given its copies every write it was given:
     * eventually consistent reads and index queries then see all writes made before the call, as
     * DynamoDB's do once its replicas catch up.
     */
    public static void awaitCaughtUp(URI endpoint, Duration limit) {
        Poll.until(limit, "the copies at " + endpoint + " to catch up with the writes",
                () -> status(endpoint).map(PENDING::matcher).filter(Matcher::find)
                        .map(pending -> pending.group(1).equals("0")).orElse(false));
    }

    /** A number of the proxy's status ({@code conflicts}, {@code held}, {@code ttlDeleted}...), or -1. */
    public static long statusNumber(URI endpoint, String name) {
        return status(endpoint).map(Pattern.compile(String.format(NUMBER.pattern(), name))::matcher)
                .filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).orElse(-1L);
    }

    /** The read lag of an endpoint that is such a proxy already, or empty. */
    public static Optional<Duration> probe(URI endpoint) {
        return status(endpoint).map(LAG::matcher).filter(Matcher::find)
                .map(lag -> Duration.ofMillis(Long.parseLong(lag.group(1))));
    }

    private static Optional<String> status(URI endpoint) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> status = client.send(HttpRequest.newBuilder(endpoint.resolve("/_dynamodb-fidelity"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return status.statusCode() == 200 ? Optional.of(status.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
