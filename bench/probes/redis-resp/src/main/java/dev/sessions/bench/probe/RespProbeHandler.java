package dev.sessions.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.redis.RedisConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One GET with this project's RESP client: what the cache costs a cold start this way. */
public class RespProbeHandler implements RequestStreamHandler {

    private final RedisConnection redis = new RedisConnection(RedisConnection.Settings.fromUrl(System.getenv("REDIS_URL"),
            Duration.ofSeconds(2), Duration.ofSeconds(2)));

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        input.readAllBytes();
        Object value = redis.call("GET", "probe");
        output.write(("{\"found\":" + (value != null) + "}").getBytes(StandardCharsets.UTF_8));
    }
}
