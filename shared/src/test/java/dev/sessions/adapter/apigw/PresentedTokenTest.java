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
        PresentedToken token = PresentedToken.of(request(Map.of(), List.of("$Version=\"1\"", "sid=\"" + TOKEN + "\"")), "sid");

        assertEquals(TOKEN, assertInstanceOf(PresentedToken.Valid.class, token).token().value());
    }

    @Test
    void givenBearerAndCookie_whenRead_thenBearerWinsAndIsNotFromCookie() {
        PresentedToken token = PresentedToken.of(request(Map.of("authorization", "bearer " + TOKEN),
                List.of("sid=x", "sid=y")), "sid");

        PresentedToken.Valid valid = assertInstanceOf(PresentedToken.Valid.class, token);
        assertEquals(false, valid.fromCookie());
    }

    @Test
    void givenOtherSchemeOrShapes_whenRead_thenInvalidWithReason() {
        assertEquals(new PresentedToken.Invalid("Authorization must use the Bearer scheme."),
                PresentedToken.of(request(Map.of("authorization", "Basic abc"), List.of()), "sid"));
        assertInstanceOf(PresentedToken.Invalid.class, PresentedToken.of(request(Map.of(), List.of("sid=" + TOKEN + "x")), "sid"));
        assertInstanceOf(PresentedToken.None.class, PresentedToken.of(request(Map.of(), List.of("theme=dark")), "sid"));
    }

    @Test
    void givenTheHostPrefixedName_whenRead_thenOnlyThatNameCounts() {
        HttpRequest planted = request(Map.of(), List.of("sid=" + TOKEN));
        HttpRequest own = request(Map.of(), List.of("sid=" + TOKEN.replace('t', 'u'), "__Host-sid=" + TOKEN));

        assertInstanceOf(PresentedToken.None.class, PresentedToken.of(planted, "__Host-sid"));
        assertEquals(TOKEN, assertInstanceOf(PresentedToken.Valid.class, PresentedToken.of(own, "__Host-sid")).token().value());
    }

    @Test
    void givenTwoSidCookies_whenRead_thenAmbiguous() {
        RequestRejected rejected = assertThrows(RequestRejected.class,
                () -> PresentedToken.of(request(Map.of(), List.of("sid=" + TOKEN, "sid=" + TOKEN)), "sid"));

        assertEquals(400, rejected.problem().status());
    }

    @Test
    void givenSeveralCookiesAndABearer_whenEveryTokenIsRead_thenEachWellFormedOneOnceAndTheCookiesCounted() {
        String other = TOKEN.replace('t', 'u');
        PresentedToken.Presented presented = PresentedToken.every(request(Map.of("authorization", "Bearer " + TOKEN),
                List.of("sid=" + other, "sid=not-a-token", "sid=" + TOKEN, "theme=dark")), "sid");

        assertEquals(List.of(TOKEN, other), presented.tokens().stream().map(dev.sessions.domain.SessionToken::value).toList());
        assertEquals(3, presented.cookies());
        assertEquals(List.of(), PresentedToken.every(request(Map.of("authorization", "Basic abc"), List.of()), "sid").tokens());
    }

    @Test
    void givenACookieDomain_whenClearedEverywhere_thenEveryPathAndDomainACookieCouldHaveBeenPlantedFor() {
        SessionCookie cookie = SessionCookie.of(true, "Lax", "app.example.com");

        List<String> clears = cookie.clearEverywhere("/sessions/current");

        for (String domain : List.of("", "; Domain=app.example.com", "; Domain=example.com")) {
            for (String path : List.of("/", "/sessions", "/sessions/", "/sessions/current", "/sessions/current/")) {
                assertEquals(true, clears.contains("__Secure-sid=; Path=" + path + domain
                        + "; HttpOnly; SameSite=Lax; Max-Age=0; Secure"), path + domain + " in " + clears);
            }
        }
        assertEquals(15, clears.size());
        assertEquals(List.of(SessionCookie.of(true, "Lax", "").clear()),
                SessionCookie.of(true, "Lax", "").clearEverywhere("/sessions/current"), "__Host- has one form only");
    }
}
