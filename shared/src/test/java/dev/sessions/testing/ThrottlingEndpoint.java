package dev.sessions.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DynamoDB endpoint that throttles every request, answering exactly as DynamoDB does
 * ({@code ProvisionedThroughputExceededException}, HTTP 400): the real SDK, its retries and our
 * error translation run against it, with no mock of our own code.
 */
public final class ThrottlingEndpoint implements AutoCloseable {

    private static final byte[] THROTTLED = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
            + "ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput"
            + " for the table was exceeded.\"}").getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private ThrottlingEndpoint(HttpServer server) {
        this.server = server;
    }

    public static ThrottlingEndpoint start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            ThrottlingEndpoint endpoint = new ThrottlingEndpoint(server);
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    endpoint.requests.incrementAndGet();
                    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
                    exchange.getResponseHeaders().set("x-amzn-ErrorType", "ProvisionedThroughputExceededException");
                    exchange.sendResponseHeaders(400, THROTTLED.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(THROTTLED);
                    }
                }
            });
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests it refused (the SDK's retries included). */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
