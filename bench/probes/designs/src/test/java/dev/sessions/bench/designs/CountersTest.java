package dev.sessions.bench.designs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two counters as Lambda calls them: an HTTP API event in, its response out. */
class CountersTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static Map<String, Object> call(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler,
                                            String method, String query, String cookie) throws IOException {
        String event = "{\"version\":\"2.0\",\"rawPath\":\"/x\",\"rawQueryString\":\"\","
                + (query == null ? "" : "\"queryStringParameters\":" + query + ",")
                + (cookie == null ? "" : "\"cookies\":[\"" + cookie + "\"],")
                + "\"requestContext\":{\"requestId\":\"r\",\"http\":{\"method\":\"" + method + "\",\"path\":\"/x\"}}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.parseObject(out.toString(StandardCharsets.UTF_8), 8);
    }

    /** name=value of the response's first Set-Cookie. */
    private static String cookieOf(Map<String, Object> response) {
        String line = (String) ((List<?>) response.get("cookies")).get(0);
        return line.substring(0, line.indexOf(';'));
    }

    @Test
    void givenMemoryCounter_whenVisitedTwiceWithItsCookie_thenTwoInThisEnvironmentAndOneInAnother() throws IOException {
        MemoryCounterHandler one = new MemoryCounterHandler();
        MemoryCounterHandler other = new MemoryCounterHandler();

        String cookie = cookieOf(call(one, "GET", null, null));
        Map<String, Object> again = call(one, "GET", null, cookie);
        Map<String, Object> elsewhere = call(other, "GET", null, cookie);

        assertEquals("You have visited 2 times.", again.get("body"));
        assertEquals("You have visited 1 times.", elsewhere.get("body"), "another environment holds no count");
    }

    @Test
    void givenMemoryCounter_whenEnded_thenItsCookieStartsOver() throws IOException {
        MemoryCounterHandler counter = new MemoryCounterHandler();
        String cookie = cookieOf(call(counter, "GET", null, null));

        assertEquals(204, ((Number) call(counter, "DELETE", null, cookie).get("statusCode")).intValue());
        assertEquals("You have visited 1 times.", call(counter, "GET", null, cookie).get("body"));
    }

    @Test
    void givenSignedCounter_whenVisitedWithItsCookie_thenCountsOnAnywhere() throws IOException {
        byte[] key = "k".repeat(32).getBytes(StandardCharsets.UTF_8);
        SignedCookieHandler one = new SignedCookieHandler(key, CLOCK);
        SignedCookieHandler other = new SignedCookieHandler(key, CLOCK);

        String first = cookieOf(call(one, "GET", null, null));
        String second = cookieOf(call(other, "GET", null, first));
        Map<String, Object> replayed = call(one, "GET", null, first);

        assertEquals("You have visited 3 times.", call(one, "GET", null, second).get("body"));
        assertEquals("You have visited 2 times.", replayed.get("body"), "an old cookie rolls the count back");
    }

    @Test
    void givenSignedCounter_whenPadded_thenTheCookieCarriesTheData() throws IOException {
        SignedCookieHandler counter = new SignedCookieHandler("k".repeat(32).getBytes(StandardCharsets.UTF_8), CLOCK);

        String cookie = cookieOf(call(counter, "GET", "{\"pad\":\"3000\"}", null));

        assertTrue(cookie.length() > 4000, "3000 bytes of data, base64url and signed: " + cookie.length());
        assertEquals(400, ((Number) call(counter, "GET", "{\"pad\":\"-1\"}", null).get("statusCode")).intValue());
    }
}
