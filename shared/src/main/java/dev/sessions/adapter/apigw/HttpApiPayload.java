package dev.sessions.adapter.apigw;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's payload format 2.0, read and written with the project's JSON code. The API
 * functions take their events as streams through this, so the Lambda runtime builds no event
 * serializer of its own: for a typed handler that is most of its start (docs/performance.md,
 * "Event serialization").
 */
public final class HttpApiPayload {

    /**
     * API Gateway's events nest four levels; a Lambda authorizer's context nests what it holds
     * under {@code requestContext.authorizer.lambda} (the session authorizer's: data, 32 levels deep
     * at most).
     */
    private static final int MAX_DEPTH = 40;

    private HttpApiPayload() {
    }

    /**
     * The request an HTTP API event describes.
     *
     * @throws IllegalArgumentException when the input is not a payload format 2.0 event (API
     *     Gateway never sends one; a hand-made event can)
     */
    public static HttpRequest readRequest(InputStream event) throws IOException {
        Map<String, Object> root;
        try {
            root = Json.parseObject(new String(event.readAllBytes(), StandardCharsets.UTF_8), MAX_DEPTH);
        } catch (JsonException e) {
            throw new IllegalArgumentException("not an HTTP API event (payload format 2.0): " + e.getMessage(), e);
        }
        Map<String, Object> context = object(root, "requestContext");
        Map<String, Object> http = object(context, "http");
        Map<String, Object> iam = object(object(context, "authorizer"), "iam");
        Map<String, String> claims = strings(object(object(context, "authorizer"), "jwt"), "claims");
        Map<String, Object> lambda = object(object(context, "authorizer"), "lambda");
        return HttpRequest.from(string(http, "method"), string(http, "path"), string(root, "rawPath"),
                strings(root, "headers"), list(root, "cookies"), strings(root, "queryStringParameters"),
                strings(root, "pathParameters"), string(root, "body"), Boolean.TRUE.equals(root.get("isBase64Encoded")),
                string(context, "requestId"), string(iam, "userArn"), claims, lambda, string(http, "sourceIp"),
                string(context, "domainName"));
    }

    /** Writes {@code response} as the JSON API Gateway reads back (payload format 2.0). */
    public static void writeResponse(ApiResponse response, OutputStream out) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("statusCode", response.statusCode());
        json.put("headers", response.headers());
        if (!response.cookies().isEmpty()) {
            json.put("cookies", response.cookies());
        }
        if (response.body() != null) {
            json.put("body", response.body());
        }
        json.put("isBase64Encoded", false);
        out.write(Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map)) {
            throw mistyped(name, "an object", value);
        }
        return (Map<String, Object>) value;
    }

    private static String string(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw mistyped(name, "a string", value);
    }

    /** A map of strings, as API Gateway sends headers and parameters; {@code null} when absent. */
    private static Map<String, String> strings(Map<String, Object> parent, String name) {
        if (parent.get(name) == null) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        object(parent, name).forEach((key, value) -> {
            if (value != null && !(value instanceof String)) {
                throw mistyped(name + "." + key, "a string", value);
            }
            values.put(key, (String) value);
        });
        return values;
    }

    private static List<String> list(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> items)) {
            throw mistyped(name, "an array", value);
        }
        List<String> strings = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String text)) {
                throw mistyped(name + "[]", "a string", item);
            }
            strings.add(text);
        }
        return strings;
    }

    private static IllegalArgumentException mistyped(String field, String expected, Object value) {
        return new IllegalArgumentException("not an HTTP API event (payload format 2.0): " + field + " should be "
                + expected + ", not " + Json.typeName(value));
    }
}
