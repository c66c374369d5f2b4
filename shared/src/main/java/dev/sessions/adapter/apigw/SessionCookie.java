package dev.sessions.adapter.apigw;

import dev.sessions.domain.SessionToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The session cookie, named so that no other site can plant one the server would read:
 * {@code __Host-sid} (Secure, {@code Path=/}, no Domain: only this host can set it), or with a
 * configured Domain {@code __Secure-sid} (the {@code __Host-} prefix forbids a Domain); only
 * where Secure is off (plain http on loopback, the local runtime) plain {@code sid}. The server
 * reads the name it sets and no other.
 *
 * <p>{@code <name>=<token>; Path=/; [Domain=<d>; ]HttpOnly; SameSite=<Lax|Strict|None>; Max-Age=<s>[; Secure]}
 *
 * @param name the cookie's name, from the settings
 * @param secure whether it is sent over HTTPS only
 * @param sameSite Lax (default), Strict, or None (which browsers take only with Secure)
 * @param domain the Domain attribute, or empty for a host-only cookie
 */
public record SessionCookie(String name, boolean secure, String sameSite, Optional<String> domain) {

    /** A DNS name: labels of letters, digits and hyphens, at least two of them. */
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /**
     * The cookie the settings describe.
     *
     * @param sameSite {@code Lax}, {@code Strict} or {@code None} in any case; blank for Lax
     * @param domain a domain such as {@code example.com}; blank for none
     * @throws IllegalStateException for a SameSite or Domain that is not valid, or SameSite=None without Secure
     */
    public static SessionCookie of(boolean secure, String sameSite, String domain) {
        String site = switch (sameSite == null ? "" : sameSite.trim().toLowerCase(Locale.ROOT)) {
            case "", "lax" -> "Lax";
            case "strict" -> "Strict";
            case "none" -> "None";
            default -> throw new IllegalStateException("COOKIE_SAME_SITE must be Lax, Strict or None, not " + sameSite);
        };
        if (site.equals("None") && !secure) {
            throw new IllegalStateException("COOKIE_SAME_SITE=None needs COOKIE_SECURE=true: browsers refuse"
                    + " SameSite=None cookies without Secure");
        }
        String d = domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT);
        if (d.startsWith(".")) {
            d = d.substring(1); // RFC 6265 ignores a leading dot
        }
        if (!d.isEmpty() && !DOMAIN.matcher(d).matches()) {
            throw new IllegalStateException("COOKIE_DOMAIN must be a domain name such as example.com, not " + domain);
        }
        String name = !secure ? "sid" : d.isEmpty() ? "__Host-sid" : "__Secure-sid";
        return new SessionCookie(name, secure, site, d.isEmpty() ? Optional.empty() : Optional.of(d));
    }

    /** The cookie that carries {@code token} for {@code maxAgeSeconds}. */
    public String issue(SessionToken token, long maxAgeSeconds) {
        return name + "=" + token.value() + attributes() + "; Max-Age=" + maxAgeSeconds + (secure ? "; Secure" : "");
    }

    /** The cookie that makes the client forget it. */
    public String clear() {
        return name + "=" + attributes() + "; Max-Age=0" + (secure ? "; Secure" : "");
    }

    /**
     * The cookies that make the client forget every cookie of this name a request to {@code path}
     * can carry: for each path that matches it ({@code /}, each of its prefixes) and each domain
     * one could have been set for (host-only, the configured Domain and its parents), one that
     * expires it. Sent when a request carried several: the user's own and a planted one, whose
     * Path and Domain are the planter's choice.
     */
    public List<String> clearEverywhere(String path) {
        List<String> domains = new ArrayList<>();
        domains.add(null); // host-only
        domain.ifPresent(d -> {
            for (String at = d; at.indexOf('.') > 0; at = at.substring(at.indexOf('.') + 1)) {
                domains.add(at);
            }
        });
        List<String> paths = new ArrayList<>(List.of("/"));
        for (int slash = path.indexOf('/', 1); ; slash = path.indexOf('/', slash + 1)) {
            String prefix = slash < 0 ? path : path.substring(0, slash);
            if (prefix.length() > 1) {
                paths.add(prefix);
                paths.add(prefix + "/");
            }
            if (slash < 0) {
                break;
            }
        }
        List<String> clears = new ArrayList<>();
        for (String d : domains) {
            for (String p : paths.stream().distinct().toList()) {
                // __Host- cookies are host-only at Path=/ by rule: nothing else can exist to clear
                if (name.startsWith("__Host-") && (d != null || !p.equals("/"))) {
                    continue;
                }
                clears.add(name + "=; Path=" + p + (d == null ? "" : "; Domain=" + d) + "; HttpOnly; SameSite=" + sameSite
                        + "; Max-Age=0" + (secure ? "; Secure" : ""));
            }
        }
        return clears;
    }

    private String attributes() {
        return "; Path=/" + domain.map(d -> "; Domain=" + d).orElse("") + "; HttpOnly; SameSite=" + sameSite;
    }
}
