package dev.sessions.bench;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Template;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Warm latency and throughput through start-api (the local HTTP front, Runtime API hop and a warm
 * function JVM), against the same emulator the baseline reaches with bare SDK round trips. Load
 * goes to loopback only and stops by itself.
 */
final class LoadTest {

    private LoadTest() {
    }

    static void run(Bench bench) throws Exception {
        Template template = bench.project("bench-load");
        // each function's handler Durations, from its REPORT lines
        Map<String, List<Double>> durations = new ConcurrentHashMap<>();
        LocalLambda lambda = bench.lambda(template, bench.projectBuild(), Map.of(), 4, (f, line) -> {
            if (line.contains("\"platform.report\"")) {
                Map<?, ?> record = (Map<?, ?>) ((Map<?, ?>) Json.parse(line)).get("record");
                double duration = ((Number) ((Map<?, ?>) record.get("metrics")).get("durationMs")).doubleValue();
                durations.computeIfAbsent(f, k -> new CopyOnWriteArrayList<>()).add(duration);
            }
        });
        try (LocalServer server = new LocalServer(lambda, bench.aws, 0, false, Files.createTempDirectory("dlq"),
                new PrintStream(new ByteArrayOutputStream()))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int sequential = bench.quick ? 300 : 2000;
            Duration window = Duration.ofSeconds(bench.quick ? 3 : 10);
            int slices = bench.quick ? 3 : 10;
            int clients = 4;

            // A session for the visit and read scenarios; then every path warmed by as many concurrent
            // clients as the scenarios use, so that all their environments are started and JIT-warm
            // before anything is measured (a sequential warm-up warms only one).
            String token = (String) Json.parseObject(send(http, HttpRequest.newBuilder(URI.create(base + "/sessions"))
                    .POST(HttpRequest.BodyPublishers.noBody())).body(), 8).get("token");
            Map<String, String> cookie = Map.of("Cookie", "sid=" + token);
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
            Duration warmUp = Duration.ofSeconds(bench.quick ? 2 : 5);
            concurrent(clients, warmUp, () -> get(http, base + "/hello", Map.of()));
            concurrent(clients, warmUp, () -> get(http, base + "/", cookie));
            concurrent(clients, warmUp, () -> get(http, base + "/sessions/current?consistent=true", bearer));
            durations.clear();

            List<Double> hello = new ArrayList<>();
            for (int i = 0; i < sequential; i++) {
                long started = System.nanoTime();
                get(http, base + "/hello", Map.of());
                hello.add((System.nanoTime() - started) / 1e6);
            }
            List<Double> handler = durations.get("HelloFunction");
            Stats helloStats = Stats.of(hello);
            Stats handlerStats = Stats.of(handler);

            // Each scenario next to the bare SDK call it makes (UpdateItem for a visit, GetItem for a
            // read), at one client (latency alone) and at `clients` (sharing the 2 cores and the emulator).
            List<Map<String, Object>> baselines = new ArrayList<>();
            List<Map<String, Object>> results = new ArrayList<>();
            Map<String, Object> iam;
            try (DynamoDbClient dynamo = DynamoDbClients.fromEnvironment(bench.aws)) {
                String table = template.tables().get("SessionsTable").name();
                // the visit's own UpdateItem (its condition, updates and ALL_NEW return), sent by the same
                // store code the function runs, in this JVM: the emulator's cost of the request itself
                SessionPolicy policy = SessionPolicy.defaults();
                SessionService sessions = new SessionService(new DynamoDbSessionStore(dynamo, table, policy), policy,
                        Clock.systemUTC());
                Optional<SessionToken> visitor = Optional.of(sessions.create(new SessionService.NewSession(null, Map.of(),
                        Optional.empty()), UUID.randomUUID().toString()).issued().token());
                Supplier<Integer> sdkUpdate = () -> {
                    sessions.visit(visitor, UUID.randomUUID().toString());
                    return 200;
                };
                Supplier<Integer> sdkGet = () -> {
                    dynamo.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS(visitor.get().id()))).consistentRead(true));
                    return 200;
                };
                concurrent(clients, warmUp, sdkUpdate);
                concurrent(clients, warmUp, sdkGet);
                for (int n : List.of(1, clients)) {
                    durations.clear();
                    Scenario[] visit = alternating(n, window, slices, sdkUpdate, () -> get(http, base + "/", cookie));
                    Map<String, Object> updateRow = scenario("the visit's UpdateItem, sent in-process", n, visit[0], null);
                    baselines.add(updateRow);
                    Map<String, Object> visitRow = scenario("GET / (a visit: one UpdateItem)", n, visit[1], updateRow);
                    visitRow.put("handlerDuration", Stats.of(durations.get("VisitsFunction")).json("ms"));
                    results.add(visitRow);

                    durations.clear();
                    Scenario[] read = alternating(n, window, slices, sdkGet,
                            () -> get(http, base + "/sessions/current?consistent=true", bearer));
                    Map<String, Object> getRow = scenario("bare SDK GetItem (consistent)", n, read[0], null);
                    baselines.add(getRow);
                    Map<String, Object> readRow = scenario("GET /sessions/current?consistent=true (one GetItem)", n, read[1], getRow);
                    readRow.put("handlerDuration", Stats.of(durations.get("SessionsFunction")).json("ms"));
                    results.add(readRow);
                }
                iam = IamOverhead.measure(bench, template, table, visitor.get().id(), window, slices);
            }

            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("clients", List.of(1, clients));
            figures.put("windowSeconds", window.toSeconds());
            figures.put("baselines", baselines);
            figures.put("results", results);
            Map<String, Object> overhead = new LinkedHashMap<>();
            overhead.put("requests", sequential);
            overhead.put("endToEnd", helloStats.json("ms"));
            overhead.put("handler", handlerStats.json("ms"));
            overhead.put("runtimeOverheadMedianMs", Stats.round(helloStats.median() - handlerStats.median()));
            figures.put("runtimeOverhead", overhead);
            figures.put("iam", iam);
            bench.write("load", "Warm requests over HTTP to start-api (4 environments per function), from 1 and from "
                    + clients + " concurrent loopback clients for " + window.toSeconds() + " s per scenario and "
                    + window.toSeconds() + " s for its baseline, alternating in " + slices + " slices each, after a"
                    + " concurrent warm-up of " + warmUp.toSeconds() + " s per path that starts every environment. Each"
                    + " scenario's baseline is the SDK call it makes, sent from the harness JVM without the function: the"
                    + " visit's own UpdateItem through the same store code, and a bare consistent GetItem for a read,"
                    + " from the same number of clients to the same emulator, measured in the same run. The"
                    + " runtime's own overhead is GET /hello's end-to-end median, one client, minus the handler's median"
                    + " Duration from its REPORT lines; each scenario's handler Duration (REPORT lines again) is the"
                    + " function's share of its latency, the SDK call to the emulator included. IAM: the local runtime's"
                    + " check of one signed GetItem (signature, actions, the function's policy) timed in-process "
                    + (bench.quick ? 5_000 : 50_000) + " times after a warm-up; and the same GetItem, one client, through"
                    + " the checking proxy with VisitsFunction's key against straight to the emulator, alternating in "
                    + slices + " slices of each over " + window.toSeconds() + " s apiece.", figures);
        }
    }

    /** Latencies and throughput of a scenario. */
    record Scenario(List<Double> latencies, double seconds, int errors) {
        double throughput() {
            return latencies.size() / seconds;
        }
    }

    private static Map<String, Object> scenario(String name, int clients, Scenario scenario, Map<String, Object> baseline) {
        Stats stats = Stats.of(scenario.latencies());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scenario", name);
        row.put("clients", clients);
        row.put("latency", stats.json("ms"));
        row.put("throughputPerSecond", Stats.round(scenario.throughput()));
        row.put("errors", scenario.errors());
        if (baseline != null) {
            double baselineMedian = (Double) ((Map<?, ?>) baseline.get("latency")).get("median");
            row.put("baseline", Map.of("scenario", baseline.get("scenario"), "latency", baseline.get("latency"),
                    "throughputPerSecond", baseline.get("throughputPerSecond")));
            row.put("ratioToBaselineMedian", Stats.round(stats.median() / baselineMedian));
        }
        return row;
    }

    /**
     * A scenario and its baseline in alternating slices, {@code slices} of each within {@code window}
     * apiece, so that both meet the same machine and the same emulator state (its tables and streams
     * grow as the run goes on). @return the baseline's, then the scenario's
     */
    static Scenario[] alternating(int clients, Duration window, int slices, Supplier<Integer> baseline,
                                          Supplier<Integer> scenario) throws InterruptedException {
        Duration slice = window.dividedBy(slices);
        List<Scenario> baselineSlices = new ArrayList<>();
        List<Scenario> scenarioSlices = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            baselineSlices.add(concurrent(clients, slice, baseline));
            scenarioSlices.add(concurrent(clients, slice, scenario));
        }
        return new Scenario[] {merged(baselineSlices), merged(scenarioSlices)};
    }

    private static Scenario merged(List<Scenario> slices) {
        List<Double> latencies = new ArrayList<>();
        double seconds = 0;
        int errors = 0;
        for (Scenario slice : slices) {
            latencies.addAll(slice.latencies());
            seconds += slice.seconds();
            errors += slice.errors();
        }
        return new Scenario(latencies, seconds, errors);
    }

    static Scenario concurrent(int clients, Duration window, Supplier<Integer> request) throws InterruptedException {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        int[] errors = new int[1];
        long deadline = System.nanoTime() + window.toNanos();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                while (System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    int status = request.get();
                    latencies.add((System.nanoTime() - begin) / 1e6);
                    if (status >= 400) {
                        synchronized (errors) {
                            errors[0]++;
                        }
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(window.toMillis() + 60_000, TimeUnit.MILLISECONDS);
        return new Scenario(new ArrayList<>(latencies), (System.nanoTime() - started) / 1e9, errors[0]);
    }

    static int get(HttpClient http, String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return send(http, request).statusCode();
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }
}
