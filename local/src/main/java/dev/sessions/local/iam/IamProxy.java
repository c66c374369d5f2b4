package dev.sessions.local.iam;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessions.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The checking proxy between the functions and the AWS endpoint (the emulator): each request is
 * authenticated by its SigV4 signature (which key, so which function), its actions and resources
 * are read from the request ({@link ActionRequest}), and each is judged against the function's
 * role. Allowed requests go to the endpoint unchanged; a denied one gets the error AWS gives, in
 * the service's own shape ({@code AccessDeniedException}), and never reaches the endpoint.
 */
final class IamProxy implements AutoCloseable {

    /** Where a SnapStart function's container credentials endpoint is: {@code <proxy>/_credentials/<function>}. */
    static final String CREDENTIALS_PATH = "/_credentials/";

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final LocalIam iam;
    private final URI upstream;
    private final PrintStream log;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private IamProxy(LocalIam iam, URI upstream, PrintStream log, HttpServer server) {
        this.iam = iam;
        this.upstream = upstream;
        this.log = log;
        this.server = server;
    }

    static IamProxy start(LocalIam iam, URI upstream, PrintStream log) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            IamProxy proxy = new IamProxy(iam, upstream, log, server);
            server.createContext("/", proxy::handle);
            server.setExecutor(proxy.threads);
            server.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the IAM proxy", e);
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestURI().getPath().startsWith(CREDENTIALS_PATH)) {
                credentials(exchange);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            SigV4.Request request = new SigV4.Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, body);
            LocalIam.Verdict verdict = iam.judge(request, Instant.now());
            if (!verdict.allowed()) {
                if (verdict.denied() != null) {
                    log.println("IAM: denied " + verdict.denied());
                }
                String target = request.header("x-amz-target");
                refuse(exchange, target != null && target.startsWith("AmazonSQS"), verdict.errorType(), verdict.message());
                return;
            }
            forward(exchange, body);
        }
    }

    /**
     * The container credentials endpoint, as Lambda serves it to a SnapStart function: a GET with
     * the function's {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} as its Authorization header answers
     * the function's temporary credentials; anything else is refused.
     */
    private void credentials(HttpExchange exchange) throws IOException {
        String functionId = exchange.getRequestURI().getPath().substring(CREDENTIALS_PATH.length());
        var identity = iam.containerCredentials(functionId, exchange.getRequestHeaders().getFirst("Authorization"));
        if (!exchange.getRequestMethod().equals("GET") || identity.isEmpty()) {
            byte[] refused = "{\"message\":\"not authorized\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(403, refused.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(refused);
            }
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("AccessKeyId", identity.get().accessKeyId());
        answer.put("SecretAccessKey", identity.get().secret());
        answer.put("Token", identity.get().sessionToken());
        answer.put("Expiration", Instant.now().plus(Duration.ofHours(6)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString());
        byte[] bytes = Json.write(answer).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An error in the shape the AWS JSON protocol returns it: {@code __type} and the message. */
    private static void refuse(HttpExchange exchange, boolean sqs, String type, String message) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("__type", "com.amazon.coral.service#" + type);
        error.put(sqs ? "message" : "Message", message);
        byte[] bytes = Json.write(error).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        if (sqs) {
            exchange.getResponseHeaders().set("x-amzn-query-error",
                    (type.equals("AccessDeniedException") ? "AccessDenied" : type) + ";Sender");
        }
        exchange.sendResponseHeaders(sqs ? 403 : 400, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            // the endpoint is down: the caller sees a connection failure, as it would without the proxy
            exchange.close();
            return;
        }
        Headers out = exchange.getResponseHeaders();
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                out.put(name, new ArrayList<>(values));
            }
        });
        byte[] bytes = response.body();
        if (response.statusCode() == 200) {
            iam.answered(exchange.getRequestHeaders().getFirst("X-Amz-Target"), body, bytes);
        }
        exchange.sendResponseHeaders(response.statusCode(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream stream = exchange.getResponseBody()) {
                stream.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
