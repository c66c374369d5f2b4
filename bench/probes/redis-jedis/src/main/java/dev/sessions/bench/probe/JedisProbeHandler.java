package dev.sessions.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import redis.clients.jedis.Jedis;

/** One GET with Jedis, the usual choice: what the cache would cost a cold start that way. */
public class JedisProbeHandler implements RequestStreamHandler {

    private final Jedis redis = new Jedis(URI.create(System.getenv("REDIS_URL")));

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        input.readAllBytes();
        String value = redis.get("probe");
        output.write(("{\"found\":" + (value != null) + "}").getBytes(StandardCharsets.UTF_8));
    }
}
