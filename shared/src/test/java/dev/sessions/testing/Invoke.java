package dev.sessions.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Invokes a function's handler through its real entry, the stream method, with event bytes, as Lambda does. */
public final class Invoke {

    private Invoke() {
    }

    /** An HTTP API event through an API function. */
    public static HandlerResponse http(RequestStreamHandler handler, ApiEvent event) {
        return http(handler, event, TestContext.fresh());
    }

    public static HandlerResponse http(RequestStreamHandler handler, ApiEvent event, Context context) {
        return HandlerResponse.parse(raw(handler, event.bytes(), context));
    }

    /** A stream batch through a stream function: the partial batch response's JSON. */
    public static Map<String, Object> stream(RequestStreamHandler handler, byte[] batch) {
        return Json.parseObject(new String(raw(handler, batch, TestContext.fresh()), StandardCharsets.UTF_8), 8);
    }

    /** The bytes a handler writes for {@code event}. */
    public static byte[] raw(RequestStreamHandler handler, byte[] event, Context context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event), out, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
