package dev.sessions.telemetry;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A function's logging, once per execution environment: its name, metrics namespace, where lines
 * go, its {@link LogSettings}, and whether the environment has served yet (its first line says
 * {@code coldStart: true} and counts {@link Metric#COLD_STARTS}).
 */
public final class FunctionLog {

    private final String function;
    private final String namespace;
    private final PrintStream out;
    private final LogSettings settings;
    private final AtomicBoolean cold = new AtomicBoolean(true);

    /**
     * @param function the function's role name, the metrics' dimension
     * @param namespace the metrics' CloudWatch namespace, or {@code null} for a function without metrics
     * @param out where lines go (stdout in Lambda)
     */
    public FunctionLog(String function, String namespace, PrintStream out, LogSettings settings) {
        this.function = function;
        this.namespace = namespace;
        this.out = out;
        this.settings = settings;
    }

    /** The same function writing nowhere: for warm-ups, which must log nothing and stay cold. */
    public FunctionLog quiet() {
        return new FunctionLog(function, namespace, new PrintStream(java.io.OutputStream.nullOutputStream()), settings);
    }

    /**
     * The log of one invocation, carrying its ids on every line it writes.
     *
     * @param awsRequestId Lambda's request id (the REPORT line's), or {@code null}
     * @param traceId the X-Ray trace id, or {@code null}
     */
    public RequestLog start(String awsRequestId, String traceId) {
        RequestLog log = new RequestLog(function, namespace, out, settings, settings.debugFor(awsRequestId))
                .context("awsRequestId", awsRequestId).context("traceId", traceId);
        if (cold.getAndSet(false)) {
            log.context("coldStart", true).count(Metric.COLD_STARTS);
        }
        return log;
    }

    /**
     * Writes one WARN line outside any request (a failed warm-up): the function, the message and
     * the failure's type, message and bounded stack. It leaves the environment's cold start alone.
     */
    public void warn(String message, Throwable failure) {
        new RequestLog(function, null, out, settings, false).field("message", message).failure(failure)
                .emit("WARN", null);
    }

    public String function() {
        return function;
    }

    public LogSettings settings() {
        return settings;
    }
}
