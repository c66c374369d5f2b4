package dev.sessions.adapter.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import dev.sessions.domain.DataTooLarge;
import dev.sessions.domain.InvalidData;
import dev.sessions.domain.SessionException;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.VersionConflict;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.PrintStream;

/**
 * The frame of every API handler: read the request, run its route, turn each refusal into its
 * problem+json, and write the request's log line. A 5xx leaves this frame only for a failed
 * dependency (503) or a bug (500, logged with its cause).
 */
public final class ApiHandler {

    /** One route: the response for a request, counting metrics and adding log fields as it goes. */
    @FunctionalInterface
    public interface Route {
        Responses respond(HttpRequest request, RequestLog log);
    }

    private final String function;
    private final String namespace;
    private final PrintStream out;

    /**
     * @param function the function's role name, the metrics' dimension
     * @param namespace the metrics' CloudWatch namespace
     * @param out where log lines go
     */
    public ApiHandler(String function, String namespace, PrintStream out) {
        this.function = function;
        this.namespace = namespace;
        this.out = out;
    }

    /** Lambda's entry: the event's JSON in, the response's JSON out ({@link HttpApiPayload}). */
    public void handle(InputStream event, OutputStream response, Route route) throws IOException {
        HttpApiPayload.writeResponse(respond(HttpApiPayload.readRequest(event), route), response);
    }

    /** Runs a request through the whole path and drops the response: for warm-ups before a snapshot. */
    public void warm(InputStream event, Route route) throws IOException {
        handle(event, OutputStream.nullOutputStream(), route);
    }

    /** The same for an event already in the Java events library's type, as tests load them. */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Route route) {
        return respond(HttpRequest.of(event), route);
    }

    private APIGatewayV2HTTPResponse respond(HttpRequest request, Route route) {
        RequestLog log = new RequestLog(function, namespace, out)
                .field("requestId", request.requestId())
                .field("route", request.method() + " " + request.path())
                .field("caller", request.caller());
        Responses response;
        try {
            response = route.respond(request, log);
        } catch (RequestRejected e) {
            response = problem(e.problem(), request, log);
        } catch (SessionException e) {
            response = map(e, request, log);
        } catch (RuntimeException e) {
            log.field("error", e.getClass().getName() + ": " + e.getMessage());
            response = problem(Problem.internal(), request, log);
        }
        log.emit(response.statusCode());
        return response.build();
    }

    private static Responses map(SessionException e, HttpRequest request, RequestLog log) {
        return switch (e) {
            case SessionNotFound notFound -> {
                log.count(Metric.EXPIRED_SESSION_HITS);
                yield problem(Problem.sessionRequired("The session does not exist or has expired; start a new one."),
                        request, log);
            }
            case VersionConflict conflict -> {
                log.count(Metric.VERSION_CONFLICTS);
                yield problem(Problem.versionMismatch(conflict.expected(), conflict.actual()), request, log)
                        .header("etag", IfMatch.etagOf(conflict.actual()));
            }
            case DataTooLarge tooLarge -> problem(Problem.tooLarge("The session data would be " + tooLarge.size()
                    + " bytes; at most " + tooLarge.limit() + " are allowed."), request, log);
            case InvalidData invalid -> problem(invalid.getMessage().startsWith("principal")
                    ? Problem.invalidPrincipal(capitalize(invalid.getMessage()) + ".")
                    : Problem.invalidBody(capitalize(invalid.getMessage()) + "."), request, log);
            case StoreUnavailable unavailable -> {
                log.field("error", unavailable.getMessage()
                        + (unavailable.getCause() != null ? ": " + unavailable.getCause().getMessage() : ""));
                if (unavailable.throttled()) {
                    log.count(Metric.STORE_THROTTLES);
                }
                yield problem(Problem.unavailable(unavailable.throttled()
                        ? "The session store is throttling requests; retry after a moment."
                        : "The session store is unavailable; retry after a moment."), request, log);
            }
        };
    }

    private static Responses problem(Problem problem, HttpRequest request, RequestLog log) {
        log.field("problem", problem.type().substring(problem.type().lastIndexOf(':') + 1));
        return Responses.problem(problem, request.requestId());
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
