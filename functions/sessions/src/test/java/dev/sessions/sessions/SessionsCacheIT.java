package dev.sessions.sessions;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.domain.CacheReplica;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.Session;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.RedisEndpoint;
import dev.sessions.testing.ServerProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /sessions/current served from the cache replica, and revocation that reaches it at once. */
@ExtendWith(LocalServices.class)
class SessionsCacheIT {

    private ApiTestbed testbed;
    private SessionsHandler handler;
    private CacheReplica cache;
    private AwsEndpoint aws;

    @BeforeEach
    void start(AwsEndpoint aws, RedisEndpoint redis) {
        this.aws = aws;
        testbed = new ApiTestbed(aws, Map.of("REDIS_URL", redis.uri().toString()));
        handler = new SessionsHandler(testbed.components(), testbed.out());
        cache = testbed.components().cache().orElseThrow();
    }

    @AfterEach
    void stop() {
        testbed.close();
    }

    private APIGatewayV2HTTPResponse handle(String file, java.util.function.Consumer<APIGatewayV2HTTPEvent> change) {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/" + file);
        change.accept(event);
        return handler.handleRequest(event, null);
    }

    /** The seeded session, replicated with different data, so that a response shows where it came from. */
    private Session replicated() {
        IssuedSession seeded = testbed.seed(TOKEN_A, null, Map.of("from", "table"));
        Session s = seeded.session();
        Session copy = new Session(s.id(), s.principal(), Map.of("from", "cache"), s.visits(), s.version(), s.revision(),
                s.createdAt(), s.lastAccessedAt(), s.expiresAt(), s.absoluteExpiresAt());
        cache.put(copy, testbed.clock().instant());
        return copy;
    }

    private static Object from(APIGatewayV2HTTPResponse response) {
        return ((Map<?, ?>) Json.parseObject(response.getBody(), 8).get("data")).get("from");
    }

    @Test
    void givenReplicatedSession_whenCurrentRead_thenServedFromTheCache() {
        replicated();
        testbed.requests().reset();

        APIGatewayV2HTTPResponse response = handle("sessions-current.json", e -> { });

        assertEquals(200, response.getStatusCode());
        assertEquals("hit", response.getHeaders().get("x-cache"));
        assertEquals("cache", from(response));
        assertEquals(List.of(), testbed.requests().operations(), "a cached read costs no DynamoDB request");
    }

    @Test
    void givenNoCacheHeaderOrConsistentQuery_whenCurrentRead_thenTheTableAnswers() {
        replicated();

        APIGatewayV2HTTPResponse noCache = handle("sessions-current.json", e -> e.getHeaders().put("cache-control", "no-cache"));
        APIGatewayV2HTTPResponse consistent = handle("sessions-current.json",
                e -> e.setQueryStringParameters(Map.of("consistent", "true")));

        for (APIGatewayV2HTTPResponse response : List.of(noCache, consistent)) {
            assertEquals("miss", response.getHeaders().get("x-cache"));
            assertEquals("table", from(response));
        }
    }

    @Test
    void givenDeletedOrRotatedSession_whenOldTokenReadsTheCache_thenSessionRequiredAtOnce() {
        replicated();
        assertEquals(204, handle("sessions-delete.json", e -> { }).getStatusCode());

        assertEquals(401, handle("sessions-current.json", e -> { }).getStatusCode());
        assertEquals(CacheReplica.Write.TOMBSTONED, cache.put(replicated(testbed), testbed.clock().instant()));
    }

    private static Session replicated(ApiTestbed testbed) {
        return new Session(dev.sessions.domain.SessionToken.parse(TOKEN_A).orElseThrow().id(), null, Map.of(), 1, 1, 99,
                testbed.clock().instant(), testbed.clock().instant(), testbed.clock().instant().plusSeconds(600),
                testbed.clock().instant().plusSeconds(600));
    }

    @Test
    void givenRotation_whenOldTokenReadsTheCache_thenSessionRequired() {
        replicated();

        assertEquals(200, handle("sessions-rotate.json", e -> { }).getStatusCode());

        assertEquals(401, handle("sessions-current.json", e -> { }).getStatusCode());
    }

    @Test
    void givenRedisDown_whenCurrentRead_thenTheTableAnswersAndNothingFails() {
        ApiTestbed down = new ApiTestbed(aws, Map.of("REDIS_URL", "redis://127.0.0.1:" + ServerProcess.freePort()));
        try {
            down.seed(TOKEN_A, null, Map.of("from", "table"));
            SessionsHandler unlucky = new SessionsHandler(down.components(), down.out());

            APIGatewayV2HTTPResponse read = unlucky.handleRequest(EventLoader.loadApiGatewayHttpEvent(
                    "events/sessions-current.json"), null);
            APIGatewayV2HTTPResponse delete = unlucky.handleRequest(EventLoader.loadApiGatewayHttpEvent(
                    "events/sessions-delete.json"), null);

            assertEquals(200, read.getStatusCode());
            assertEquals("miss", read.getHeaders().get("x-cache"));
            assertEquals(204, delete.getStatusCode());
            assertEquals(1, ((Number) down.logLines().getFirst().get("CacheErrors")).intValue());
        } finally {
            down.close();
        }
    }
}
