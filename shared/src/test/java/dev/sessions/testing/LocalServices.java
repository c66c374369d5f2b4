package dev.sessions.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.regions.Region;

/**
 * Gives integration tests real components: an {@link AwsEndpoint} (DynamoDB with Streams) and a
 * {@link RedisEndpoint}. Each is started once per test JVM and stopped when the run ends.
 *
 * <p>DynamoDB: {@code AWS_ENDPOINT_URL} when set (LocalStack, another emulator or AWS); else an
 * {@link AwsEndpointSource} on the test classpath (the {@code localstack} Maven profile adds one);
 * else a moto server from the project's virtual environment. In front of any emulator the
 * harness starts {@code scripts/dynamodb_fidelity.py}, so that DynamoDB behaves as on AWS where
 * emulators are kinder: eventually consistent reads and index queries trail the writes, indexes
 * item by item, transactions hold their items, TTL deletes ({@link DynamoDbFidelity.Settings}; each
 * can be turned off by a variable, loudly).
 * Redis: {@code REDIS_URL} when set, else a {@code redis-server} from the PATH. A missing
 * prerequisite fails the test with a message that says how to get it; nothing is skipped.
 */
public final class LocalServices implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalServices.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == AwsEndpoint.class || type == RedisEndpoint.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        try {
            if (parameter.getParameter().getType() == AwsEndpoint.class) {
                return store.getOrComputeIfAbsent(AwsEndpoint.class, k -> startAws(), Started.class).endpoint();
            }
            return store.getOrComputeIfAbsent(RedisEndpoint.class, k -> startRedis(), Started.class).endpoint();
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /** A started (or externally provided) service; closing it stops what the harness started, last first. */
    record Started(Object endpoint, List<ServerProcess> processes) implements AutoCloseable {
        Started(Object endpoint, ServerProcess process) {
            this(endpoint, process == null ? List.of() : List.of(process));
        }

        @Override
        public void close() {
            for (ServerProcess process : processes.reversed()) {
                process.close();
            }
        }
    }

    private static Started startAws() {
        Started emulator = startEmulator();
        AwsEndpoint endpoint = (AwsEndpoint) emulator.endpoint();
        if (!endpoint.emulated()) {
            return emulator; // DynamoDB itself: it behaves so on its own
        }
        Optional<Duration> already = DynamoDbFidelity.probe(endpoint.uri());
        if (already.isPresent()) {
            return new Started(new AwsEndpoint(endpoint.uri(), endpoint.region(), true, already.get()),
                    emulator.processes());
        }
        DynamoDbFidelity.Settings settings = DynamoDbFidelity.Settings.fromEnvironment();
        for (String off : settings.warnings()) {
            System.err.println("WARNING: " + off + ". Code that passes here can fail on AWS.");
        }
        if (settings.nothing()) {
            return emulator;
        }
        ServerProcess fidelity = DynamoDbFidelity.start(endpoint, settings, logFile("dynamodb-fidelity"));
        List<ServerProcess> processes = new ArrayList<>(emulator.processes());
        processes.add(fidelity);
        return new Started(DynamoDbFidelity.endpointOf(fidelity, endpoint, settings), processes);
    }

    private static Started startEmulator() {
        Region region = Region.of(envOr("AWS_REGION", envOr("AWS_DEFAULT_REGION", "us-east-1")));
        String configured = System.getenv("AWS_ENDPOINT_URL");
        if (configured != null && !configured.isBlank()) {
            URI uri = URI.create(configured);
            return new Started(new AwsEndpoint(uri, region, !uri.getHost().endsWith("amazonaws.com")), (ServerProcess) null);
        }
        for (AwsEndpointSource source : ServiceLoader.load(AwsEndpointSource.class)) {
            return new Started(source.endpoint(), (ServerProcess) null);
        }
        Path python = venv().resolve("bin/python");
        if (!Files.isExecutable(venv().resolve("bin/moto_server"))) {
            throw new IllegalStateException("moto is not installed in " + venv() + ". Run scripts/setup (it installs"
                    + " the pinned Python tools into .venv), or set AWS_ENDPOINT_URL to a running emulator.");
        }
        // moto's own application, with writes applied atomically as DynamoDB applies them (see the script)
        Path launcher = Executables.projectRoot().resolve("scripts/moto_server.py");
        ServerProcess moto = ServerProcess.start("moto",
                List.of(python.toString(), launcher.toString(), "-H", "127.0.0.1", "-p", "%PORT%"), logFile("moto"));
        return new Started(new AwsEndpoint(URI.create("http://127.0.0.1:" + moto.port()), region, true), moto);
    }

    private static Started startRedis() {
        String configured = System.getenv("REDIS_URL");
        if (configured != null && !configured.isBlank()) {
            return new Started(new RedisEndpoint(URI.create(configured)), (ServerProcess) null);
        }
        String redisServer = Executables.find("redis-server", "REDIS_SERVER").orElseThrow(() -> new IllegalStateException(
                "redis-server not found on PATH. Install it (Debian: apt-get install redis-server; scripts/setup does"
                        + " this as root), set REDIS_SERVER to its path, or set REDIS_URL to a running Redis."));
        ServerProcess redis = ServerProcess.start("redis", List.of(redisServer, "--bind", "127.0.0.1", "--port", "%PORT%",
                "--save", "", "--appendonly", "no", "--daemonize", "no"), logFile("redis"));
        return new Started(new RedisEndpoint(URI.create("redis://127.0.0.1:" + redis.port())), redis);
    }

    /** The project's Python virtual environment: {@code sessions.venv}, else {@code <root>/.venv}. */
    public static Path venv() {
        String configured = System.getProperty("sessions.venv");
        return configured != null ? Path.of(configured) : Executables.projectRoot().resolve(".venv");
    }

    static Path logFile(String name) {
        return Path.of("target", "services", name + "-" + ProcessHandle.current().pid() + ".log").toAbsolutePath();
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
