package dev.sessions.bench.probe;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsBuilder;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * What {@code LogLineProbeHandler} writes (one request line with its route and session id, two
 * count metrics), written the way Powertools documents it without AspectJ: an SLF4J logger with
 * the Lambda context's fields added by {@code PowertoolsLogging.withLogging}, and metrics flushed
 * as one embedded-metric-format line.
 */
public class PowertoolsLogProbeHandler implements RequestStreamHandler {

    private final Logger log = LoggerFactory.getLogger(PowertoolsLogProbeHandler.class);
    private final Metrics metrics = MetricsBuilder.builder().withNamespace("Sessions").withService("LogLineFunction")
            .build();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        PowertoolsLogging.withLogging(context, () -> {
            log.info("request", entry("route", "GET /"),
                    entry("sessionId", "62FqTx1xVaBVK2e1fndHFOss-WZXYulgbnRDhSrDfV0"), entry("status", 200));
            metrics.addMetric("Visits", 1, MetricUnit.COUNT);
            metrics.addMetric("SessionsCreated", 1, MetricUnit.COUNT);
            metrics.flush();
            return null;
        });
        output.write("{}".getBytes(StandardCharsets.UTF_8));
    }
}
