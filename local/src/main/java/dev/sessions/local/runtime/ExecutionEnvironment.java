package dev.sessions.local.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.template.LambdaFunction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One execution environment: a function's own JVM, started as Lambda's Java runtime starts one
 * (the RIC as entry point, the artifact as working directory, the function's environment), and
 * the Lambda Runtime API it polls, served on its own loopback port. It runs one invocation at a
 * time. A timeout or crash kills it; the pool then starts a fresh one, as Lambda resets an
 * environment.
 */
public final class ExecutionEnvironment implements AutoCloseable {

    /** Lambda's cap on a response payload (local/README.md, "Fidelity"). */
    static final int MAX_RESPONSE_BYTES = 6_291_556;
    /** Lambda caps init at 10 s. */
    static final Duration INIT_LIMIT = Duration.ofSeconds(10);

    private final LambdaFunction function;
    private final HttpServer runtimeApi;
    private final ExecutorService serverThreads;
    private final Process process;
    private final LinkedBlockingQueue<Invocation> next = new LinkedBlockingQueue<>();
    private final AtomicReference<Invocation> inFlight = new AtomicReference<>();
    private final CompletableFuture<byte[]> initError = new CompletableFuture<>();
    private final long startedNanos = System.nanoTime();
    private volatile long initNanos = -1;
    private volatile boolean initialized;
    private volatile boolean closed;
    private volatile long lastUsedNanos = System.nanoTime();

    private record Invocation(String requestId, byte[] event, long timeoutMillis,
                              CompletableFuture<Long> pickedUp, CompletableFuture<InvocationResult> result) {
    }

    private ExecutionEnvironment(LambdaFunction function, HttpServer runtimeApi, ExecutorService serverThreads,
                                 Process process) {
        this.function = function;
        this.runtimeApi = runtimeApi;
        this.serverThreads = serverThreads;
        this.process = process;
    }

    /**
     * Starts a JVM for {@code function} from {@code artifact}. Returns at once; the runtime
     * initializes while the first invocation waits for it.
     *
     * @param environment the function's variables, without AWS_LAMBDA_RUNTIME_API (added here)
     */
    public static ExecutionEnvironment start(LambdaFunction function, FunctionArtifact artifact, JavaRuntime java,
                                             Map<String, String> environment, LogSink logs) {
        return start(function, artifact, java, environment, logs, null);
    }

    /** @param cpu the CPU share to run the JVM in (its MemorySize's), or {@code null} for none */
    public static ExecutionEnvironment start(LambdaFunction function, FunctionArtifact artifact, JavaRuntime java,
                                             Map<String, String> environment, LogSink logs, CpuShares cpu) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve a Runtime API on loopback", e);
        }
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        List<String> command = java.command(function.memoryMb(), function.handler());
        CpuShares.Limited limited = cpu == null ? null : cpu.limit(command, function.memoryMb());
        ProcessBuilder builder = new ProcessBuilder(limited == null ? command : limited.command())
                .directory(artifact.directory().toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + server.getAddress().getPort());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            server.stop(0);
            threads.shutdownNow();
            throw new UncheckedIOException("cannot start " + java.java(), e);
        }
        ExecutionEnvironment env = new ExecutionEnvironment(function, server, threads, process);
        server.createContext("/2018-06-01/runtime/", env::serve);
        server.start();
        pump(process.getInputStream(), function.logicalId(), logs, threads);
        pump(process.getErrorStream(), function.logicalId(), logs, threads);
        process.onExit().thenRun(env::onExit);
        if (limited != null) {
            process.onExit().thenRun(limited::release);
        }
        return env;
    }

    private static void pump(InputStream stream, String functionId, LogSink logs, ExecutorService threads) {
        threads.execute(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    logs.line(functionId, line);
                }
            } catch (IOException closed) {
                // the process ended
            }
        });
    }

    public LambdaFunction function() {
        return function;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return !closed && process.isAlive();
    }

    /** Nanos (System.nanoTime) when it last finished an invocation. */
    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /**
     * Runs one invocation and waits for its result, enforcing the function's Timeout by killing
     * the environment. Never throws for a function's failure: that is a failed result.
     */
    public InvocationResult invoke(byte[] event, String requestId) {
        long timeoutMillis = function.timeoutSeconds() * 1000L;
        Invocation invocation = new Invocation(requestId, event, timeoutMillis, new CompletableFuture<>(),
                new CompletableFuture<>());
        if (!inFlight.compareAndSet(null, invocation)) {
            throw new IllegalStateException("an execution environment runs one invocation at a time");
        }
        try {
            next.add(invocation);
            if (!isAlive()) {
                return exited(invocation);
            }
            long pickedUpNanos;
            try {
                long limit = initialized ? timeoutMillis : INIT_LIMIT.toMillis() + timeoutMillis;
                pickedUpNanos = invocation.pickedUp().get(limit, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                close();
                return timedOut(invocation);
            }
            long remaining = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pickedUpNanos);
            try {
                return invocation.result().get(Math.max(remaining, 1), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                close();
                return timedOut(invocation);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return InvocationResult.platformError("Runtime.Interrupted", "RequestId: " + requestId
                    + " Error: the local runtime was interrupted", false);
        } catch (ExecutionException e) {
            return exited(invocation);
        } finally {
            next.remove(invocation);
            inFlight.set(null);
            lastUsedNanos = System.nanoTime();
        }
    }

    private InvocationResult timedOut(Invocation invocation) {
        return InvocationResult.platformError("Sandbox.Timedout", String.format(Locale.ROOT,
                "RequestId: %s Error: Task timed out after %.2f seconds", invocation.requestId(),
                invocation.timeoutMillis() / 1000.0), true);
    }

    private InvocationResult exited(Invocation invocation) {
        if (initError.isDone()) {
            byte[] body = initError.getNow(new byte[0]);
            return InvocationResult.error(errorType(body, "Runtime.InitError"), body);
        }
        String status = process.isAlive() ? "killed" : "exit status " + process.exitValue();
        return InvocationResult.platformError("Runtime.ExitError", "RequestId: " + invocation.requestId()
                + " Error: Runtime exited with error: " + status, false);
    }

    private void onExit() {
        Invocation invocation = inFlight.get();
        if (invocation != null) {
            invocation.result().complete(exited(invocation));
            invocation.pickedUp().complete(System.nanoTime());
        }
        close();
    }

    // ------------------------------------------------------------------------- Runtime API

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring("/2018-06-01/runtime/".length());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                serveNext(exchange);
            } else if (method.equals("GET") && path.equals("restore/next")) {
                // a SnapStart function after its beforeCheckpoint hooks: the snapshot is taken and
                // restored at once (no CRaC JVM here), and its afterRestore hooks run next
                reply(exchange, 200, "");
            } else if (method.equals("POST") && (path.equals("init/error") || path.equals("restore/error"))) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                initError.complete(body);
                Invocation invocation = inFlight.get();
                if (invocation != null) {
                    invocation.result().complete(InvocationResult.error(errorType(body, "Runtime.InitError"), body));
                    invocation.pickedUp().complete(System.nanoTime());
                }
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.startsWith("invocation/")) {
                String[] parts = path.split("/");
                if (parts.length != 3 || !(parts[2].equals("response") || parts[2].equals("error"))) {
                    reply(exchange, 404, "{\"errorMessage\":\"Not Found\",\"errorType\":\"NotFound\"}");
                    return;
                }
                complete(exchange, parts[1], parts[2].equals("error"));
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"Not Found\",\"errorType\":\"NotFound\"}");
            }
        }
    }

    private void serveNext(HttpExchange exchange) throws IOException {
        if (!initialized) {
            initNanos = System.nanoTime() - startedNanos;
            initialized = true;
        }
        Invocation invocation;
        try {
            do {
                invocation = next.poll(1, TimeUnit.SECONDS);
            } while (invocation == null && !closed);
        } catch (InterruptedException e) {
            return;
        }
        if (invocation == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + invocation.timeoutMillis();
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", function.invokedArn(region(), "123456789012"));
        headers.set("Lambda-Runtime-Trace-Id", traceId());
        exchange.sendResponseHeaders(200, invocation.event().length == 0 ? -1 : invocation.event().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(invocation.event());
        }
        invocation.pickedUp().complete(System.nanoTime());
    }

    private void complete(HttpExchange exchange, String requestId, boolean error) throws IOException {
        Invocation invocation = inFlight.get();
        if (invocation == null || !invocation.requestId().equals(requestId) || invocation.result().isDone()) {
            reply(exchange, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
            return;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_RESPONSE_BYTES + 1);
        if (body.length > MAX_RESPONSE_BYTES) {
            reply(exchange, 413, "{\"errorMessage\":\"Exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES
                    + " bytes).\",\"errorType\":\"RequestEntityTooLarge\"}");
            invocation.result().complete(InvocationResult.platformError("Function.ResponseSizeTooLarge",
                    "Response payload size exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES + " bytes).",
                    false));
            return;
        }
        if (error) {
            String header = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
            invocation.result().complete(InvocationResult.error(errorType(body, header), body));
        } else {
            invocation.result().complete(InvocationResult.success(body));
        }
        reply(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static String errorType(byte[] body, String fallback) {
        try {
            if (Json.parse(new String(body, StandardCharsets.UTF_8)) instanceof Map<?, ?> map
                    && map.get("errorType") instanceof String type) {
                return type;
            }
        } catch (JsonException notJson) {
            // keep the fallback
        }
        return fallback == null ? "Runtime.Unknown" : fallback;
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String region() {
        String region = System.getenv("AWS_REGION");
        return region == null ? "us-east-1" : region;
    }

    /** An X-Ray trace header of the documented shape, unsampled: nothing sends segments locally. */
    private static String traceId() {
        String hex = UUID.randomUUID().toString().replace("-", "");
        return "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex.substring(0, 24)
                + ";Parent=" + hex.substring(8, 24) + ";Sampled=0";
    }

    /** Milliseconds from process start until the runtime first asked for work (its init), or -1. */
    public double initMillis() {
        return initNanos < 0 ? -1 : initNanos / 1e6;
    }

    /** Kills the JVM (and anything it started) and stops its Runtime API. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runtimeApi.stop(0);
        serverThreads.shutdownNow();
    }

    @Override
    public String toString() {
        return function.logicalId() + "[pid " + process.pid() + "]";
    }
}
