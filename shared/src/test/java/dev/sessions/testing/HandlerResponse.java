package dev.sessions.testing;

import dev.sessions.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An API function's answer as API Gateway reads it back (payload format 2.0 response JSON).
 *
 * @param statusCode the HTTP status
 * @param headers headers by name (the functions write them lower-case)
 * @param cookies the {@code Set-Cookie} values, or {@code null} when the response has none
 * @param body the body, or {@code null}
 */
public record HandlerResponse(int statusCode, Map<String, String> headers, List<String> cookies, String body) {

    /** Reads the response JSON a handler wrote. */
    @SuppressWarnings("unchecked")
    public static HandlerResponse parse(byte[] json) {
        Map<String, Object> root = Json.parseObject(new String(json, StandardCharsets.UTF_8), 8);
        Map<String, String> headers = new LinkedHashMap<>();
        if (root.get("headers") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> headers.put((String) k, (String) v));
        }
        return new HandlerResponse(((Number) root.get("statusCode")).intValue(), headers,
                (List<String>) root.get("cookies"), (String) root.get("body"));
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The body as a JSON object. */
    public Map<String, Object> json() {
        return Json.parseObject(body, 64);
    }
}
