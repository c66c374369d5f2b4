package dev.sessions.testing;

import dev.sessions.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP API event (payload format 2.0) as the JSON Lambda hands a function: an {@code events/}
 * file's own text, changed where a test needs it (a body, a header, cookies). Handler tests pass
 * its {@link #bytes()} to the function's real entry, the stream method, as Lambda does.
 */
public final class ApiEvent {

    private final Map<String, Object> root;

    private ApiEvent(Map<String, Object> root) {
        this.root = root;
    }

    /** The event in {@code events/<file>}. */
    public static ApiEvent load(String file) {
        return parse(EventFiles.text(file));
    }

    /** An event from its JSON text. */
    public static ApiEvent parse(String json) {
        return new ApiEvent(mutable(Json.parseObject(json, 16)));
    }

    /** A text body (not base64). */
    public ApiEvent body(String body) {
        root.put("body", body);
        root.put("isBase64Encoded", false);
        return this;
    }

    /** A body of raw bytes, base64-encoded as API Gateway sends binary bodies. */
    public ApiEvent base64Body(byte[] bytes) {
        root.put("body", Base64.getEncoder().encodeToString(bytes));
        root.put("isBase64Encoded", true);
        return this;
    }

    /** Sets a header (lower-cased, as API Gateway sends them); {@code null} removes it. */
    public ApiEvent header(String name, String value) {
        Map<String, Object> headers = object(root, "headers");
        if (value == null) {
            headers.remove(name.toLowerCase(java.util.Locale.ROOT));
        } else {
            headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
        }
        return this;
    }

    /** Replaces every header. */
    public ApiEvent headers(Map<String, String> headers) {
        root.put("headers", new LinkedHashMap<String, Object>(headers));
        return this;
    }

    /** Replaces the cookies; {@code null} sends none. */
    public ApiEvent cookies(List<String> cookies) {
        if (cookies == null) {
            root.remove("cookies");
        } else {
            root.put("cookies", new ArrayList<Object>(cookies));
        }
        return this;
    }

    /** Replaces the query parameters. */
    public ApiEvent query(Map<String, String> parameters) {
        root.put("queryStringParameters", new LinkedHashMap<String, Object>(parameters));
        return this;
    }

    /** Sets the HTTP method, as the route would have received it. */
    public ApiEvent method(String method) {
        object(object(root, "requestContext"), "http").put("method", method);
        return this;
    }

    /** Takes away what an authorizer added ({@code requestContext.authorizer}): a call around the authorizer. */
    public ApiEvent withoutAuthorizer() {
        object(root, "requestContext").remove("authorizer");
        return this;
    }

    /** Sets API Gateway's request id. */
    public ApiEvent requestId(String requestId) {
        object(root, "requestContext").put("requestId", requestId);
        return this;
    }

    /** Sets a path parameter. */
    public ApiEvent pathParameter(String name, String value) {
        object(root, "pathParameters").put(name, value);
        return this;
    }

    /** An authorizer event's {@code identitySource}: the values of the identity sources an API keeps answers by. */
    public ApiEvent identitySource(List<String> values) {
        root.put("identitySource", new ArrayList<Object>(values));
        return this;
    }

    /** A top-level field, as the file has it. */
    public Object field(String name) {
        return root.get(name);
    }

    /** The event's JSON text. */
    public String json() {
        return Json.write(root);
    }

    /** The event's JSON, as Lambda hands it to the function. */
    public byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> parent, String name) {
        return (Map<String, Object>) parent.computeIfAbsent(name, k -> new LinkedHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    static <T> T mutable(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, mutable(v)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(mutable(v)));
            return (T) copy;
        }
        return value;
    }
}
