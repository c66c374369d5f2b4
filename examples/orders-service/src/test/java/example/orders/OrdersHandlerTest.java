package example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the handler decides before and around its table: the caller from the authorizer's context,
 * the body's rules, and a table it cannot reach. Its table sits at a port nothing listens on, so a
 * refusal that touched it would show as 503. Orders placed and listed against a real table are the
 * sessions repository's ExampleStackIT, which runs this stack beside the sessions stack.
 */
class OrdersHandlerTest {

    private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
    private static DynamoDbClient unreachable;
    private static OrdersHandler handler;

    @BeforeAll
    static void start() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        unreachable = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + closed))
                .region(Region.EU_WEST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)).build();
        handler = new OrdersHandler(new Orders(unreachable, "orders"), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        unreachable.close();
    }

    private static APIGatewayV2HTTPEvent event(String method, Map<String, Object> session, String body) {
        var context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath("/orders").build());
        if (session != null) {
            context.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder().withLambda(session).build());
        }
        return APIGatewayV2HTTPEvent.builder().withRouteKey(method + " /orders").withRequestContext(context.build())
                .withBody(body).build();
    }

    private static Map<String, Object> alice() {
        return Map.of("id", "uTa7ryUvdhtXQjw8AzmI8ajpR24ZubXSIoMwr_trDKQ", "principal", "alice",
                "expiresAt", "2030-01-01T00:00:00Z", "data", Map.of());
    }

    private static Context context() {
        LambdaLogger logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                LOGGED.add(message);
            }

            @Override
            public void log(byte[] message) {
                LOGGED.add(new String(message, java.nio.charset.StandardCharsets.UTF_8));
            }
        };
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> method.getName().equals("getLogger") ? logger : null);
    }

    private static void assertProblem(int status, String slug, APIGatewayV2HTTPResponse response) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals("application/problem+json", response.getHeaders().get("content-type"));
        assertTrue(response.getBody().contains("\"type\":\"urn:orders:problem:" + slug + "\""), response.getBody());
    }

    @Test
    void givenNoAuthorizerContext_whenInvokedDirectly_then401AndTheTableUntouched() {
        assertProblem(401, "no-session", handler.handleRequest(event("GET", null, null), context()));
        assertProblem(401, "no-session", handler.handleRequest(event("GET", Map.of("principal", "mallory"), null),
                context()));
    }

    @Test
    void givenAnAnonymousSession_whenOrdersAreAsked_then403SignInFirst() {
        Map<String, Object> visitor = Map.of("id", "uTa7ryUvdhtXQjw8AzmI8ajpR24ZubXSIoMwr_trDKQ",
                "expiresAt", "2030-01-01T00:00:00Z", "data", Map.of());

        assertProblem(403, "sign-in-required", handler.handleRequest(event("GET", visitor, null), context()));
    }

    @Test
    void givenBadBodies_whenAnOrderIsPlaced_then400NamingTheRule() {
        for (String body : new String[] {null, "[]", "{\"item\":\"\",\"quantity\":1}", "{\"item\":\"book\"}",
                "{\"item\":\"book\",\"quantity\":1.5}", "{\"item\":\"book\",\"quantity\":100}",
                "{\"item\":\"book\",\"quantity\":1,\"price\":0}"}) {
            assertProblem(400, "invalid-body", handler.handleRequest(event("POST", alice(), body), context()));
        }
    }

    @Test
    void givenTheTableUnreachable_whenAPrincipalAsks_then503NotA500AndAnErrorLogged() {
        LOGGED.clear();

        assertProblem(503, "unavailable", handler.handleRequest(event("GET", alice(), null), context()));
        assertProblem(503, "unavailable", handler.handleRequest(event("POST", alice(), "{\"item\":\"book\",\"quantity\":2}"),
                context()));
        assertEquals(2, LOGGED.stream().filter(line -> line.contains("\"level\":\"ERROR\"")).count(), LOGGED.toString());
    }
}
