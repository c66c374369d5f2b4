package dev.sessions.bench;

import dev.sessions.json.Json;
import dev.sessions.local.Bootstrap;
import dev.sessions.local.LocalServer;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Template;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The session authorizer: its cold start against the bare SDK baseline; a protected request
 * ({@code GET /me}: the authorizer, then a handler that reads its context) against an unprotected
 * one ({@code GET /hello}: a handler that does as little), with the replica and without it; and the
 * same protected request with API Gateway's cache of the authorizer's answers on. Load goes to
 * loopback only and stops by itself.
 */
final class AuthorizerBench {

    /** What a configuration of the stack is: its name in the results and its template parameters. */
    private record Setup(String name, Map<String, String> parameters, boolean replica) {
    }

    private AuthorizerBench() {
    }

    static void run(Bench bench) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("coldStart", coldStarts(bench));
        Duration window = Duration.ofSeconds(bench.quick ? 3 : 10);
        int slices = bench.quick ? 3 : 10;
        List<Map<String, Object>> results = new ArrayList<>();
        for (Setup setup : List.of(
                new Setup("with the replica", Map.of("CacheEnabled", "true"), true),
                new Setup("without the replica", Map.of("CacheEnabled", "false"), false),
                new Setup("with the replica, answers cached 300 s", Map.of("CacheEnabled", "true",
                        "SessionAuthorizerCacheSeconds", "300", "SessionAuthorizerCacheKey", "Authorization"), true))) {
            results.add(protectedAgainstUnprotected(bench, setup, window, slices));
        }
        figures.put("windowSeconds", window.toSeconds());
        figures.put("memorySizeMb", 1024);
        figures.put("results", results);
        bench.write("authorizer", "Cold starts: a fresh JVM per run through the local runtime (as the coldstart benchmark),"
                + " SessionAuthorizerFunction given events/authorizer-me.json and MeFunction events/me.json, interleaved"
                + " with the bare SDK baseline (build a DynamoDB client, get one item), " + (bench.quick ? 3 : 10)
                + " runs each. Warm: GET /me with a live session's bearer token (API Gateway runs the session"
                + " authorizer, then MeFunction, which reads only its context) against GET /hello (no authorizer, a"
                + " handler that does as little), one loopback client, alternating in " + slices + " slices of each over "
                + window.toSeconds() + " s apiece through start-api after a warm-up, on three stacks: with the cache"
                + " replica (the authorizer's read is a Redis hit), without it (a strongly consistent GetItem), and with"
                + " the replica and API Gateway's cache of the authorizer's answers (300 s, keyed by Authorization)."
                + " Handler Durations from each invocation's REPORT line; authorizer invocations per protected request"
                + " counted by the runtime.", figures);
    }

    /** The authorizer's and GET /me's cold starts, interleaved with the baseline. */
    private static Map<String, Object> coldStarts(Bench bench) {
        Template project = bench.project("bench-authz-cold");
        Template probes = bench.probes(project.tables().get("SessionsTable").name());
        Map<String, String> none = Map.of();
        ColdStarts.Target baseline = new ColdStarts.Target("Baseline", probes, bench.probeBuild(), "BaselineFunction",
                "{}".getBytes(), none);
        List<ColdStarts.Target> targets = List.of(
                new ColdStarts.Target("SessionAuthorizerFunction", project, bench.projectBuild(), "SessionAuthorizerFunction",
                        bench.event("authorizer-me.json"), none),
                new ColdStarts.Target("MeFunction", project, bench.projectBuild(), "MeFunction", bench.event("me.json"), none),
                new ColdStarts.Target("HelloFunction", project, bench.projectBuild(), "HelloFunction",
                        bench.event("hello.json"), none));
        Map<String, List<ColdStarts.Run>> measured = new LinkedHashMap<>();
        int runs = bench.quick ? 3 : 10;
        for (int i = 0; i < runs; i++) {
            measured.computeIfAbsent("Baseline", k -> new ArrayList<>()).add(ColdStarts.once(bench, baseline));
            for (ColdStarts.Target target : targets) {
                measured.computeIfAbsent(target.name(), k -> new ArrayList<>()).add(ColdStarts.once(bench, target));
            }
            System.err.printf("bench: authorizer cold starts, run %d of %d%n", i + 1, runs);
        }
        Stats base = ColdStarts.totals(measured.get("Baseline"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ColdStarts.Target target : targets) {
            rows.add(ColdStarts.row(target.name(), measured.get(target.name()), base));
        }
        return Map.of("baseline", ColdStarts.row("Baseline", measured.get("Baseline"), base), "results", rows);
    }

    private static Map<String, Object> protectedAgainstUnprotected(Bench bench, Setup setup, Duration window, int slices)
            throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("SystemLogLevel", "INFO", "ApiThrottlingRateLimit",
                "100000", "ApiThrottlingBurstLimit", "100000"));
        parameters.putAll(setup.parameters());
        String stack = "bench-authz-" + Integer.toHexString(setup.name().hashCode() & 0xffff);
        Template template = Template.load(bench.root.resolve("template.yaml"), parameters,
                new Template.Settings(stack, bench.aws.get("AWS_REGION"), "123456789012"));
        try (var dynamo = dev.sessions.adapter.dynamodb.DynamoDbClients.fromEnvironment(bench.aws)) {
            Bootstrap.run(template, dynamo, System.err);
        }
        Map<String, List<Double>> durations = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean replicaHit = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> authorizerLines = new CopyOnWriteArrayList<>();
        Map<String, String> overrides = setup.replica() ? Map.of("REDIS_URL", bench.redisUrl, "COOKIE_SECURE", "false")
                : Map.of("COOKIE_SECURE", "false");
        LocalLambda lambda = new LocalLambda(template, new LocalLambda.Settings(bench.projectBuild(), bench.java, 2,
                Duration.ofMinutes(10), bench.aws, Map.of("Parameters", overrides), (f, line) -> {
                    if (f.equals("SessionAuthorizerFunction") && line.contains("\"decision\"")) {
                        authorizerLines.add(line);
                        replicaHit.compareAndSet(false, line.contains("\"CacheHits\""));
                    }
                    if (line.contains("\"platform.report\"")) {
                        Map<?, ?> record = (Map<?, ?>) ((Map<?, ?>) Json.parse(line)).get("record");
                        durations.computeIfAbsent(f, k -> new CopyOnWriteArrayList<>())
                                .add(((Number) ((Map<?, ?>) record.get("metrics")).get("durationMs")).doubleValue());
                    }
                }));
        try (LocalServer server = new LocalServer(lambda, bench.aws, 0, setup.replica(), Files.createTempDirectory("dlq"),
                new PrintStream(new ByteArrayOutputStream()))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String token = (String) Json.parseObject(LoadTest.send(http, HttpRequest.newBuilder(URI.create(base + "/sessions"))
                    .POST(HttpRequest.BodyPublishers.noBody())).body(), 8).get("token");
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
            if (LoadTest.get(http, base + "/me", bearer) != 200) {
                throw new IllegalStateException(setup.name() + ": GET /me with a live session did not answer 200");
            }
            if (setup.replica()) {
                // until the stream has put the session in the replica, the authorizer reads the table
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!replicaHit.get()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(setup.name() + ": the authorizer never read the session from the"
                                + " replica; its last lines: " + authorizerLines.subList(Math.max(0,
                                authorizerLines.size() - 3), authorizerLines.size()));
                    }
                    LoadTest.get(http, base + "/me", bearer);
                }
            }
            Duration warmUp = Duration.ofSeconds(bench.quick ? 2 : 5);
            LoadTest.concurrent(1, warmUp, () -> LoadTest.get(http, base + "/hello", Map.of()));
            LoadTest.concurrent(1, warmUp, () -> LoadTest.get(http, base + "/me", bearer));
            durations.clear();
            long askedBefore = lambda.invocations("SessionAuthorizerFunction");
            LoadTest.Scenario[] measured = LoadTest.alternating(1, window, slices,
                    () -> LoadTest.get(http, base + "/hello", Map.of()), () -> LoadTest.get(http, base + "/me", bearer));
            long asked = lambda.invocations("SessionAuthorizerFunction") - askedBefore;
            Stats unprotected = Stats.of(measured[0].latencies());
            Stats guarded = Stats.of(measured[1].latencies());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("setup", setup.name());
            row.put("replica", setup.replica());
            row.put("protected", guarded.json("ms"));
            row.put("unprotected", unprotected.json("ms"));
            row.put("errors", measured[0].errors() + measured[1].errors());
            row.put("addedMedianMs", Stats.round(guarded.median() - unprotected.median()));
            row.put("ratioToUnprotectedMedian", Stats.round(guarded.median() / unprotected.median()));
            row.put("authorizerInvocationsPerRequest", Stats.round((double) asked / measured[1].latencies().size()));
            List<Double> authorizer = durations.getOrDefault("SessionAuthorizerFunction", List.of());
            row.put("authorizerDuration", authorizer.isEmpty() ? null : Stats.of(authorizer).json("ms"));
            row.put("meDuration", Stats.of(durations.get("MeFunction")).json("ms"));
            row.put("helloDuration", Stats.of(durations.get("HelloFunction")).json("ms"));
            System.err.printf("bench: authorizer %s: GET /me p50 %.2f ms against GET /hello %.2f ms%n", setup.name(),
                    guarded.median(), unprotected.median());
            return row;
        }
    }
}
