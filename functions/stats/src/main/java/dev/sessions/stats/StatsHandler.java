package dev.sessions.stats;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.RouteRunner;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.domain.CounterStore;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.FunctionLog;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * {@code GET /stats}: the aggregates, summed over their shards in one BatchGetItem. Eventually
 * consistent: they trail writes by the stream's delay, and {@code activeSessions} counts an expired
 * session until DynamoDB's TTL deletes it (typically within two days).
 */
public final class StatsHandler implements RequestStreamHandler {

    private final CounterStore counters;
    private final RouteRunner routes;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public StatsHandler() {
        this(FunctionSettings.fromEnvironment(System.getenv()), System.out);
    }

    private StatsHandler(FunctionSettings settings, PrintStream out) {
        this(new DynamoDbCounterStore(DynamoDbClients.fromEnvironment(),
                FunctionSettings.required(settings.countersTable(), "COUNTERS_TABLE"), settings.counterShards()),
                settings.metricsNamespace(), settings.logs(), out);
    }

    StatsHandler(CounterStore counters, String namespace, LogSettings logs, PrintStream out) {
        this.counters = counters;
        this.routes = new RouteRunner(new FunctionLog("StatsFunction", namespace, out, logs), Clock.systemUTC());
        this.priming = Priming.register(routes.logs(), () -> routes.warm(
                SyntheticRequests.payload("GET", "/stats", Map.of(), null), this::stats)); // a read
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/design.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        routes.handle(event, response, context, this::stats);
    }

    private ApiResponse stats(HttpRequest request, RequestLog log) {
        if (!request.path().equals("/stats")) {
            return ApiResponse.notFound(request);
        }
        if (!request.method().equals("GET")) {
            return ApiResponse.methodNotAllowed(request, "GET");
        }
        Tally totals = counters.totals();
        return ApiResponse.json(200, "{\"visits\":" + totals.visits() + ",\"sessionsCreated\":" + totals.sessionsCreated()
                + ",\"activeSessions\":" + totals.activeSessions() + "}");
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
