package dev.sessions.adapter.lambda;

import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.redis.RedisCacheReplica;
import dev.sessions.adapter.redis.RedisConnection;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.SessionService;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the session API's functions are built from, once per execution environment: settings,
 * the DynamoDB client and store, the session service, the cache replica (when configured) and
 * the cookie policy.
 */
public record SessionComponents(FunctionSettings settings, DynamoDbClient dynamo, SessionService sessions,
                                Optional<CacheReplica> cache, SessionCookie cookie, Clock clock) {

    /** Built from the environment, as a function's init builds them. */
    public static SessionComponents fromEnvironment(Map<String, String> env) {
        return of(FunctionSettings.fromEnvironment(env), DynamoDbClients.fromEnvironment(env), Clock.systemUTC());
    }

    /** Built from explicit parts, as tests build them. */
    public static SessionComponents of(FunctionSettings settings, DynamoDbClient dynamo, Clock clock) {
        DynamoDbSessionStore store = new DynamoDbSessionStore(dynamo,
                FunctionSettings.required(settings.sessionsTable(), "SESSIONS_TABLE"), settings.policy());
        Optional<CacheReplica> cache = settings.redisUrl().map(url -> new RedisCacheReplica(new RedisConnection(
                RedisConnection.Settings.fromUrl(url, settings.redisTimeout(), settings.redisTimeout()))));
        return new SessionComponents(settings, dynamo, new SessionService(store, settings.policy(), clock), cache,
                new SessionCookie(settings.secureCookies()), clock);
    }
}
