package dev.sessions.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Parse and write a session document with Jackson databind, the usual choice. */
public class JacksonProbeHandler implements RequestStreamHandler {

    static final String DOCUMENT = "{\"id\":\"62FqTx1xVaBVK2e1fndHFOss-WZXYulgbnRDhSrDfV0\",\"principal\":\"alice@example.com\",\"data\":{\"theme\":\"dark\",\"cart\":[{\"sku\":\"A-1\",\"qty\":2,\"price\":12.50},{\"sku\":\"B-7\",\"qty\":1,\"price\":3.99}],\"prefs\":{\"newsletter\":true,\"locale\":\"en-GB\",\"tz\":null}},\"visits\":42,\"version\":3,\"createdAt\":\"2026-11-27T10:15:30Z\",\"lastAccessedAt\":\"2026-11-27T10:45:30.123Z\",\"expiresAt\":\"2026-11-27T11:15:30Z\",\"absoluteExpiresAt\":\"2026-11-27T22:15:30Z\"}";

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        input.readAllBytes();
        output.write(mapper.writeValueAsString(mapper.readTree(DOCUMENT)).getBytes(StandardCharsets.UTF_8));
    }
}
