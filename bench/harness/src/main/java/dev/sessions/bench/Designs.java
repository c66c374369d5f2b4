package dev.sessions.bench;

import dev.sessions.json.Json;
import dev.sessions.local.LocalServer;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Template;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The three designs of one visit counter side by side, on the same local runtime and workload:
 * state outside the handler (the product, template.yaml: DynamoDB, the cache replica for reads),
 * state in the execution environment's memory, and state in a signed cookie (bench/designs.yaml).
 * For 1, 2, 4 and 8 environments per function: what each client's count is after K visits; at 4,
 * also latency against GET /hello, environments recycled mid-run, an old cookie replayed before and
 * after its session ended, and the size limit of client state. Loopback only; ends by itself.
 */
final class Designs {

    /** One design of the counter: where it is served and how a session ends. */
    record Design(String name, String label, boolean product, String functionId, String visitPath, String endPath) {
    }

    static final List<Design> DESIGNS = List.of(
            new Design("outside", "state outside (DynamoDB)", true, "VisitsFunction", "/", "/sessions/current"),
            new Design("memory", "state in the environment's memory", false, "MemoryCounterFunction", "/memory", "/memory"),
            new Design("signed", "state in a signed cookie", false, "SignedCookieFunction", "/signed", "/signed"));

    /** RFC 6265 section 6.1: browsers keep cookies of at least 4096 bytes (name, value and attributes). */
    static final int COOKIE_LIMIT = 4096;

    private final Bench bench;
    /** The product's template read once, for its parameters; each run deploys its own stack of it. */
    private final Template product;
    private final Template designs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Each function's handler Durations, from its REPORT lines. */
    private final Map<String, List<Double>> durations = new ConcurrentHashMap<>();
    private final int clients;
    private final int visits;

    private Designs(Bench bench) {
        this.bench = bench;
        this.product = Template.load(bench.root.resolve("template.yaml"), Map.of(), Template.Settings.defaults());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.designs = Template.load(bench.root.resolve("bench/designs.yaml"),
                Map.of("StateSigningKey", Base64.getEncoder().encodeToString(key)),
                new Template.Settings("bench-designs", bench.aws.get("AWS_REGION"), "123456789012"));
        this.clients = bench.quick ? 4 : 8;
        this.visits = bench.quick ? 12 : 40;
    }

    static void run(Bench bench) throws Exception {
        new Designs(bench).measure();
    }

    /** Both stacks served with {@code environments} per function. */
    private record Stacks(LocalServer product, LocalServer designs, PrintStream log, Template productStack,
                          Map<String, String> aws) implements AutoCloseable {
        String base(Design design) {
            return "http://127.0.0.1:" + (design.product() ? product : designs).port();
        }

        LocalLambda lambda(Design design) {
            return (design.product() ? product : designs).lambda();
        }

        @Override
        public void close() {
            designs.close();
            product.close();
            log.close();
            // the emulator's streams grow with every write and slow it down: each run starts afresh
            try (var dynamo = dev.sessions.adapter.dynamodb.DynamoDbClients.fromEnvironment(aws)) {
                productStack.tables().values().forEach(t -> dynamo.deleteTable(b -> b.tableName(t.name())));
            }
        }
    }

    private Stacks start(int environments) throws Exception {
        // the servers' own lines (routes, throttles, function errors) for a look afterwards
        Path logFile = Files.createDirectories(bench.root.resolve("bench/target/state"))
                .resolve("designs-" + environments + "-environments.log");
        PrintStream quiet = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8);
        Template productStack = bench.project("bench-designs-" + environments);
        LocalLambda productLambda = bench.lambda(productStack, bench.projectBuild(), Map.of(), environments,
                this::record);
        LocalLambda designsLambda = bench.lambda(designs, bench.probeBuild(), Map.of(), environments, this::record);
        Path dlq = Files.createTempDirectory("designs-dlq");
        LocalServer productServer = new LocalServer(productLambda, bench.aws, 0, true, dlq, quiet);
        return new Stacks(productServer, new LocalServer(designsLambda, bench.aws, 0, false, dlq, quiet), quiet,
                productStack, bench.aws);
    }

    private void record(String function, String line) {
        if (line.contains("\"platform.report\"")) {
            Map<?, ?> record = (Map<?, ?>) ((Map<?, ?>) Json.parse(line)).get("record");
            double duration = ((Number) ((Map<?, ?>) record.get("metrics")).get("durationMs")).doubleValue();
            durations.computeIfAbsent(function, k -> new CopyOnWriteArrayList<>()).add(duration);
        }
    }

    private void measure() throws Exception {
        List<Map<String, Object>> scale = new ArrayList<>();
        Map<String, Object> figures = new LinkedHashMap<>();
        for (int environments : List.of(1, 2, 4, 8)) {
            try (Stacks stacks = start(environments)) {
                warmUp(stacks, environments);
                for (Design design : DESIGNS) {
                    Map<String, Object> row = counts(stacks, design, false);
                    row.put("environments", environments);
                    scale.add(row);
                }
                if (environments == 4) {
                    figures.put("latency", latency(stacks));
                    List<Map<String, Object>> recycled = new ArrayList<>();
                    for (Design design : DESIGNS) {
                        recycled.add(counts(stacks, design, true));
                    }
                    figures.put("recycled", recycled);
                    figures.put("replay", replays(stacks));
                    figures.put("size", sizes(stacks));
                }
            }
        }
        figures.put("clients", clients);
        figures.put("visitsPerClient", visits);
        figures.put("memorySizeMb", 1024);
        figures.put("scale", scale);
        bench.write("designs", "The same visit counter in three designs, served by the local runtime (start-api: the HTTP"
                + " front, the Runtime API and warm function JVMs on Lambda's Java 21) from loopback clients that keep"
                + " cookies as a browser does and retry throttled requests with jittered backoff: state outside the"
                + " handler (the product's GET /, one UpdateItem on the emulator; its reads of GET /sessions/current"
                + " from the cache replica and, with ?consistent=true, from the table), state in the environment's"
                + " memory (a map keyed by a session cookie) and state in a signed cookie (HMAC-SHA256 over the count"
                + " and an expiry). Counts: " + clients + " concurrent clients each make " + visits + " visits one after"
                + " another, with 1, 2, 4 and 8 environments per function, after a concurrent warm-up that starts every"
                + " environment; each client's last answered count against " + visits + ". Recycled: the same at 4"
                + " environments, every environment of the design's function ended after half the visits (as Lambda"
                + " may end one at any time). Latency at 4 environments from 1 and 4 clients, each scenario alternating"
                + " in slices with GET /hello, the stateless baseline, in the same run; handler Durations from REPORT"
                + " lines. Replay: a client's cookie copied after 5 visits and presented after 10, before and after"
                + " the session was ended (DELETE). Size: the largest session data a signed cookie carries within"
                + " the " + COOKIE_LIMIT + " bytes browsers keep per cookie (RFC 6265, 6.1).", figures);
    }

    /** Every environment of every path started and JIT-warm before anything is measured. */
    private void warmUp(Stacks stacks, int environments) throws InterruptedException {
        Duration window = Duration.ofSeconds(bench.quick ? 2 : 4);
        int warmers = Math.max(environments, clients);
        String product = "http://127.0.0.1:" + stacks.product().port();
        LoadTest.concurrent(warmers, window, () -> LoadTest.get(http, product + "/hello", Map.of()));
        for (Design design : DESIGNS) {
            LoadTest.concurrent(warmers, window, () -> twoVisits(new Browser(http, stacks.base(design)), design));
        }
        durations.clear();
    }

    private static int twoVisits(Browser browser, Design design) {
        browser.visit(design.visitPath());
        browser.visit(design.visitPath());
        return 200;
    }

    /**
     * {@code clients} browsers, each {@code visits} visits one after another, all at once; with
     * {@code recycle}, every environment of the design's function ended halfway.
     */
    private Map<String, Object> counts(Stacks stacks, Design design, boolean recycle) throws Exception {
        List<Browser> browsers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            browsers.add(new Browser(http, stacks.base(design)));
        }
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        List<Long> last = visitAll(browsers, recycle ? visits / 2 : visits, design, latencies);
        int ended = 0;
        if (recycle) {
            ended = stacks.lambda(design).recycle(design.functionId());
            last = visitAll(browsers, visits - visits / 2, design, latencies);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int right = (int) last.stream().filter(n -> n == visits).count();
        long counted = last.stream().mapToLong(Long::longValue).sum();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("design", design.name());
        row.put("label", design.label());
        row.put("clientsRight", right);
        row.put("clients", clients);
        row.put("lastCounts", last);
        row.put("visitsShownOfMade", Stats.round(counted / (double) (clients * visits)));
        row.put("latency", Stats.of(latencies).json("ms"));
        row.put("throughputPerSecond", Stats.round(latencies.size() / seconds));
        row.put("throttledRetries", browsers.stream().mapToInt(Browser::throttled).sum());
        if (recycle) {
            row.put("environmentsRecycled", ended);
        }
        return row;
    }

    /** Each browser's next {@code count} visits, browsers in parallel: the last count each was shown. */
    private List<Long> visitAll(List<Browser> browsers, int count, Design design, List<Double> latencies)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(browsers.size());
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (Browser browser : browsers) {
                results.add(pool.submit(() -> {
                    long seen = 0;
                    for (int i = 0; i < count; i++) {
                        long begin = System.nanoTime();
                        seen = browser.visit(design.visitPath());
                        latencies.add((System.nanoTime() - begin) / 1e6);
                    }
                    return seen;
                }));
            }
            List<Long> last = new ArrayList<>();
            for (Future<Long> result : results) {
                last.add(result.get());
            }
            return last;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each design's request from 1 and 4 clients, alternating in slices with GET /hello. */
    private List<Map<String, Object>> latency(Stacks stacks) throws Exception {
        Duration window = Duration.ofSeconds(bench.quick ? 2 : 6);
        int slices = bench.quick ? 2 : 6;
        String productBase = "http://127.0.0.1:" + stacks.product().port();
        Supplier<Integer> hello = () -> LoadTest.get(http, productBase + "/hello", Map.of());
        Map<String, Supplier<Integer>> scenarios = new LinkedHashMap<>();
        Map<String, String> functions = new LinkedHashMap<>();
        for (Design design : DESIGNS) {
            Browser browser = new Browser(http, stacks.base(design));
            browser.visit(design.visitPath());
            String cookie = design.product() ? "sid=" + browser.cookie("sid")
                    : design.name().equals("memory") ? "msid=" + browser.cookie("msid") : "state=" + browser.cookie("state");
            String url = stacks.base(design) + design.visitPath();
            scenarios.put(design.name() + ":GET " + design.visitPath() + " (a visit)",
                    () -> LoadTest.get(http, url, Map.of("Cookie", cookie)));
            functions.put(design.name() + ":GET " + design.visitPath() + " (a visit)", design.functionId());
            if (design.product()) {
                Map<String, String> bearer = Map.of("Authorization", "Bearer " + browser.cookie("sid"));
                // the replica holds the session once its stream record is synced: wait for a hit
                scenarios.put("outside:GET /sessions/current (from the cache replica)",
                        () -> LoadTest.get(http, productBase + "/sessions/current", bearer));
                functions.put("outside:GET /sessions/current (from the cache replica)", "SessionsFunction");
                scenarios.put("outside:GET /sessions/current?consistent=true (from the table)",
                        () -> LoadTest.get(http, productBase + "/sessions/current?consistent=true", bearer));
                functions.put("outside:GET /sessions/current?consistent=true (from the table)", "SessionsFunction");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int n : List.of(1, 4)) {
            for (var scenario : scenarios.entrySet()) {
                durations.clear();
                LoadTest.Scenario[] measured = LoadTest.alternating(n, window, slices, hello, scenario.getValue());
                Stats baseline = Stats.of(measured[0].latencies());
                Stats stats = Stats.of(measured[1].latencies());
                String[] name = scenario.getKey().split(":", 2);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("design", name[0]);
                row.put("scenario", name[1]);
                row.put("clients", n);
                row.put("latency", stats.json("ms"));
                row.put("errors", measured[1].errors());
                row.put("handlerDuration", Stats.of(durations.get(functions.get(scenario.getKey()))).json("ms"));
                row.put("baseline", Map.of("scenario", "GET /hello (no state)", "latency", baseline.json("ms")));
                row.put("ratioToBaselineMedian", Stats.round(stats.median() / baseline.median()));
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * A client's cookie copied after 5 visits, presented after 10 (the count it is shown), then again
     * after the session was ended: whether the ended session goes on.
     */
    private List<Map<String, Object>> replays(Stacks stacks) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Design design : DESIGNS) {
            Browser browser = new Browser(http, stacks.base(design));
            for (int i = 0; i < 5; i++) {
                browser.visit(design.visitPath());
            }
            Browser copied = browser.copy();
            for (int i = 0; i < 5; i++) {
                browser.visit(design.visitPath());
            }
            long whileLive = copied.copy().visit(design.visitPath());
            HttpResponse<String> end = browser.send("DELETE", design.endPath());
            long afterEnd = copied.copy().visit(design.visitPath());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("design", design.name());
            row.put("countBeforeCopy", 5);
            row.put("countBeforeReplay", 10);
            row.put("replayWhileLiveShows", whileLive);
            row.put("endStatus", end.statusCode());
            row.put("replayAfterEndShows", afterEnd);
            row.put("endedSessionGoesOn", afterEnd > 1);
            rows.add(row);
        }
        return rows;
    }

    /** The bytes each design's cookie takes, and the most session data a signed cookie carries. */
    private Map<String, Object> sizes(Stacks stacks) {
        Design signed = DESIGNS.get(2);
        int low = 0;
        int high = COOKIE_LIMIT;
        while (low < high) { // the largest pad whose cookie stays within the limit
            int mid = (low + high + 1) / 2;
            if (signedCookieBytes(stacks, signed, mid) <= COOKIE_LIMIT) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        Map<String, Object> sizes = new LinkedHashMap<>();
        Browser outside = new Browser(http, stacks.base(DESIGNS.get(0)));
        outside.visit("/");
        sizes.put("outsideCookieBytes", setCookieBytes(outside.send("GET", "/")));
        Browser memory = new Browser(http, stacks.base(DESIGNS.get(1)));
        memory.visit("/memory");
        sizes.put("memoryCookieBytes", setCookieBytes(memory.send("GET", "/memory")));
        sizes.put("signedCookieBytesEmpty", signedCookieBytes(stacks, signed, 0));
        sizes.put("signedMaxDataBytes", low);
        sizes.put("signedCookieBytesAtMax", signedCookieBytes(stacks, signed, low));
        sizes.put("outsideMaxDataBytes", Integer.parseInt(String.valueOf(
                product.parameters().get("SessionMaxDataBytes"))));
        sizes.put("cookieLimitBytes", COOKIE_LIMIT);
        return sizes;
    }

    private int signedCookieBytes(Stacks stacks, Design signed, int pad) {
        return setCookieBytes(new Browser(http, stacks.base(signed)).send("GET", signed.visitPath() + "?pad=" + pad));
    }

    /** The length of the answer's first Set-Cookie line, name, value and attributes. */
    private static int setCookieBytes(HttpResponse<String> response) {
        return response.headers().firstValue("set-cookie").orElseThrow().length();
    }
}
