package dev.sessions.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.fixtures.Gate;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local HTTP API's Lambda (REQUEST) authorizers, each answer API Gateway gives: the event a
 * payload 2.0 and a 1.0 authorizer get; a simple response's and an IAM policy's allow and deny; the
 * context handed to the integration; 401 with no function run when an identity source is missing;
 * 500 for invalid output, a failure, no answer within 10 s, or no grant to invoke it; answers cached
 * by the identity sources for the TTL; both forms of declaring an authorizer SAM takes.
 */
class LambdaAuthorizerIT {

    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalLambda lambda;
    private static HttpApiGateway gateway;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        lambda = FixtureArtifacts.lambda("lambda-authorizers.yaml", Map.of(), dir, "Authorizer", "Unpermitted",
                "Responder");
        gateway = new HttpApiGateway(lambda, lambda.template().routes(), "127.0.0.1", 0,
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        lambda.close();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the integration got at requestContext.authorizer.lambda (the Responder echoes its event). */
    private static Map<?, ?> handedOn(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(response.body())).get("requestContext"))
                .get("authorizer")).get("lambda");
    }

    private static void assertRefused(int status, String body, HttpResponse<String> response, long responderBefore) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(body, response.body());
        assertEquals(responderBefore, lambda.invocations("Responder"), "the integration never runs");
    }

    @Test
    void givenASimpleResponsesAllow_whenRequested_thenTheIntegrationGetsTheContextAndTheAuthorizerSawTheRequest()
            throws Exception {
        Map<?, ?> context = handedOn(get("/simple?x=1", "x-who", "alice", "Cookie", "a=1; b=2"));

        assertEquals("alice", context.get("who"));
        assertEquals(new BigDecimal(7), context.get("n"), "numbers, lists and maps pass as the authorizer wrote them");
        assertEquals(Map.of("list", List.of(BigDecimal.ONE, new BigDecimal(2))), context.get("nested"));
        Map<?, ?> saw = (Map<?, ?>) context.get("saw");
        assertEquals("2.0", saw.get("version"));
        assertEquals("REQUEST", saw.get("type"));
        assertEquals("GET /simple", saw.get("routeKey"));
        assertTrue(String.valueOf(saw.get("routeArn")).matches("arn:aws:execute-api:[a-z0-9-]+:123456789012:[a-z0-9]{10}"
                + "/\\$default/GET/simple"), String.valueOf(saw.get("routeArn")));
        assertEquals(List.of(), saw.get("identitySource"));
        assertEquals(List.of("a=1", "b=2"), saw.get("cookies"));
        assertEquals(false, saw.get("hasBody"), "an authorizer event carries no body");
    }

    @Test
    void givenDeniesInvalidOutputAndFailures_whenRequested_thenApiGatewaysOwnAnswersAndNoIntegration() throws Exception {
        long before = lambda.invocations("Responder");

        assertRefused(403, "{\"message\":\"Forbidden\"}", get("/simple", "x-decision", "deny"), before);
        assertRefused(403, "{\"message\":\"Forbidden\"}", get("/policy", "x-decision", "deny"), before);
        assertRefused(500, "{\"message\":\"Internal Server Error\"}", get("/simple", "x-decision", "invalid"), before);
        assertRefused(500, "{\"message\":\"Internal Server Error\"}", get("/simple", "x-decision", "throw"), before);
        assertRefused(500, "{\"message\":\"Internal Server Error\"}", get("/policy", "x-decision", "invalid"), before);
    }

    @Test
    void givenAnIamPolicyAnswer_whenItAllowsTheRoute_thenThroughWithItsContext() throws Exception {
        Map<?, ?> context = handedOn(get("/policy", "x-who", "bob"));

        assertEquals("bob", context.get("who"));
    }

    @Test
    void givenAPayloadOneAuthorizerWithAnIdentitySource_whenItIsMissing_then401WithoutRunningTheAuthorizer()
            throws Exception {
        long authorizer = lambda.invocations("Authorizer");
        long before = lambda.invocations("Responder");

        assertRefused(401, "{\"message\":\"Unauthorized\"}", get("/v1"), before);
        assertEquals(authorizer, lambda.invocations("Authorizer"), "the authorizer is not invoked");
        Map<?, ?> saw = (Map<?, ?>) handedOn(get("/v1", "X-Token", "t-1")).get("saw");
        assertEquals("1.0", saw.get("version"));
        assertEquals("t-1", saw.get("identitySource"), "1.0 joins the values into one string");
        assertTrue(String.valueOf(saw.get("methodArn")).endsWith("/$default/GET/v1"), String.valueOf(saw.get("methodArn")));
    }

    @Test
    void givenACachingAuthorizer_whenTheSameIdentityComesAgain_thenAnsweredFromTheCacheUntilItsTtl() throws Exception {
        long first = lambda.invocations("Authorizer");
        assertEquals(200, get("/cached", "X-Token", "cache-a", "x-who", "carol").statusCode());
        assertEquals(200, get("/cached", "X-Token", "cache-a", "x-who", "mallory").statusCode());
        assertEquals(first + 1, lambda.invocations("Authorizer"), "the second was answered from the cache");
        assertEquals("carol", handedOn(get("/cached", "X-Token", "cache-a")).get("who"),
                "the cached context, whoever asks with the same identity source");
        assertEquals(403, get("/cached", "X-Token", "cache-b", "x-decision", "deny").statusCode());
        assertEquals(403, get("/cached", "X-Token", "cache-b").statusCode(), "a deny is cached too");
        assertEquals(first + 2, lambda.invocations("Authorizer"));

        Poll.until(Duration.ofSeconds(10), "the 2 s TTL to pass and the authorizer to be asked again", () -> {
            try {
                return get("/cached", "X-Token", "cache-b").statusCode() == 200;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertRefused(401, "{\"message\":\"Unauthorized\"}", get("/cached"), lambda.invocations("Responder"));
    }

    @Test
    void givenAKeptPolicyThatNamesOneRoute_whenTheSameIdentityAsksForAnother_thenThePolicyDecidesThereToo()
            throws Exception {
        long asked = lambda.invocations("Authorizer");
        long before = lambda.invocations("Responder");

        assertEquals(200, get("/policy-kept/a", "X-Token", "kept-1").statusCode(), "the policy allows route a");
        assertRefused(403, "{\"message\":\"Forbidden\"}", get("/policy-kept/b", "X-Token", "kept-1"), before + 1);
        assertEquals(asked + 1, lambda.invocations("Authorizer"), "route b was judged by the kept policy, unasked");
    }

    @Test
    void givenAnAuthorizerApiGatewayMayNotInvoke_whenRequested_then500AndTheFunctionNeverRuns() throws Exception {
        long before = lambda.invocations("Responder");

        assertRefused(500, "{\"message\":\"Internal Server Error\"}", get("/unpermitted"), before);
        assertEquals(0, lambda.invocations("Unpermitted"));
        assertTrue(LOG.toString(StandardCharsets.UTF_8).contains("no AWS::Lambda::Permission grants it"));
    }

    @Test
    void givenSamsAuthorizersForm_whenRequested_thenItsIdentitySourceAndDefaultPermissionHold() throws Exception {
        long before = lambda.invocations("Responder");

        assertRefused(401, "{\"message\":\"Unauthorized\"}", get("/native"), before);
        assertEquals("dave", handedOn(get("/native", "X-Token", "n-1", "x-who", "dave")).get("who"));
    }

    @Test
    void givenAnAuthorizerThatDoesNotAnswerWithinTenSeconds_whenRequested_then500() throws Exception {
        long before = lambda.invocations("Responder");
        try (Gate gate = new Gate()) {
            String hold = "hold:" + gate.event().replaceAll("[^0-9]", "");

            HttpResponse<String> response = get("/simple", "x-decision", hold);

            gate.awaitHeld(1, Duration.ofSeconds(5));
            assertRefused(500, "{\"message\":\"Internal Server Error\"}", response, before);
        }
    }
}
