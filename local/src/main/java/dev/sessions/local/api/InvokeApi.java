package dev.sessions.local.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.LambdaFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lambda's Invoke API on loopback, as {@code sam local start-lambda} offers it: {@code POST
 * /2015-03-31/functions/{name}/invocations} for every function of the template, by logical id,
 * local function name or ARN, with an optional qualifier ({@code :live}, the alias, or the
 * version). {@code RequestResponse} answers the payload (a function error with
 * {@code X-Amz-Function-Error}), {@code Event} answers 202 and runs it after, {@code DryRun} 204.
 * Lambda's own errors come in its shapes: 404 {@code ResourceNotFoundException}, 400
 * {@code InvalidRequestContentException}, 413 {@code RequestEntityTooLargeException}, 429
 * {@code TooManyRequestsException}. {@code POST /proxy/{name}} serves emulators' Lambda proxies
 * (see {@link #PROXY}).
 */
public final class InvokeApi implements AutoCloseable {

    private static final Pattern PATH = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");
    /**
     * The form an emulator's Lambda proxy speaks (MiniStack's proxy mode, say): the event in, the
     * function's answer out, and a function error as a non-2xx answer (502), which such proxies
     * take as the invocation failing, so that a stream batch is retried as on AWS.
     */
    private static final Pattern PROXY = Pattern.compile("/proxy/([^/]+)");
    /** Lambda's synchronous payload limit. */
    static final int MAX_PAYLOAD = 6 * 1024 * 1024;

    private final LocalLambda lambda;
    private final PrintStream log;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * Binds the port on 127.0.0.1 and starts serving.
     *
     * @param port 0 for any free port
     * @throws LocalRuntimeException when the port is in use
     */
    public InvokeApi(LocalLambda lambda, int port, PrintStream log) {
        this.lambda = lambda;
        this.log = log;
        server = Listener.start("127.0.0.1", port, this::handle, threads);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            Matcher path = PATH.matcher(exchange.getRequestURI().getRawPath());
            Matcher proxy = PROXY.matcher(exchange.getRequestURI().getRawPath());
            boolean proxied = proxy.matches();
            if (proxied) {
                path = proxy;
            }
            if (!(proxied || path.matches()) || !exchange.getRequestMethod().equals("POST")) {
                error(exchange, 404, "UnknownOperationException", "Unknown operation " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath());
                return;
            }
            String name = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
            String qualifier = Optional.ofNullable(exchange.getRequestURI().getQuery()).map(InvokeApi::qualifierOf).orElse(null);
            Optional<LambdaFunction> function = find(name);
            if (function.isEmpty() || !qualifierFits(function.get(), qualifierIn(name, qualifier))) {
                error(exchange, 404, "ResourceNotFoundException", "Function not found: " + name
                        + (qualifier == null ? "" : ":" + qualifier));
                return;
            }
            byte[] payload = exchange.getRequestBody().readNBytes(MAX_PAYLOAD + 1);
            if (payload.length > MAX_PAYLOAD) {
                error(exchange, 413, "RequestEntityTooLargeException", "Request must be smaller than " + MAX_PAYLOAD
                        + " bytes for the InvokeFunction operation");
                return;
            }
            if (payload.length == 0) {
                payload = "{}".getBytes(StandardCharsets.UTF_8);
            }
            try {
                Json.parse(new String(payload, StandardCharsets.UTF_8), 512);
            } catch (JsonException e) {
                error(exchange, 400, "InvalidRequestContentException", "Could not parse request body into json: "
                        + e.getMessage());
                return;
            }
            String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"))
                    .orElse("RequestResponse");
            String id = function.get().logicalId();
            switch (type) {
                case "DryRun" -> send(exchange, 204, Map.of(), new byte[0]);
                case "Event" -> {
                    byte[] event = payload;
                    threads.submit(() -> lambda.invoke(id, event));
                    send(exchange, 202, Map.of(), new byte[0]);
                }
                case "RequestResponse" -> respond(exchange, function.get(), lambda.invoke(id, payload), proxied);
                default -> error(exchange, 400, "InvalidParameterValueException", "X-Amz-Invocation-Type must be"
                        + " RequestResponse, Event or DryRun, not " + type);
            }
            log.printf(Locale.ROOT, "Invoke %s (%s)%n", id, type);
        } catch (IOException | RuntimeException e) {
            log.println("error: invoke: " + e);
        }
    }

    private void respond(HttpExchange exchange, LambdaFunction function, InvocationResult result, boolean proxied)
            throws IOException {
        if (result.throttled()) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", "TooManyRequestsException");
            send(exchange, 429, Map.of(), result.payload());
            return;
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("X-Amz-Executed-Version", function.snapStart() ? function.version() : "$LATEST");
        if (result.functionError() != null) {
            headers.put("X-Amz-Function-Error", result.functionError());
        }
        send(exchange, proxied && result.functionError() != null ? 502 : 200, headers, result.payload());
    }

    /** A function by logical id, local name or ARN ({@code arn:aws:lambda:<region>:<account>:function:<name>[:q]}). */
    private Optional<LambdaFunction> find(String name) {
        String bare = name;
        if (bare.startsWith("arn:")) {
            String[] parts = bare.split(":");
            bare = parts.length >= 7 ? parts[6] : bare;
        } else if (bare.contains(":")) {
            bare = bare.substring(0, bare.indexOf(':'));
        }
        String wanted = bare;
        return lambda.template().functions().values().stream()
                .filter(f -> f.logicalId().equals(wanted) || f.name().equals(wanted)).findFirst();
    }

    /** The qualifier a name or ARN carries ({@code name:q}, {@code arn:...:function:name:q}), else {@code query}'s. */
    private static String qualifierIn(String name, String query) {
        String[] parts = name.split(":");
        if (name.startsWith("arn:")) {
            return parts.length >= 8 ? parts[7] : query;
        }
        return parts.length == 2 ? parts[1] : query;
    }

    private static boolean qualifierFits(LambdaFunction function, String qualifier) {
        return qualifier == null || qualifier.equals("$LATEST") || qualifier.equals(function.alias())
                || (function.snapStart() && qualifier.equals(function.version()));
    }

    private static String qualifierOf(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("Qualifier=")) {
                return URLDecoder.decode(pair.substring("Qualifier=".length()), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        send(exchange, status, Map.of(), Json.write(Map.of("Type", "User", "Message", message))
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
