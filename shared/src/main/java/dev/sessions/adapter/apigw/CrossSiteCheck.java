package dev.sessions.adapter.apigw;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses a browser's cross-origin unsafe request that rides on the session cookie (CSRF), as
 * OWASP's cheat sheet and Go's {@code http.CrossOriginProtection} do it: safe methods, requests with
 * a bearer token (a page on another origin cannot make a browser attach one) and requests without
 * the session cookie pass; then {@code Sec-Fetch-Site} decides ({@code same-origin} and {@code none}
 * pass, {@code same-site} and {@code cross-site} do not); without it, {@code Origin} must be the
 * API's own (its host the request's {@code Host}); a request with neither header is no browser's
 * and passes. An origin the stack trusts (its exact CORS origins) passes in every case.
 *
 * @param trusted origins as {@code scheme://host[:port]}, lower case
 */
public record CrossSiteCheck(Set<String> trusted) {

    public CrossSiteCheck {
        trusted = Set.copyOf(trusted);
    }

    /**
     * From a comma-separated list of origins (CorsAllowOrigins): {@code *} (every origin, which no
     * credentialed request may use) and anything that is not an origin are left out.
     */
    public static CrossSiteCheck trusting(String origins) {
        return new CrossSiteCheck(Arrays.stream(origins.split(",")).map(String::trim)
                .filter(origin -> !origin.isEmpty() && !origin.equals("*"))
                .map(origin -> origin.toLowerCase(Locale.ROOT).replaceAll("/+$", ""))
                .collect(Collectors.toSet()));
    }

    /**
     * The refusal of a request, or empty when it may go on.
     *
     * @param carriesSessionCookie whether the request sent the session cookie (the ambient credential)
     */
    public Optional<Problem> refusal(HttpRequest request, boolean carriesSessionCookie) {
        if (Set.of("GET", "HEAD", "OPTIONS").contains(request.method()) || !carriesSessionCookie
                || request.header("authorization").map(v -> v.regionMatches(true, 0, "bearer ", 0, 7)).orElse(false)) {
            return Optional.empty();
        }
        Optional<String> origin = request.header("origin").map(v -> v.trim().toLowerCase(Locale.ROOT));
        if (origin.isPresent() && trusted.contains(origin.get())) {
            return Optional.empty();
        }
        Optional<String> site = request.header("sec-fetch-site").map(v -> v.trim().toLowerCase(Locale.ROOT));
        if (site.isPresent()) {
            return switch (site.get()) {
                case "same-origin", "none" -> Optional.empty();
                default -> Optional.of(Problem.crossSiteRequest("The browser says this request comes from a "
                        + site.get() + " page (Sec-Fetch-Site), which may not use the session cookie"
                        + (origin.isPresent() ? " (Origin " + origin.get() + " is not a trusted origin)" : "")
                        + ". Send it from this API's origin or a trusted one, or with Authorization: Bearer."));
            };
        }
        if (origin.isEmpty()) {
            return Optional.empty(); // no Fetch Metadata and no Origin: not a browser, no ambient cookie to abuse
        }
        if (!origin.get().equals("null") && hostOf(origin.get()).equals(request.header("host")
                .map(v -> v.trim().toLowerCase(Locale.ROOT)))) {
            return Optional.empty();
        }
        return Optional.of(Problem.crossSiteRequest("Origin " + origin.get() + " is neither this API's origin nor a"
                + " trusted one, so the request may not use the session cookie. Send it from this API's origin or a"
                + " trusted one, or with Authorization: Bearer."));
    }

    private static Optional<String> hostOf(String origin) {
        try {
            URI uri = URI.create(origin);
            return Optional.ofNullable(uri.getHost()).map(host -> uri.getPort() < 0 ? host : host + ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
