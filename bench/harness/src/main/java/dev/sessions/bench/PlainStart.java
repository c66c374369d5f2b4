package dev.sessions.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The reference for a function's cold start: started by {@link ColdStarts} as
 * {@code java -cp <the function's lib/*>:bench-harness.jar}, it builds the handler with its
 * public no-argument constructor, as Lambda does, hands it one HTTP API request's JSON and
 * prints the status. No Runtime API and no Runtime Interface Client.
 *
 * <p>{@code PlainStart <handler class> <method> <path>}
 */
public final class PlainStart {

    private PlainStart() {
    }

    public static void main(String[] args) throws Exception {
        Object handler = Class.forName(args[0]).getConstructor().newInstance();
        if (!(handler instanceof RequestStreamHandler streaming)) {
            throw new IllegalArgumentException(args[0] + " is not a RequestStreamHandler, as every function here is");
        }
        // the JSON API Gateway sends, as the runtime would hand it over; the function's own jars
        // include shared, whose codecs build the event and read the answer
        InputStream event = SyntheticRequests.payload(args[1], args[2],
                Map.of("accept", "*/*", "user-agent", "plain-start"), null);
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        streaming.handleRequest(event, response, null);
        System.out.println("status " + Json.parseObject(response.toString(StandardCharsets.UTF_8), 8).get("statusCode"));
        System.out.flush();
    }
}
