package dev.sessions.adapter.apigw;

import dev.sessions.json.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** API Gateway events built in code, for priming the request path without real traffic. */
public final class SyntheticRequests {

    private SyntheticRequests() {
    }

    /** A payload format 2.0 request, as the JSON API Gateway sends, for warming the path the functions take. */
    public static InputStream payload(String method, String path, Map<String, String> headers, String body) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("requestId", "priming");
        context.put("routeKey", method + " " + path);
        context.put("http", http);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", method + " " + path);
        event.put("rawPath", path);
        event.put("headers", headers);
        event.put("requestContext", context);
        event.put("body", body);
        event.put("isBase64Encoded", false);
        return new ByteArrayInputStream(Json.write(event).getBytes(StandardCharsets.UTF_8));
    }
}
