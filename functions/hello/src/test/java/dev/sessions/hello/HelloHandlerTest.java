package dev.sessions.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class HelloHandlerTest {

    private final java.io.ByteArrayOutputStream logs = new java.io.ByteArrayOutputStream();
    private final HelloHandler handler = new HelloHandler(new java.io.PrintStream(logs, true));

    @ParameterizedTest
    @Event(value = "events/hello.json", type = APIGatewayV2HTTPEvent.class)
    void givenHelloEvent_whenHandled_thenGreetsInPlainText(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals(200, response.getStatusCode());
        assertEquals("text/plain; charset=utf-8", response.getHeaders().get("content-type"));
        assertEquals("Hello, World!", response.getBody());
        String line = logs.toString().strip();
        assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), line);
        for (String field : new String[] {"\"level\":\"INFO\"", "\"function\":\"HelloFunction\"",
            "\"requestId\":\"CwUoTjm7DoEEMsA=\"", "\"route\":\"GET /hello\"", "\"status\":200", "\"durationMs\":"}) {
            assertTrue(line.contains(field), field + " in " + line);
        }
    }

    @ParameterizedTest
    @Event(value = "events/hello.json", type = APIGatewayV2HTTPEvent.class)
    void givenPost_whenHandled_thenMethodNotAllowedAsProblem(APIGatewayV2HTTPEvent event) {
        event.getRequestContext().getHttp().setMethod("POST");

        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        assertEquals(405, response.getStatusCode());
        assertEquals("GET", response.getHeaders().get("allow"));
        assertEquals("application/problem+json", response.getHeaders().get("content-type"));
    }

    @Test
    void givenHelloEventAsLambdaSendsIt_whenStreamed_thenTheResponseJsonGreets() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        handler.handleRequest(getClass().getResourceAsStream("/events/hello.json"), out, null);

        String json = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"statusCode\":200,"), json);
        assertTrue(json.contains("\"body\":\"Hello, World!\""), json);
        assertTrue(logs.toString().contains("\"requestId\":\"CwUoTjm7DoEEMsA=\""), logs.toString());
    }

    @Test
    void givenNoRequestContext_whenHandled_thenStillGreets() {
        assertEquals("Hello, World!", handler.handleRequest(new APIGatewayV2HTTPEvent(), null).getBody());
    }
}
