package dev.sessions.local.runtime;

import java.nio.charset.StandardCharsets;

/**
 * What an invocation returned, as Lambda's Invoke API returns it: a payload, and for a function
 * error the {@code X-Amz-Function-Error} value ({@code Unhandled}) with Lambda's error JSON as
 * the payload.
 *
 * @param payload the response bytes, or the error JSON
 * @param functionError {@code null} on success, else {@code Unhandled}
 * @param errorType the error's type ({@code Sandbox.Timedout}, {@code Runtime.ExitError}, an
 *     exception class...), or {@code null} on success
 * @param timedOut true when the function ran past its Timeout
 */
public record InvocationResult(byte[] payload, String functionError, String errorType, boolean timedOut) {

    public static InvocationResult success(byte[] payload) {
        return new InvocationResult(payload, null, null, false);
    }

    public static InvocationResult error(String errorType, byte[] errorJson) {
        return new InvocationResult(errorJson, "Unhandled", errorType, false);
    }

    /**
     * An invocation Lambda refused before any function ran: the function is at its concurrency
     * limit. The Invoke API answers it 429 {@code TooManyRequestsException} (no function error);
     * API Gateway then answers 500, and a stream mapping retries it without spending a retry.
     *
     * @param reason Lambda's {@code Reason}: {@code ReservedFunctionConcurrentInvocationLimitExceeded}
     *     or {@code ConcurrentInvocationLimitExceeded}
     */
    public static InvocationResult throttled(String reason, String message) {
        String json = "{\"Reason\":" + dev.sessions.json.Json.write(reason) + ",\"Type\":\"User\","
                + "\"message\":" + dev.sessions.json.Json.write(message) + "}";
        return new InvocationResult(json.getBytes(StandardCharsets.UTF_8), null, THROTTLED, false);
    }

    static final String THROTTLED = "TooManyRequestsException";

    /** Whether Lambda refused the invocation (see {@link #throttled}). */
    public boolean throttled() {
        return functionError == null && THROTTLED.equals(errorType);
    }

    /** Lambda's error body for an error the runtime itself reports (timeout, crash, size). */
    public static InvocationResult platformError(String errorType, String message, boolean timedOut) {
        String json = "{\"errorType\":\"" + errorType + "\",\"errorMessage\":"
                + dev.sessions.json.Json.write(message) + "}";
        return new InvocationResult(json.getBytes(StandardCharsets.UTF_8), "Unhandled", errorType, timedOut);
    }

    public boolean failed() {
        return functionError != null || throttled();
    }

    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
