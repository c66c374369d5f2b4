package dev.sessions.adapter.apigw;

import com.amazonaws.services.lambda.runtime.Context;
import dev.sessions.adapter.lambda.Invocation;
import dev.sessions.domain.DataTooLarge;
import dev.sessions.domain.IdempotencyConflict;
import dev.sessions.domain.InvalidData;
import dev.sessions.domain.SessionException;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.VersionConflict;
import dev.sessions.domain.CacheReplica;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs an API function's route for each request: reads the event, runs the route, turns each
 * refusal into its problem+json, writes the response and the request's log line (with Lambda's
 * and API Gateway's request ids and the trace id). A 5xx leaves it only for a failed dependency
 * (503) or a bug (500, logged with its stack).
 */
public final class RouteRunner {

    /** One route: the response for a request, counting metrics and adding log fields as it goes. */
    @FunctionalInterface
    public interface Route {
        ApiResponse respond(HttpRequest request, RequestLog log);
    }

    /** A route that also needs to know about its invocation (its deadline). */
    @FunctionalInterface
    public interface TimedRoute {
        ApiResponse respond(HttpRequest request, Invocation invocation, RequestLog log);
    }

    private final FunctionLog logs;
    private final Clock clock;
    private final Map<String, String> everyAnswer;

    public RouteRunner(FunctionLog logs, Clock clock) {
        this(logs, clock, Map.of());
    }

    private RouteRunner(FunctionLog logs, Clock clock, Map<String, String> everyAnswer) {
        this.logs = logs;
        this.clock = clock;
        this.everyAnswer = everyAnswer;
    }

    /**
     * The same runner, with a header on every answer it writes: the route's own, and the refusals
     * and failures it maps (a {@code Vary} that a cache must honour on a 401 as on a 200).
     */
    public RouteRunner withHeaderOnEveryAnswer(String lowerCaseName, String value) {
        Map<String, String> headers = new LinkedHashMap<>(everyAnswer);
        headers.put(lowerCaseName, value);
        return new RouteRunner(logs, clock, Map.copyOf(headers));
    }

    /** The function's log, which this runner writes each request's line to. */
    public FunctionLog logs() {
        return logs;
    }

    /** Lambda's entry: the event's JSON in, the response's JSON out ({@link HttpApiPayload}). */
    public void handle(InputStream event, OutputStream response, Context context, Route route) throws IOException {
        handle(event, response, context, (request, invocation, log) -> route.respond(request, log));
    }

    /** The same, for a route that needs its invocation. */
    public void handle(InputStream event, OutputStream response, Context context, TimedRoute route)
            throws IOException {
        Invocation invocation = Invocation.of(context, clock);
        ApiResponse answer = respond(HttpApiPayload.readRequest(event), invocation, route, logs);
        everyAnswer.forEach(answer::header);
        HttpApiPayload.writeResponse(answer, response);
    }

    /**
     * Runs a request through the whole path, logging nothing and dropping the response: for
     * warm-ups before a snapshot (they leave the environment's first line its cold start). The
     * refusals a warm-up expects (no such session, a bad body) are answered as usual; anything
     * else (the store unavailable, a permission missing, a bug) is thrown, so that the warm-up
     * is seen to fail.
     */
    public void warm(InputStream event, Route route) throws IOException {
        HttpRequest request = HttpApiPayload.readRequest(event);
        RequestLog log = logs.quiet().start(null, null);
        ApiResponse response;
        try {
            response = route.respond(request, log);
        } catch (RequestRejected e) {
            response = problem(e.problem(), request, log);
        } catch (StoreUnavailable e) {
            throw e;
        } catch (SessionException e) {
            response = map(e, request, log);
        }
        HttpApiPayload.writeResponse(response, OutputStream.nullOutputStream());
        log.emit(response.statusCode());
    }

    private static ApiResponse respond(HttpRequest request, Invocation invocation, TimedRoute route, FunctionLog logs) {
        RequestLog log = logs.start(invocation.awsRequestId(), invocation.traceId())
                .context("apiRequestId", request.apiRequestId())
                .field("route", request.method() + " " + request.path())
                .field("caller", request.caller());
        ApiResponse response;
        try {
            response = route.respond(request, invocation, log);
        } catch (RequestRejected e) {
            response = problem(e.problem(), request, log);
        } catch (SessionException e) {
            response = map(e, request, log);
        } catch (CacheReplica.CacheUnavailable e) {
            // the cache could not take a revocation's tombstone: nothing was changed, a retry is safe
            log.count(Metric.CACHE_ERRORS).field("error", e.getMessage()
                    + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
            response = problem(Problem.unavailable("The session cache is unavailable, so the session could not be"
                    + " ended safely; nothing was changed. Retry after a moment."), request, log);
        } catch (RuntimeException e) {
            log.failure(e);
            response = problem(Problem.internal(), request, log);
        }
        log.emit(response.statusCode());
        return response;
    }

    private static ApiResponse map(SessionException e, HttpRequest request, RequestLog log) {
        return switch (e) {
            case SessionNotFound notFound -> {
                log.count(Metric.EXPIRED_SESSION_HITS);
                if (notFound.revokedInCache()) {
                    log.count(Metric.CACHE_HITS);
                }
                yield problem(Problem.sessionRequired("The session does not exist or has expired; start a new one."),
                        request, log);
            }
            case VersionConflict conflict -> {
                log.count(Metric.VERSION_CONFLICTS);
                log.debug("condition failed: version", "expected", conflict.expected(), "actual", conflict.actual());
                yield problem(Problem.versionMismatch(conflict.expected(), conflict.actual()), request, log)
                        .header("etag", IfMatch.etagOf(conflict.actual()));
            }
            case DataTooLarge tooLarge -> problem(Problem.tooLarge("The session data would be " + tooLarge.size()
                    + " bytes; at most " + tooLarge.limit() + " are allowed."), request, log);
            case InvalidData invalid -> problem(invalid.getMessage().startsWith("principal")
                    ? Problem.invalidPrincipal(capitalize(invalid.getMessage()) + ".")
                    : invalid.getMessage().startsWith("limit") || invalid.getMessage().startsWith("cursor")
                    ? Problem.invalidQuery(capitalize(invalid.getMessage()) + ".")
                    : Problem.invalidBody(capitalize(invalid.getMessage()) + "."), request, log);
            case IdempotencyConflict conflict -> problem(switch (conflict.reason()) {
                case OTHER_REQUEST -> Problem.idempotencyKeyReused();
                case IN_PROGRESS -> Problem.idempotencyConflict("A request with this Idempotency-Key is still being"
                        + " served; retry after a moment.");
                case SESSION_ENDED -> Problem.idempotencyConflict("The session this Idempotency-Key created has"
                        + " ended; use a new key to create another.");
            }, request, log);
            case StoreUnavailable unavailable -> {
                log.field("error", unavailable.getMessage()
                        + (unavailable.getCause() != null ? ": " + unavailable.getCause().getMessage() : ""));
                if (unavailable.throttled()) {
                    log.count(Metric.STORE_THROTTLES);
                }
                yield problem(Problem.unavailable(unavailable.throttled()
                        ? "The session store is throttling requests; retry after a moment."
                        : unavailable.busy() ? "Another request is changing the session; retry after a moment."
                        : "The session store is unavailable; retry after a moment."), request, log);
            }
        };
    }

    private static ApiResponse problem(Problem problem, HttpRequest request, RequestLog log) {
        log.field("problem", problem.type().substring(problem.type().lastIndexOf(':') + 1));
        return ApiResponse.problem(problem, request.apiRequestId());
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
