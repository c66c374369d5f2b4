package dev.sessions.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** {@link NoopProbeHandler} plus the request's log line with two embedded metrics, as every function writes it. */
public class LogLineProbeHandler implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        input.readAllBytes();
        new RequestLog("LogLineFunction", "Sessions", System.out)
                .field("requestId", context == null ? null : context.getAwsRequestId())
                .field("route", "GET /").field("sessionId", "62FqTx1xVaBVK2e1fndHFOss-WZXYulgbnRDhSrDfV0")
                .count(Metric.VISITS).count(Metric.SESSIONS_CREATED).emit(200);
        output.write("{}".getBytes(StandardCharsets.UTF_8));
    }
}
