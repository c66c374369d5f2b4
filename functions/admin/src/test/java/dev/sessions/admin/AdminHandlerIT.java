package dev.sessions.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.Poll;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalServices.class)
class AdminHandlerIT {

    private ApiTestbed testbed;
    private AdminHandler handler;

    @BeforeEach
    void start(AwsEndpoint aws) {
        testbed = new ApiTestbed(aws, Map.of());
        handler = new AdminHandler(testbed.components(), testbed.out());
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(testbed.logText(), List.of(ApiTestbed.TOKEN_A, ApiTestbed.TOKEN_B,
                "laptop", "phone"));
        testbed.close();
    }

    private APIGatewayV2HTTPResponse handle(String file) {
        return handler.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/" + file), null);
    }

    @Test
    void givenPrincipalWithSessions_whenListed_thenLiveOnesWithoutTokens() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of("device", "laptop"));
        testbed.seed(ApiTestbed.TOKEN_B, "alice@example.com", Map.of("device", "phone"));

        APIGatewayV2HTTPResponse response = Poll.until(Duration.ofSeconds(10), "both sessions listed",
                () -> handle("admin-list.json"), r -> ((List<?>) Json.parseObject(r.getBody(), 8).get("sessions")).size() == 2);

        assertEquals(200, response.getStatusCode());
        assertFalse(response.getBody().contains(ApiTestbed.TOKEN_A) || response.getBody().contains(ApiTestbed.TOKEN_B),
                "never a token");
        assertTrue(testbed.logText().contains("arn:aws:sts::123456789012:assumed-role/SessionsOperator/ops-oncall"),
                "the IAM caller is logged");
    }

    @Test
    void givenPrincipalWithSessions_whenRevoked_thenCountedAndListEmpty() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        testbed.seed(ApiTestbed.TOKEN_B, "alice@example.com", Map.of());
        Poll.until(Duration.ofSeconds(10), "both indexed", () -> handle("admin-list.json"),
                r -> ((List<?>) Json.parseObject(r.getBody(), 8).get("sessions")).size() == 2);

        APIGatewayV2HTTPResponse revoked = handle("admin-revoke.json");

        assertEquals(200, revoked.getStatusCode());
        assertEquals(Map.of("revoked", new BigDecimal(2)), Json.parseObject(revoked.getBody(), 4));
        assertEquals(List.of(), Json.parseObject(handle("admin-list.json").getBody(), 8).get("sessions"));
        assertEquals(List.of(), testbed.items());
    }

    @Test
    void givenInvalidPrincipals_whenListed_thenBadRequestNamingTheRule() {
        for (String principal : List.of("alice smith", "a/b", "..", "p".repeat(10 * 1024), "")) {
            APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/admin-invalid-principal.json");
            event.setPathParameters(Map.of("principal", principal));

            APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

            assertEquals(400, response.getStatusCode(), principal);
            Map<String, Object> problem = Json.parseObject(response.getBody(), 4);
            assertEquals("urn:sessions:problem:invalid-principal", problem.get("type"));
            assertTrue(problem.get("detail").toString().length() < 200, "the detail does not echo a long value");
        }
    }

    @Test
    void givenPriming_whenWarmedUp_thenNothingIsStoredOrLogged() {
        testbed.seed(ApiTestbed.TOKEN_A, "alice@example.com", Map.of());
        List<String> before = testbed.items();

        handler.priming().warmUp();

        assertEquals(before, testbed.items());
        assertEquals("", testbed.logText());
    }
}
