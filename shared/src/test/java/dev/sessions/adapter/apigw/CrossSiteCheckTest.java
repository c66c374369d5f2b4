package dev.sessions.adapter.apigw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests the cross-site check refuses: OWASP's and Go's rules, the stack's trusted origins. */
class CrossSiteCheckTest {

    private static final CrossSiteCheck CHECK = CrossSiteCheck.trusting("https://app.example.com, *");

    @ParameterizedTest(name = "{0} cookie={1} bearer={2} Sec-Fetch-Site={3} Origin={4}: {5}")
    @CsvSource(nullValues = "-", value = {
        // safe methods, bearer tokens and requests without the cookie pass
        "GET,    true,  false, cross-site,  https://evil.example,    pass",
        "POST,   false, false, cross-site,  https://evil.example,    pass",
        "POST,   true,  true,  cross-site,  https://evil.example,    pass",
        // Fetch Metadata decides where the browser sends it
        "POST,   true,  false, same-origin, -,                       pass",
        "DELETE, true,  false, none,        -,                       pass",
        "PATCH,  true,  false, cross-site,  https://evil.example,    refuse",
        "POST,   true,  false, same-site,   https://sub.api.example, refuse",
        "POST,   true,  false, cross-site,  -,                       refuse",
        // an origin the stack trusts passes however the browser calls it
        "POST,   true,  false, cross-site,  https://app.example.com, pass",
        "POST,   true,  false, same-site,   https://APP.example.com, pass",
        // without Fetch Metadata, Origin against the API's own host
        "POST,   true,  false, -,           https://api.example,     pass",
        "POST,   true,  false, -,           https://evil.example,    refuse",
        "POST,   true,  false, -,           null,                    refuse",
        "POST,   true,  false, -,           -,                       pass",
    })
    void givenARequest_whenChecked_thenPassedOrRefusedAsTheRulesSay(String method, boolean cookie, boolean bearer,
                                                                   String site, String origin, String expected) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", "api.example");
        if (bearer) {
            headers.put("authorization", "Bearer x");
        }
        if (site != null) {
            headers.put("sec-fetch-site", site);
        }
        if (origin != null) {
            headers.put("origin", origin);
        }
        HttpRequest request = HttpRequest.of(method, "/sessions/current", headers, cookie ? List.of("sid=x") : List.of());

        var refusal = CHECK.refusal(request, cookie);

        assertEquals(expected, refusal.isPresent() ? "refuse" : "pass");
        refusal.ifPresent(problem -> assertEquals(403, problem.status()));
    }
}
