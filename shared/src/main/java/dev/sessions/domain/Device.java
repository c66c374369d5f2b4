package dev.sessions.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a session records of the device that created it, so that its user can tell their sessions
 * apart ("Firefox on Linux, from 203.0.113.10"): personal data, kept for the session's life and no
 * longer (docs/operations.md), within a small budget of its own.
 *
 * @param userAgent a short form of the browser's User-Agent: its browser and system when they are
 *     recognised, else its first {@link #MAX_USER_AGENT} characters; {@code null} when none was sent
 * @param sourceIp the address the request came from, as API Gateway saw it; {@code null} when unknown
 */
public record Device(String userAgent, String sourceIp) {

    /** The most characters a short user agent keeps. */
    public static final int MAX_USER_AGENT = 64;
    /** An IPv6 address written out in full is 39 characters; 45 with an embedded IPv4 form. */
    public static final int MAX_SOURCE_IP = 45;

    /** Browsers by the product token that names them, most specific first (Edge's user agent also says Chrome and Safari). */
    private static final String[][] BROWSERS = {
        {"Edg", "Edge"}, {"OPR", "Opera"}, {"SamsungBrowser", "Samsung Internet"}, {"FxiOS", "Firefox"},
        {"CriOS", "Chrome"}, {"Firefox", "Firefox"}, {"Chrome", "Chrome"}, {"Version", "Safari"}, {"curl", "curl"},
        {"Wget", "Wget"}, {"okhttp", "okhttp"}, {"python-requests", "python-requests"},
    };
    private static final Pattern[] VERSIONS = java.util.Arrays.stream(BROWSERS)
            .map(browser -> Pattern.compile("(?<![A-Za-z])" + browser[0] + "/([0-9]+)")).toArray(Pattern[]::new);
    private static final String[][] SYSTEMS = {
        {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Android", "Android"}, {"Windows", "Windows"},
        {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
    };

    public Device {
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
            userAgent = userAgent.substring(0, MAX_USER_AGENT);
        }
        if (sourceIp != null && (sourceIp.length() > MAX_SOURCE_IP || !sourceIp.matches("[0-9A-Fa-f:.]+"))) {
            sourceIp = null; // not an address: nothing worth keeping
        }
    }

    /** From what a request carries: its User-Agent header (any length) and its source address. */
    public static Device of(String rawUserAgent, String sourceIp) {
        return new Device(shortForm(rawUserAgent), sourceIp == null || sourceIp.isBlank() ? null : sourceIp.trim());
    }

    /** "Firefox 132 on Linux", "Chrome 131 on Android", "curl 8"; the raw value cut short when unrecognised. */
    static String shortForm(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String value = raw.strip().replaceAll("\\p{Cntrl}", "");
        String system = null;
        for (String[] candidate : SYSTEMS) {
            if (value.contains(candidate[0])) {
                system = candidate[1];
                break;
            }
        }
        for (int i = 0; i < BROWSERS.length; i++) {
            Matcher version = VERSIONS[i].matcher(value);
            if (version.find() && (!BROWSERS[i][0].equals("Version") || value.contains("Safari/"))) {
                return BROWSERS[i][1] + " " + version.group(1) + (system == null ? "" : " on " + system);
            }
        }
        return value.length() <= MAX_USER_AGENT ? value : value.substring(0, MAX_USER_AGENT);
    }
}
