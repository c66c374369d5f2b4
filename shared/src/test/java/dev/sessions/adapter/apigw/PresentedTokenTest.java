package dev.sessions.adapter.apigw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresentedTokenTest {

    private static final String TOKEN = "tEsT0aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA";

    private static HttpRequest request(Map<String, String> headers, List<String> cookies) {
        return new HttpRequest("GET", "/", headers, cookies, Map.of(), Map.of(), null, false, "r", null);
    }

    @Test
    void givenQuotedCookieValue_whenRead_thenQuotesAreNotPartOfTheToken() {
        PresentedToken token = PresentedToken.of(request(Map.of(), List.of("$Version=\"1\"", "sid=\"" + TOKEN + "\"")));

        assertEquals(TOKEN, assertInstanceOf(PresentedToken.Valid.class, token).token().value());
    }

    @Test
    void givenBearerAndCookie_whenRead_thenBearerWinsAndIsNotFromCookie() {
        PresentedToken token = PresentedToken.of(request(Map.of("authorization", "bearer " + TOKEN),
                List.of("sid=x", "sid=y")));

        PresentedToken.Valid valid = assertInstanceOf(PresentedToken.Valid.class, token);
        assertEquals(false, valid.fromCookie());
    }

    @Test
    void givenOtherSchemeOrShapes_whenRead_thenInvalidWithReason() {
        assertEquals(new PresentedToken.Invalid("Authorization must use the Bearer scheme."),
                PresentedToken.of(request(Map.of("authorization", "Basic abc"), List.of())));
        assertInstanceOf(PresentedToken.Invalid.class, PresentedToken.of(request(Map.of(), List.of("sid=" + TOKEN + "x"))));
        assertInstanceOf(PresentedToken.None.class, PresentedToken.of(request(Map.of(), List.of("theme=dark"))));
    }

    @Test
    void givenTwoSidCookies_whenRead_thenAmbiguous() {
        RequestRejected rejected = assertThrows(RequestRejected.class,
                () -> PresentedToken.of(request(Map.of(), List.of("sid=" + TOKEN, "sid=" + TOKEN))));

        assertEquals(400, rejected.problem().status());
    }
}
