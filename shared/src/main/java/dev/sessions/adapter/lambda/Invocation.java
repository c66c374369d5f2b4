package dev.sessions.adapter.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Clock;
import java.time.Instant;

/**
 * What Lambda says about one invocation, as the functions use it: its request id (the key of the
 * REPORT line), its X-Ray trace id and when it must have answered.
 *
 * @param awsRequestId Lambda's request id, or {@code null} outside Lambda (warm-ups)
 * @param traceId the X-Ray trace id ({@code Root=...} of the trace header), or {@code null} when there is none
 * @param deadline when the invocation times out
 */
public record Invocation(String awsRequestId, String traceId, Instant deadline) {

    /** The trace header's system property: the Java runtime sets it per invocation. */
    static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    /** For work outside an invocation (warm-ups): no ids, and a minute to finish. */
    public static Invocation none(Clock clock) {
        return new Invocation(null, null, clock.instant().plusSeconds(60));
    }

    /** The invocation {@code context} describes; a null context is {@link #none}. */
    public static Invocation of(Context context, Clock clock) {
        if (context == null) {
            return none(clock);
        }
        String header = context.getXrayTraceId();
        if (header == null || header.isBlank()) {
            header = System.getProperty(TRACE_PROPERTY, System.getenv("_X_AMZN_TRACE_ID"));
        }
        return new Invocation(context.getAwsRequestId(), traceRoot(header),
                clock.instant().plusMillis(Math.max(0, context.getRemainingTimeInMillis())));
    }

    /** {@code 1-5759e988-bd862e3fe1be46a994272793} from {@code Root=1-5759e988-...;Parent=...;Sampled=1}. */
    static String traceRoot(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        for (String part : header.split(";")) {
            String field = part.trim();
            if (field.startsWith("Root=")) {
                return field.substring(5);
            }
        }
        return header.contains("=") ? null : header.trim();
    }
}
