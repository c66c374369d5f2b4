package dev.sessions.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        String method = args[1];
        String path = args[2];
        // the JSON API Gateway sends, as the runtime would hand it over
        String event = "{\"version\":\"2.0\",\"routeKey\":\"" + method + " " + path + "\",\"rawPath\":\"" + path
                + "\",\"headers\":{\"accept\":\"*/*\",\"user-agent\":\"plain-start\"},\"requestContext\":{"
                + "\"requestId\":\"plain-start\",\"http\":{\"method\":\"" + method + "\",\"path\":\"" + path
                + "\",\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"127.0.0.1\"}},\"isBase64Encoded\":false}";
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        streaming.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), response, null);
        Matcher code = Pattern.compile("\"statusCode\":(\\d+)").matcher(response.toString(StandardCharsets.UTF_8));
        System.out.println("status " + (code.find() ? code.group(1) : "0"));
        System.out.flush();
    }
}
