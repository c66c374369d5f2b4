package dev.sessions.bench;

import dev.sessions.json.Json;
import dev.sessions.local.runtime.FunctionArtifact;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.LambdaFunction;
import dev.sessions.local.template.Template;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Cold starts: a fresh execution environment (a new JVM on the Java 21 runtime with Lambda's
 * flags) per run, through the local runtime's Runtime API, from process start to the first
 * response; the bare SDK baseline and the dependency probes in the same interleaved runs. Also
 * what SnapStart priming saves: the first invocation's own time with the warm-up done at init.
 */
final class ColdStarts {

    /** A function to start cold, with its first event. */
    record Target(String name, Template template, Path build, String function, byte[] event,
                          Map<String, String> extra) {
    }

    /** One cold start: the whole, its init, and the first invocation after init. */
    record Run(double totalMs, double initMs, double invokeMs) {
    }

    private ColdStarts() {
    }

    static void run(Bench bench) {
        Template project = bench.project("bench-cold");
        Template probes = bench.probes(project.tables().get("SessionsTable").name());
        Map<String, String> none = Map.of();
        Map<String, String> primed = Map.of("PRIME_AT_INIT", "true");
        List<Target> functions = List.of(
                new Target("HelloFunction", project, bench.projectBuild(), "HelloFunction", bench.event("hello.json"), none),
                new Target("VisitsFunction", project, bench.projectBuild(), "VisitsFunction", bench.event("visits-first.json"), none),
                new Target("SessionsFunction", project, bench.projectBuild(), "SessionsFunction", bench.event("sessions-create.json"), none),
                new Target("AdminFunction", project, bench.projectBuild(), "AdminFunction", bench.event("admin-list.json"), none),
                new Target("StatsFunction", project, bench.projectBuild(), "StatsFunction", bench.event("stats.json"), none),
                new Target("AggregatesFunction", project, bench.projectBuild(), "AggregatesFunction", bench.event("stream-insert.json"), none),
                new Target("SessionSyncFunction", project, bench.projectBuild(), "SessionSyncFunction", bench.event("stream-insert.json"), none));
        Target baseline = new Target("Baseline", probes, bench.probeBuild(), "BaselineFunction", "{}".getBytes(), none);
        List<Target> primedTargets = List.of(
                new Target("VisitsFunction primed", project, bench.projectBuild(), "VisitsFunction", bench.event("visits-first.json"), primed),
                new Target("SessionsFunction primed", project, bench.projectBuild(), "SessionsFunction", bench.event("sessions-create.json"), primed),
                new Target("AdminFunction primed", project, bench.projectBuild(), "AdminFunction", bench.event("admin-list.json"), primed),
                new Target("StatsFunction primed", project, bench.projectBuild(), "StatsFunction", bench.event("stats.json"), primed));
        List<Target> dependencyProbes = new ArrayList<>();
        for (String probe : List.of("BaselineApache5Function", "BaselineCrtFunction", "BaselineXrayFunction",
                "RedisRespFunction", "RedisJedisFunction", "JsonOwnFunction", "JsonJacksonFunction", "NoopFunction",
                "LogLineFunction", "LogPowertoolsFunction")) {
            dependencyProbes.add(new Target(probe, probes, bench.probeBuild(), probe, "{}".getBytes(), none));
        }
        List<Target> all = new ArrayList<>();
        all.add(baseline);
        all.addAll(functions);
        all.addAll(primedTargets);
        all.addAll(dependencyProbes);

        // the same handlers started with a plain java -cp, no Runtime API: the local runtime's share
        Map<String, List<String>> plainStarts = new LinkedHashMap<>();
        plainStarts.put("HelloFunction", List.of("GET", "/hello"));
        plainStarts.put("VisitsFunction", List.of("GET", "/"));

        int runs = bench.quick ? 3 : 10;
        Map<String, List<Run>> measured = new LinkedHashMap<>();
        Map<String, List<Double>> plain = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (Target target : all) { // interleaved, so that drift of the machine spreads over every target
                measured.computeIfAbsent(target.name(), k -> new ArrayList<>()).add(once(bench, target));
            }
            plainStarts.forEach((function, request) -> plain.computeIfAbsent(function, k -> new ArrayList<>())
                    .add(plainOnce(bench, project, function, request.get(0), request.get(1))));
            System.err.printf("bench: cold starts, run %d of %d%n", i + 1, runs);
        }

        Stats base = totals(measured.get("Baseline"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Target target : functions) {
            rows.add(row(target.name(), measured.get(target.name()), base));
        }
        bench.write("coldstart", "A fresh JVM per run (Java 21, Lambda's java21 flags, heap from MemorySize 1024), started by"
                + " the local runtime and served its first event through the Lambda Runtime API; total = process start to"
                + " the first response; init = process start to the runtime's first /next; invoke = the first invocation"
                + " after init. Targets interleaved within each run. The baseline is a bare AWS SDK v2 program (build a"
                + " DynamoDB client, get one item) through the same path. Plain start: the same handler started with"
                + " java -cp on the same JVM and flags, given one request built in code (no Runtime API, no Runtime"
                + " Interface Client), process start to its printed response.",
                Map.of("baseline", row("Baseline", measured.get("Baseline"), base), "results", rows,
                        "plainStart", plainRows(plain, measured)));

        List<Map<String, Object>> priming = new ArrayList<>();
        for (Target target : primedTargets) {
            String function = target.function();
            Stats plainInvoke = Stats.of(measured.get(function).stream().map(Run::invokeMs).toList());
            Stats primedInvoke = Stats.of(measured.get(target.name()).stream().map(Run::invokeMs).toList());
            Stats plainInit = Stats.of(measured.get(function).stream().map(Run::initMs).toList());
            Stats primedInit = Stats.of(measured.get(target.name()).stream().map(Run::initMs).toList());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("function", function);
            row.put("firstInvokeWithout", plainInvoke.json("ms"));
            row.put("firstInvokeWith", primedInvoke.json("ms"));
            row.put("initWithout", plainInit.json("ms"));
            row.put("initWith", primedInit.json("ms"));
            row.put("savedMs", Stats.round(plainInvoke.median() - primedInvoke.median()));
            priming.add(row);
        }
        bench.write("priming", "What SnapStart priming moves out of the first request: the same cold starts with the"
                + " functions' beforeCheckpoint warm-up run at init (PRIME_AT_INIT=true), as it runs before a snapshot;"
                + " with SnapStart the init, warm-up included, is in the snapshot, and the first invocation after a"
                + " restore is what remains.", Map.of("results", priming));

        List<Map<String, Object>> choices = new ArrayList<>();
        choices.add(row("Baseline (url-connection)", measured.get("Baseline"), base));
        for (Target probe : dependencyProbes) {
            choices.add(row(probe.name(), measured.get(probe.name()), base));
        }
        bench.write("dependencies", "Cold starts of probe functions that differ in one dependency, in the same interleaved"
                + " runs: the baseline with each HTTP client (url-connection, Apache 5, CRT) and with the X-Ray SDK"
                + " instrumentor; one Redis GET with this project's RESP client and with Jedis; one session document parsed"
                + " and written with this project's JSON code and with Jackson; a handler that does nothing, the same"
                + " with the request's log line and its embedded metrics, and the same line and metrics written with"
                + " Powertools' logging (Log4j 2) and metrics utilities through their functional API. Ratios are to the url-connection baseline.",
                Map.of("results", choices));
    }

    static Run once(Bench bench, Target target) {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LocalLambda lambda = bench.lambda(target.template(), target.build(), target.extra(), 1, (f, l) -> lines.add(l))) {
            lambda.check(target.function());
            long started = System.nanoTime();
            InvocationResult result = lambda.invoke(target.function(), target.event());
            double total = (System.nanoTime() - started) / 1e6;
            if (result.failed()) {
                throw new IllegalStateException(target.name() + " failed: " + result.payloadText());
            }
            for (String line : lines) {
                if (line.contains("\"platform.report\"")) {
                    Map<?, ?> metrics = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(line)).get("record")).get("metrics");
                    return new Run(total, number(metrics.get("initDurationMs")), number(metrics.get("durationMs")));
                }
            }
            throw new IllegalStateException(target.name() + ": no platform.report line");
        }
    }

    /** One plain {@code java -cp} start of {@code function}'s handler with one request: process start to its answer. */
    private static double plainOnce(Bench bench, Template template, String functionId, String method, String path) {
        LambdaFunction function = template.functions().get(functionId);
        List<Path> classpath = new ArrayList<>(FunctionArtifact.locate(bench.projectBuild(), functionId).jars());
        classpath.add(bench.root.resolve("bench/harness/target/bench-harness.jar"));
        Map<String, String> env = new HashMap<>(function.environment());
        env.computeIfPresent("REDIS_URL", (k, v) -> bench.redisUrl);
        env.computeIfPresent("COOKIE_SECURE", (k, v) -> "false");
        env.putAll(bench.aws);
        ProcessBuilder builder = new ProcessBuilder(bench.java.plainCommand(function.memoryMb(), classpath,
                PlainStart.class.getName(), List.of(function.handler().split("::")[0], method, path)));
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        List<String> output = new ArrayList<>();
        try {
            long started = System.nanoTime();
            Process process = builder.start();
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("status ")) {
                        double total = (System.nanoTime() - started) / 1e6;
                        if (Integer.parseInt(line.substring(7).trim()) >= 500) {
                            throw new IllegalStateException(functionId + " plain start answered " + line + ": " + output);
                        }
                        process.waitFor();
                        return total;
                    }
                    output.add(line);
                }
            }
            throw new IllegalStateException(functionId + " plain start exited " + process.waitFor() + " without an answer: "
                    + output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static List<Map<String, Object>> plainRows(Map<String, List<Double>> plain, Map<String, List<Run>> measured) {
        List<Map<String, Object>> rows = new ArrayList<>();
        plain.forEach((function, starts) -> {
            Stats plainStats = Stats.of(starts);
            Stats viaRuntime = totals(measured.get(function));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("function", function);
            row.put("viaRuntime", viaRuntime.json("ms"));
            row.put("plain", plainStats.json("ms"));
            row.put("runtimeShareMs", Stats.round(viaRuntime.median() - plainStats.median()));
            row.put("ratioToPlain", Stats.round(viaRuntime.median() / plainStats.median()));
            rows.add(row);
        });
        return rows;
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    static Stats totals(List<Run> runs) {
        return Stats.of(runs.stream().map(Run::totalMs).toList());
    }

    static Map<String, Object> row(String name, List<Run> runs, Stats baseline) {
        Stats total = totals(runs);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("function", name);
        row.put("total", total.json("ms"));
        row.put("init", Stats.of(runs.stream().map(Run::initMs).toList()).json("ms"));
        row.put("firstInvoke", Stats.of(runs.stream().map(Run::invokeMs).toList()).json("ms"));
        row.put("ratioToBaseline", Stats.round(total.median() / baseline.median()));
        return row;
    }
}
