package dev.sessions.adapter.apigw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.json.Json;
import dev.sessions.testing.Executables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The payload codec the functions use, held to the Java events library's reading of the same events. */
class HttpApiPayloadTest {

    private static HttpRequest read(String json) throws IOException {
        return HttpApiPayload.readRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @TestFactory
    Stream<DynamicTest> givenEveryHttpEventFile_whenRead_thenTheSameRequestAsTheEventsLibraryGives() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(Executables.projectRoot().resolve("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String text = Files.readString(file);
                if (!text.contains("\"routeKey\"")) {
                    continue; // a stream batch
                }
                tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> assertEquals(
                        asTheEventsLibraryReadsIt(EventLoader.loadApiGatewayHttpEvent(file.toString())), read(text))));
            }
        }
        assertFalse(tests.isEmpty(), "no HTTP API events in events/");
        return tests.stream();
    }

    /** The request the Java events library's reading of an event describes, field by field. */
    private static HttpRequest asTheEventsLibraryReadsIt(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        APIGatewayV2HTTPEvent.RequestContext.Http http = context == null ? null : context.getHttp();
        String caller = context != null && context.getAuthorizer() != null && context.getAuthorizer().getIam() != null
                ? context.getAuthorizer().getIam().getUserArn() : null;
        return HttpRequest.from(http == null ? null : http.getMethod(), http == null ? null : http.getPath(),
                event.getRawPath(), event.getHeaders(), event.getCookies(), event.getQueryStringParameters(),
                event.getPathParameters(), event.getBody(), event.getIsBase64Encoded(),
                context == null ? null : context.getRequestId(), caller,
                context != null && context.getAuthorizer() != null && context.getAuthorizer().getJwt() != null
                        ? context.getAuthorizer().getJwt().getClaims() : null,
                context != null && context.getAuthorizer() != null ? context.getAuthorizer().getLambda() : null,
                http == null ? null : http.getSourceIp(), context == null ? null : context.getDomainName());
    }

    @Test
    void givenResponse_whenWritten_thenPayloadFormatTwoJson() throws IOException {
        ApiResponse response = ApiResponse.json(201, "{\"a\":\"é\"}").cookie("sid=x; Path=/");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        HttpApiPayload.writeResponse(response, out);

        Map<String, Object> json = Json.parseObject(out.toString(StandardCharsets.UTF_8), 8);
        assertEquals(new java.math.BigDecimal(201), json.get("statusCode"));
        assertEquals(Map.of("content-type", "application/json", "cache-control", "no-store"), json.get("headers"));
        assertEquals(List.of("sid=x; Path=/"), json.get("cookies"));
        assertEquals("{\"a\":\"é\"}", json.get("body"));
        assertEquals(false, json.get("isBase64Encoded"));
    }

    @Test
    void givenMinimalEvent_whenRead_thenDefaults() throws IOException {
        HttpRequest request = read("{\"version\":\"2.0\"}");

        assertEquals("GET", request.method());
        assertEquals("/", request.path());
        assertTrue(request.headers().isEmpty() && request.cookies().isEmpty() && request.query().isEmpty());
    }

    @Test
    void givenSomethingElse_whenRead_thenAClearError() {
        for (String bad : List.of("not json", "[1,2]", "{\"headers\":[\"a\"]}", "{\"cookies\":\"sid=x\"}",
                "{\"requestContext\":{\"http\":{\"method\":7}}}", "{\"headers\":{\"a\":1}}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(bad), bad);
            assertTrue(e.getMessage().startsWith("not an HTTP API event (payload format 2.0)"), e.getMessage());
        }
    }
}
