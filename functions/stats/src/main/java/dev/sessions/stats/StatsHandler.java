package dev.sessions.stats;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sessions.adapter.apigw.ApiHandler;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.Problem;
import dev.sessions.adapter.apigw.Responses;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.Priming;
import dev.sessions.domain.CounterStore;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.RequestLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code GET /stats}: the aggregates, summed over their shards in one BatchGetItem. Eventually
 * consistent: they trail writes by the stream's delay, and {@code activeSessions} counts an expired
 * session until DynamoDB's TTL deletes it (typically within two days).
 */
public final class StatsHandler implements RequestStreamHandler {

    private final CounterStore counters;
    private final ApiHandler api;
    /** Held strongly: CRaC keeps resources weakly. */
    private final Priming priming;

    public StatsHandler() {
        this(FunctionSettings.fromEnvironment(System.getenv()), System.out);
    }

    private StatsHandler(FunctionSettings settings, PrintStream out) {
        this(new DynamoDbCounterStore(DynamoDbClients.fromEnvironment(),
                FunctionSettings.required(settings.countersTable(), "COUNTERS_TABLE"), settings.counterShards()),
                settings.metricsNamespace(), out);
    }

    StatsHandler(CounterStore counters, String namespace, PrintStream out) {
        this.counters = counters;
        this.api = new ApiHandler("StatsFunction", namespace, out);
        this.priming = Priming.register(() -> new ApiHandler("StatsFunction", namespace, Priming.QUIET)
                .warm(SyntheticRequests.payload("GET", "/stats", Map.of(), null), this::stats)); // a read
    }

    /** The event's JSON in, the response's out: no event serializer for the runtime to build (docs/performance.md). */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        api.handle(event, response, this::stats);
    }

    /** The same for an event in the Java events library's type, as tests load them. */
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return api.handle(event, this::stats);
    }

    private Responses stats(HttpRequest request, RequestLog log) {
        if (!request.path().equals("/stats")) {
            return Responses.problem(Problem.notFound(request.path()), request.requestId());
        }
        if (!request.method().equals("GET")) {
            return Responses.problem(Problem.methodNotAllowed(request.method(), "/stats"), request.requestId())
                    .header("allow", "GET");
        }
        Tally totals = counters.totals();
        return Responses.json(200, "{\"visits\":" + totals.visits() + ",\"sessionsCreated\":" + totals.sessionsCreated()
                + ",\"activeSessions\":" + totals.activeSessions() + "}");
    }

    /** The warm-up SnapStart runs before its snapshot. */
    Priming priming() {
        return priming;
    }
}
