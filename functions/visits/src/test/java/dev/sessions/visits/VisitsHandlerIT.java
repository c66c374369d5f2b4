package dev.sessions.visits;

import static dev.sessions.testing.ApiTestbed.TOKEN_A;
import static dev.sessions.testing.ApiTestbed.TOKEN_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.json.Json;
import dev.sessions.testing.ApiTestbed;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

@ExtendWith(LocalServices.class)
class VisitsHandlerIT {

    private ApiTestbed testbed;
    private VisitsHandler handler;

    @BeforeEach
    void start(AwsEndpoint aws) {
        testbed = new ApiTestbed(aws, Map.of());
        handler = new VisitsHandler(testbed.components(), testbed.out());
    }

    @AfterEach
    void stop() {
        LogAssertions.assertEveryLineWellFormed(testbed.logText(), List.of(TOKEN_A, TOKEN_B));
        testbed.close();
    }

    @ParameterizedTest
    @Event(value = "events/visits-first.json", type = APIGatewayV2HTTPEvent.class)
    void givenFirstVisit_whenHandled_thenOneVisitAndANewSessionCookie(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals(List.of("PutItem"), testbed.requests().operations(), "a first visit is exactly one write");
        assertEquals(200, response.getStatusCode());
        assertEquals("text/plain; charset=utf-8", response.getHeaders().get("content-type"));
        assertEquals("You have visited 1 times.", response.getBody());
        String cookie = response.getCookies().getFirst();
        assertTrue(cookie.matches("sid=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800; Secure"), cookie);
    }

    @ParameterizedTest
    @Event(value = "events/visits-returning.json", type = APIGatewayV2HTTPEvent.class)
    void givenReturningVisitor_whenHandledThrice_thenCountsAndReissuesTheSameCookie(APIGatewayV2HTTPEvent event) {
        testbed.seed(TOKEN_A, null, Map.of());

        handler.handleRequest(event, null);
        handler.handleRequest(event, null);
        testbed.requests().reset();
        APIGatewayV2HTTPResponse third = handler.handleRequest(event, null);

        assertEquals("You have visited 3 times.", third.getBody());
        assertEquals(List.of("UpdateItem"), testbed.requests().operations(), "a visit is exactly one write");
        assertTrue(third.getCookies().getFirst().startsWith("sid=" + TOKEN_A + "; "), "Max-Age refreshed, same token");
    }

    @ParameterizedTest
    @Event(value = "events/visits-returning.json", type = APIGatewayV2HTTPEvent.class)
    void givenExpiredSession_whenVisited_thenANewSessionStartsAtOne(APIGatewayV2HTTPEvent event) {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.clock().advance(Duration.ofMinutes(31));

        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals("You have visited 1 times.", response.getBody());
        assertFalse(response.getCookies().getFirst().startsWith("sid=" + TOKEN_A), "a new token");
        assertEquals(1, testbed.logLines().getFirst().get("ExpiredSessionHits") instanceof Number n ? n.intValue() : 0);
    }

    @Test
    void givenMalformedToken_whenVisited_thenANewSessionInsteadOfAnError() {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/visits-returning.json");
        event.setCookies(List.of("sid=short"));

        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals("You have visited 1 times.", response.getBody());
    }

    @ParameterizedTest
    @Event(value = "events/visits-ambiguous-cookies.json", type = APIGatewayV2HTTPEvent.class)
    void givenTwoSidCookies_whenVisited_thenAmbiguousAndNothingStored(APIGatewayV2HTTPEvent event) {
        testbed.seed(TOKEN_A, null, Map.of());
        testbed.seed(TOKEN_B, null, Map.of());
        List<String> before = testbed.items();

        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals(400, response.getStatusCode());
        assertEquals("urn:sessions:problem:ambiguous-session", Json.parseObject(response.getBody(), 4).get("type"));
        assertEquals(before, testbed.items());
    }

    @Test
    void givenBearerToken_whenVisited_thenCountedWithoutSettingACookie() {
        testbed.seed(TOKEN_A, null, Map.of());
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/visits-first.json");
        event.getHeaders().put("authorization", "Bearer " + TOKEN_A);

        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals("You have visited 1 times.", response.getBody());
        assertNull(response.getCookies());
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
