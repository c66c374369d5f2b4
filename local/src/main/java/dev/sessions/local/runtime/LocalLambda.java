package dev.sessions.local.runtime;

import dev.sessions.json.Json;
import dev.sessions.local.iam.LocalIam;
import dev.sessions.local.template.LambdaFunction;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local stand-in for the Lambda service: invokes a template's functions from their
 * {@code sam build} artifacts, each in pools of execution environments (separate JVMs), and
 * writes Lambda's START, END and REPORT lines around each invocation.
 */
public final class LocalLambda implements AutoCloseable {

    private final Map<String, java.util.concurrent.atomic.AtomicLong> invocations = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * How functions run locally.
     *
     * @param buildDir the {@code sam build} output, {@code .aws-sam/build}
     * @param java the runtime functions run on
     * @param maxEnvironments at most this many environments (JVMs) per function: a limit of this
     *     machine, past which invocations wait for one (ReservedConcurrentExecutions lowers it)
     * @param idleTimeout environments idle this long are ended
     * @param aws what every function's environment gets of AWS: region, credentials, endpoint
     * @param overrides environment overrides as {@code sam local --env-vars} reads them
     * @param logs where function output goes
     * @param iam each function's own identity and the checking proxy its AWS calls go through, or
     *     {@code null} when IAM is not enforced (every function then runs with {@code aws}'s credentials)
     * @param cpu each JVM's CPU share, or {@code null} for none
     * @param accountConcurrency the account's concurrency (Lambda's default 1,000), which every
     *     function without ReservedConcurrentExecutions shares: past it, invocations are throttled
     */
    public record Settings(Path buildDir, JavaRuntime java, int maxEnvironments, Duration idleTimeout,
                           Map<String, String> aws, Map<String, Map<String, String>> overrides, LogSink logs,
                           LocalIam iam, CpuShares cpu, int accountConcurrency) {
        public Settings {
            aws = Map.copyOf(aws);
            overrides = Map.copyOf(overrides);
        }

        /** Settings with IAM and the CPU share, in an account of Lambda's default concurrency. */
        public Settings(Path buildDir, JavaRuntime java, int maxEnvironments, Duration idleTimeout,
                        Map<String, String> aws, Map<String, Map<String, String>> overrides, LogSink logs,
                        LocalIam iam, CpuShares cpu) {
            this(buildDir, java, maxEnvironments, idleTimeout, aws, overrides, logs, iam, cpu,
                    Concurrency.DEFAULT_ACCOUNT_LIMIT);
        }

        /** Settings with IAM, the CPU unlimited. */
        public Settings(Path buildDir, JavaRuntime java, int maxEnvironments, Duration idleTimeout,
                        Map<String, String> aws, Map<String, Map<String, String>> overrides, LogSink logs,
                        LocalIam iam) {
            this(buildDir, java, maxEnvironments, idleTimeout, aws, overrides, logs, iam, null);
        }

        /** Settings without IAM enforcement. */
        public Settings(Path buildDir, JavaRuntime java, int maxEnvironments, Duration idleTimeout,
                        Map<String, String> aws, Map<String, Map<String, String>> overrides, LogSink logs) {
            this(buildDir, java, maxEnvironments, idleTimeout, aws, overrides, logs, null, null);
        }
    }

    /** Lambda caps a function's init at 10 s. */
    static final Duration INIT_LIMIT = Duration.ofSeconds(10);

    private final Template template;
    private final Settings settings;
    /** The account's concurrency that every function without a reservation shares. */
    private final Concurrency unreserved;
    private final Map<String, EnvironmentPool> pools = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "environment-reaper");
        thread.setDaemon(true);
        return thread;
    });

    public LocalLambda(Template template, Settings settings) {
        this.template = template;
        this.settings = settings;
        int reserved = 0;
        for (LambdaFunction function : template.functions().values()) {
            reserved += function.reservedConcurrency() == null ? 0 : function.reservedConcurrency();
        }
        this.unreserved = Concurrency.unreserved(settings.accountConcurrency(), reserved);
        long period = Math.max(1, Math.min(30, settings.idleTimeout().toSeconds() / 2));
        reaper.scheduleAtFixedRate(() -> pools.values().forEach(p -> p.reapIdle(settings.idleTimeout())),
                period, period, TimeUnit.SECONDS);
    }

    public Template template() {
        return template;
    }

    /** The IAM enforcement its functions run under, or {@code null} when there is none. */
    public LocalIam iam() {
        return settings.iam();
    }

    /**
     * Checks that {@code functionId} can run: it exists, has a Java runtime and a build artifact.
     *
     * @throws TemplateException naming what is missing
     */
    public void check(String functionId) {
        pool(functionId);
    }

    /** Invokes a function synchronously with {@code event} and returns what Lambda's Invoke API would. */
    public InvocationResult invoke(String functionId, byte[] event) {
        EnvironmentPool pool = pool(functionId);
        invocations.computeIfAbsent(functionId, id -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
        LambdaFunction function = template.function(functionId);
        String requestId = UUID.randomUUID().toString();
        EnvironmentPool.Lease lease;
        try {
            lease = pool.acquire();
        } catch (EnvironmentPool.Throttled e) {
            // Lambda writes nothing to the function's log
            return InvocationResult.throttled(e.reason(), "Rate Exceeded.");
        } catch (EnvironmentPool.EnvironmentsBusy e) {
            settings.logs().line(functionId, "local runtime: " + e.getMessage());
            return InvocationResult.platformError("Local.EnvironmentsBusy", e.getMessage(), false);
        }
        ExecutionEnvironment environment = lease.environment();
        boolean coldStart = environment.initMillis() < 0;
        platformLine(function, "start", requestId, null);
        long started = System.nanoTime();
        InvocationResult result = environment.invoke(event, requestId);
        double durationMs = (System.nanoTime() - started) / 1e6;
        platformLine(function, "end", requestId, null);
        Map<String, Object> metrics = new LinkedHashMap<>();
        double initMs = environment.initMillis();
        if (coldStart && initMs >= 0) {
            durationMs = Math.max(0, durationMs - initMs);
        }
        metrics.put("durationMs", round(durationMs));
        metrics.put("billedDurationMs", (long) Math.ceil(durationMs));
        metrics.put("memorySizeMB", function.memoryMb());
        long peak = peakMemoryMb(environment.pid());
        if (peak > 0) {
            metrics.put("maxMemoryUsedMB", peak);
        }
        if (coldStart && initMs >= 0) {
            metrics.put("initDurationMs", round(initMs));
        }
        platformLine(function, "report", requestId, Map.of("metrics", metrics,
                "status", result.timedOut() ? "timeout" : result.failed() ? "error" : "success"));
        pool.release(lease);
        return result;
    }

    /** How many invocations of a function were asked for so far (throttled ones included). */
    public long invocations(String functionId) {
        var count = invocations.get(functionId);
        return count == null ? 0 : count.get();
    }

    /** How many of a function's environments are serving an invocation now. */
    public int busyEnvironments(String functionId) {
        EnvironmentPool pool = pools.get(functionId);
        return pool == null ? 0 : pool.busy();
    }

    /** How many environments a function has now. */
    public int environments(String functionId) {
        EnvironmentPool pool = pools.get(functionId);
        return pool == null ? 0 : pool.size();
    }

    /**
     * Ends every idle environment of a function, as Lambda may recycle an environment at any time;
     * the next invocation starts a fresh one (a cold start, the memory of the old one gone). Busy
     * environments finish first: call it between requests. @return how many ended
     */
    public int recycle(String functionId) {
        EnvironmentPool pool = pools.get(functionId);
        return pool == null ? 0 : pool.endIdle();
    }

    private EnvironmentPool pool(String functionId) {
        EnvironmentPool existing = pools.get(functionId);
        if (existing != null) {
            return existing;
        }
        LambdaFunction function = template.function(functionId);
        if (!function.runtime().startsWith("java")) {
            throw new TemplateException(functionId + " has Runtime " + function.runtime()
                    + ", which the local runtime does not run (it runs Java runtimes)");
        }
        FunctionArtifact artifact = FunctionArtifact.locate(settings.buildDir(), functionId);
        Map<String, String> environment = environmentOf(function, artifact);
        Concurrency concurrency = function.reservedConcurrency() == null ? unreserved
                : Concurrency.reserved(function.reservedConcurrency());
        int environments = Math.max(1, Math.min(settings.maxEnvironments(), concurrency.limit()));
        // an invocation waits for a busy machine's environment as long as a cold start could take on Lambda
        Duration maxWait = INIT_LIMIT.plusMillis(function.timeoutSeconds() * 1000L);
        // what the function writes reaches its log as Lambda filters it (LoggingConfig's levels)
        LogLevelFilter filter = LogLevelFilter.of(function);
        LogSink filtered = (id, line) -> {
            if (filter.keeps(line)) {
                settings.logs().line(id, line);
            }
        };
        return pools.computeIfAbsent(functionId, id -> new EnvironmentPool(function, concurrency, environments, maxWait,
                () -> ExecutionEnvironment.start(function, artifact, settings.java(), environment, filtered,
                        settings.cpu())));
    }

    /**
     * A function's environment variables, as Lambda sets them: the template's (with any
     * overrides), then the reserved ones Lambda owns, which a template cannot change.
     */
    Map<String, String> environmentOf(LambdaFunction function, FunctionArtifact artifact) {
        Map<String, String> env = new LinkedHashMap<>(function.environment());
        // sam local semantics: only variables the template declares can be overridden
        for (String section : List.of("Parameters", function.logicalId())) {
            settings.overrides().getOrDefault(section, Map.of()).forEach((name, value) -> {
                if (env.containsKey(name)) {
                    env.put(name, value);
                }
            });
        }
        if (settings.iam() == null) {
            env.putAll(settings.aws());
        } else if (function.snapStart()) {
            env.putAll(settings.iam().containerEnvironmentOf(function.logicalId(), settings.aws()));
        } else {
            env.putAll(settings.iam().environmentOf(function.logicalId(), settings.aws()));
        }
        String region = settings.aws().getOrDefault("AWS_REGION", template.settings().region());
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + function.runtime());
        env.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", function.version());
        // the Java runtime's client runs beforeCheckpoint, asks restore/next, then runs afterRestore
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", function.snapStart() ? "snap-start" : "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy/MM/dd"))
                + "/[" + function.version() + "]" + UUID.randomUUID().toString().replace("-", ""));
        if ("JSON".equalsIgnoreCase(function.logFormat())) {
            env.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
            if (function.applicationLogLevel() != null) {
                env.put("AWS_LAMBDA_LOG_LEVEL", function.applicationLogLevel());
            }
        }
        env.put("LAMBDA_TASK_ROOT", artifact.directory().toString());
        env.put("LAMBDA_RUNTIME_DIR", settings.java().ricClasspath().getFirst().getParent().toString());
        env.put("_HANDLER", function.handler());
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        return env;
    }

    /** Lambda's platform lines: text START/END/REPORT, or platform.* records with the JSON log format. */
    private void platformLine(LambdaFunction function, String kind, String requestId, Map<String, Object> extra) {
        if (!LogLevelFilter.of(function).keepsPlatform("INFO")) {
            return; // start, runtimeDone and report are INFO: below a SystemLogLevel of WARN
        }
        if ("JSON".equalsIgnoreCase(function.logFormat())) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("requestId", requestId);
            if (kind.equals("start")) {
                record.put("version", function.version());
            }
            if (extra != null) {
                record.putAll(extra);
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", Instant.now().toString());
            line.put("type", "platform." + (kind.equals("end") ? "runtimeDone" : kind));
            line.put("record", record);
            settings.logs().line(function.logicalId(), Json.write(line));
            return;
        }
        switch (kind) {
            case "start" -> settings.logs().line(function.logicalId(), "START RequestId: " + requestId + " Version: $LATEST");
            case "end" -> settings.logs().line(function.logicalId(), "END RequestId: " + requestId);
            default -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> metrics = (Map<String, Object>) extra.get("metrics");
                StringBuilder line = new StringBuilder("REPORT RequestId: ").append(requestId)
                        .append("\tDuration: ").append(metrics.get("durationMs")).append(" ms")
                        .append("\tBilled Duration: ").append(metrics.get("billedDurationMs")).append(" ms")
                        .append("\tMemory Size: ").append(metrics.get("memorySizeMB")).append(" MB");
                if (metrics.containsKey("maxMemoryUsedMB")) {
                    line.append("\tMax Memory Used: ").append(metrics.get("maxMemoryUsedMB")).append(" MB");
                }
                if (metrics.containsKey("initDurationMs")) {
                    line.append("\tInit Duration: ").append(metrics.get("initDurationMs")).append(" ms");
                }
                settings.logs().line(function.logicalId(), line.toString());
            }
        }
    }

    /** The JVM's peak resident memory (VmHWM), as Lambda's Max Memory Used reports it, or -1. */
    private static long peakMemoryMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException | SecurityException gone) {
            // the process has ended or /proc is not there
        }
        return -1;
    }

    private static java.math.BigDecimal round(double ms) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.2f", ms));
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        pools.values().forEach(EnvironmentPool::close);
        pools.clear();
        if (settings.iam() != null) {
            settings.iam().close();
        }
    }
}
