package dev.sessions.bench;

import dev.sessions.json.Json;
import dev.sessions.local.Bootstrap;
import dev.sessions.local.runtime.JavaRuntime;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.runtime.LogSink;
import dev.sessions.local.template.Template;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmarks' entry point (bench/run calls it): {@code coldstart}, {@code load}, {@code sync},
 * {@code sizes}, {@code designs}, {@code authorizer} or {@code all}, with {@code --quick} for a short pass. It talks to the emulator and
 * Redis that bench/run started ({@code AWS_ENDPOINT_URL}, {@code REDIS_URL}) and writes
 * {@code bench/results/<name>.json}.
 */
public final class Bench {

    final Path root;
    final Path results;
    final boolean quick;
    final Map<String, String> aws;
    final String redisUrl;
    final JavaRuntime java;
    final Map<String, Object> machine;

    private Bench(Path root, boolean quick) throws IOException {
        this.root = root;
        this.results = Files.createDirectories(root.resolve("bench/results"));
        this.quick = quick;
        String endpoint = require("AWS_ENDPOINT_URL");
        this.aws = Map.of("AWS_REGION", System.getenv().getOrDefault("AWS_REGION", "us-east-1"), "AWS_ENDPOINT_URL", endpoint,
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
        this.redisUrl = require("REDIS_URL");
        this.java = JavaRuntime.locate(null, root.resolve("local/target/ric"), Files.createTempDirectory("bench-"));
        this.machine = Machine.describe(Machine.javaOf(java.java(), java.javaIsLambdaVersion()));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: bench (coldstart|load|sync|sizes|designs|authorizer|all) [--quick]");
            System.exit(2);
        }
        if (!List.of("coldstart", "load", "sync", "sizes", "designs", "authorizer", "all").contains(args[0])) {
            System.err.println("error: unknown benchmark " + args[0]
                    + " (coldstart, load, sync, sizes, designs, authorizer or all)");
            System.exit(2);
        }
        boolean quick = List.of(args).contains("--quick");
        Bench bench = new Bench(Path.of("").toAbsolutePath(), quick);
        String command = args[0];
        if (command.equals("sizes") || command.equals("all")) {
            Sizes.run(bench);
        }
        if (command.equals("coldstart") || command.equals("all")) {
            ColdStarts.run(bench);
        }
        if (command.equals("load") || command.equals("all")) {
            LoadTest.run(bench);
        }
        if (command.equals("sync") || command.equals("all")) {
            SyncBench.run(bench);
        }
        if (command.equals("designs") || command.equals("all")) {
            Designs.run(bench);
        }
        if (command.equals("authorizer") || command.equals("all")) {
            AuthorizerBench.run(bench);
        }
        System.exit(0); // the SDK's and the runtime's threads are daemons or done; leave now
    }

    private static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            System.err.println("error: " + name + " is not set: run the benchmarks with bench/run");
            System.exit(2);
        }
        return value;
    }

    /**
     * The project's template with the cache on, under a stack name of its own, its tables created;
     * Lambda's platform lines on (SystemLogLevel=INFO): the benchmarks read each invocation's
     * duration from its platform.report line; and the API's route throttle out of the way of the
     * load test, which measures latency, not API Gateway's limit.
     */
    Template project(String stack) {
        Template template = Template.load(root.resolve("template.yaml"), Map.of("CacheEnabled", "true",
                        "SystemLogLevel", "INFO", "ApiThrottlingRateLimit", "100000", "ApiThrottlingBurstLimit", "100000"),
                new Template.Settings(stack, aws.get("AWS_REGION"), "123456789012"));
        try (var dynamo = dev.sessions.adapter.dynamodb.DynamoDbClients.fromEnvironment(aws)) {
            Bootstrap.run(template, dynamo, System.err);
        }
        return template;
    }

    /** The probe functions of bench/template.yaml, reading the given sessions table. */
    Template probes(String sessionsTable) {
        return Template.load(root.resolve("bench/template.yaml"), Map.of("BaselineTable", sessionsTable,
                "RedisUrl", redisUrl), new Template.Settings("bench", aws.get("AWS_REGION"), "123456789012"));
    }

    Path projectBuild() {
        return root.resolve(".aws-sam/build");
    }

    Path probeBuild() {
        return root.resolve("bench/target/artifacts");
    }

    /** The local Lambda for {@code template}, with extra variables for every function (PRIME_AT_INIT). */
    LocalLambda lambda(Template template, Path build, Map<String, String> extra, int environments, LogSink logs) {
        Map<String, String> env = new LinkedHashMap<>(aws);
        env.putAll(extra);
        return new LocalLambda(template, new LocalLambda.Settings(build, java, environments, Duration.ofMinutes(10), env,
                Map.of("Parameters", Map.of("REDIS_URL", redisUrl, "COOKIE_SECURE", "false")), logs));
    }

    byte[] event(String file) {
        try {
            return Files.readAllBytes(root.resolve("events").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a result with the method and the machine it was measured on. */
    void write(String name, String method, Map<String, Object> figures) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("measuredAt", Instant.now().toString());
        out.put("quick", quick);
        out.put("method", method);
        out.put("machine", machine);
        out.putAll(figures);
        try {
            Files.writeString(results.resolve(name + ".json"), Json.write(out) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.err.println("bench: wrote bench/results/" + name + ".json");
    }
}
