package dev.sessions.adapter.lambda;

import dev.sessions.adapter.apigw.RouteRunner;
import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbIdempotencyRecords;
import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.SessionService;
import dev.sessions.telemetry.FunctionLog;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the session API's functions are built from, once per execution environment: settings,
 * the DynamoDB client, the session service (with its store, cache replica and idempotency
 * records as configured), the cookie, and the clock. The composition root of those functions.
 */
public record SessionComponents(FunctionSettings settings, DynamoDbClient dynamo, SessionService sessions,
                                SessionCookie cookie, Clock clock) {

    /** Built from the environment, as a function's init builds them. */
    public static SessionComponents fromEnvironment(Map<String, String> env) {
        return of(FunctionSettings.fromEnvironment(env), DynamoDbClients.fromEnvironment(env), Clock.systemUTC());
    }

    /** Built from explicit parts, as tests build them. */
    public static SessionComponents of(FunctionSettings settings, DynamoDbClient dynamo, Clock clock) {
        DynamoDbSessionStore store = new DynamoDbSessionStore(dynamo,
                FunctionSettings.required(settings.sessionsTable(), "SESSIONS_TABLE"), settings.policy());
        SessionService sessions = new SessionService(store, settings.policy(), clock)
                .withMaxSessionsPerPrincipal(settings.maxSessionsPerPrincipal());
        if (settings.redisUrl().isPresent()) {
            sessions = sessions.withCache(new RedisCacheReplica(new RedisConnection(RedisConnection.Settings.fromUrl(
                    settings.redisUrl().get(), settings.redisTimeout(), settings.redisTimeout()))));
        }
        if (settings.idempotencyTable().isPresent()) {
            sessions = sessions.withIdempotency(new DynamoDbIdempotencyRecords(dynamo, settings.idempotencyTable().get()));
        }
        return new SessionComponents(settings, dynamo, sessions, settings.cookie(), clock);
    }

    /** The route runner of function {@code function}, writing its lines to {@code out}. */
    public RouteRunner routes(String function, PrintStream out) {
        return new RouteRunner(new FunctionLog(function, settings.metricsNamespace(), out, settings.logs()), clock);
    }
}
