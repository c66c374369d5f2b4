package dev.sessions.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP endpoint in front of the real emulator that passes every request through, except those
 * a rule picks (by the AWS JSON protocol's operation, {@code X-Amz-Target}), which it fails as a
 * network or DynamoDB would: answer lost after the emulator applied the request (the connection
 * closes with no response, so the SDK retries what already committed), or an error of DynamoDB's
 * own shape without passing the request on. The real SDK, its retries and our code run against it.
 */
public final class FaultyEndpoint implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    /** What a rule does to a request it picks. */
    public sealed interface Fault permits LoseAnswer, Answer, Delay, Before {
    }

    /** Pass the request on, then close the connection instead of answering: it committed, the caller cannot know. */
    public record LoseAnswer() implements Fault {
    }

    /** Answer with this status and body (a DynamoDB error, or with a null type an answer) instead of passing the request on. */
    public record Answer(int status, String errorType, String body) implements Fault {
    }

    /** Pass the request on after {@code delay}: a slow DynamoDB. */
    public record Delay(Duration delay) implements Fault {
    }

    /** Run {@code action} (another client's write, say), then pass the request on: a race lost for real. */
    public record Before(Runnable action) implements Fault {
    }

    /** Picks requests of one operation by their number among that operation's requests (1, 2, ...). */
    private record Rule(String operation, AtomicInteger seen, int skip, int times, int period, Fault fault) {
        boolean picks() {
            int n = seen.incrementAndGet();
            return period > 0 ? n % period == 0 : n > skip && n <= skip + times;
        }
    }

    private final HttpServer server;
    private final URI upstream;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger faults = new AtomicInteger();
    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();

    private FaultyEndpoint(HttpServer server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    /** Starts on a free loopback port in front of {@code upstream}. */
    public static FaultyEndpoint start(URI upstream) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
            FaultyEndpoint endpoint = new FaultyEndpoint(server, upstream);
            server.createContext("/", endpoint::handle);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "faulty-endpoint");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoint to point a client at. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Fails the requests of {@code operation} (such as {@code UpdateItem}): after letting {@code skip}
     * of them through, the next {@code times} get {@code fault}.
     */
    public FaultyEndpoint fail(String operation, int skip, int times, Fault fault) {
        rules.add(new Rule(operation, new AtomicInteger(), skip, times, 0, fault));
        return this;
    }

    /**
     * Fails every {@code period}-th request of {@code operation} (the third, the sixth, ...): a
     * retry of a failed request is the next one, which goes through.
     */
    public FaultyEndpoint failEvery(String operation, int period, Fault fault) {
        rules.add(new Rule(operation, new AtomicInteger(), 0, 0, period, fault));
        return this;
    }

    /** Fails the next request of {@code operation} once. */
    public FaultyEndpoint failNext(String operation, Fault fault) {
        return fail(operation, 0, 1, fault);
    }

    /** DynamoDB's throttling error. */
    public static Answer throttled() {
        return new Answer(400, "ProvisionedThroughputExceededException",
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                        + "\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}");
    }

    /** A cancelled transaction with these reason codes, one per item ({@code None} for an item that was fine). */
    public static Answer transactionCanceled(String... codes) {
        StringBuilder reasons = new StringBuilder();
        for (String code : codes) {
            if (!reasons.isEmpty()) {
                reasons.append(',');
            }
            reasons.append("{\"Code\":\"").append(code).append("\"}");
        }
        return new Answer(400, "TransactionCanceledException",
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"message\":"
                        + "\"Transaction cancelled, please refer cancellation reasons for specific reasons ["
                        + String.join(", ", codes) + "]\",\"CancellationReasons\":[" + reasons + "]}");
    }

    /** How many requests it failed so far. */
    public int faults() {
        return faults.get();
    }

    /** How many requests of {@code operation} came so far. */
    public int calls(String operation) {
        return arrivals.getOrDefault(operation, List.of()).size();
    }

    /** The times between one request of {@code operation} and the next, in the order they came. */
    public List<Duration> gaps(String operation) {
        List<Long> times = List.copyOf(arrivals.getOrDefault(operation, List.of()));
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(Duration.ofNanos(times.get(i) - times.get(i - 1)));
        }
        return gaps;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
            arrivals.computeIfAbsent(operation, o -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            Fault fault = faultFor(operation);
            if (fault instanceof Answer answer) {
                byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
                if (answer.errorType() != null) {
                    exchange.getResponseHeaders().set("x-amzn-ErrorType", answer.errorType());
                }
                exchange.sendResponseHeaders(answer.status(), bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
                return;
            }
            if (fault instanceof Delay delay) {
                try {
                    Thread.sleep(delay.delay()); // the fault itself: a slow answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else if (fault instanceof Before before) {
                before.action().run();
            }
            HttpResponse<byte[]> response = forward(exchange, body);
            if (fault instanceof LoseAnswer) {
                return; // closing the exchange with no response closes the connection: the answer is lost
            }
            Headers headers = exchange.getResponseHeaders();
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    headers.put(name, values);
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    private Fault faultFor(String operation) {
        Fault picked = null;
        for (Rule rule : rules) {
            if (rule.operation().equals(operation) && rule.picks() && picked == null) {
                picked = rule.fault();
            }
        }
        if (picked != null) {
            faults.incrementAndGet();
        }
        return picked;
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
