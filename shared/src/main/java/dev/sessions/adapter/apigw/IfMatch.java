package dev.sessions.adapter.apigw;

import java.util.Optional;

/**
 * The {@code If-Match} precondition of a PATCH, against {@code ETag: "<version>"}. Comparison is
 * strong, as RFC 9110 requires for If-Match: a weak tag never matches.
 */
public sealed interface IfMatch {

    /** No precondition ({@code *} also means none: a PATCH needs the session to exist anyway). */
    record Any() implements IfMatch {
    }

    /** The data must be at this version. */
    record Version(long version) implements IfMatch {
    }

    /** A well-formed tag that no version can match. */
    record Never(String tag) implements IfMatch {
    }

    /**
     * Parses the header value.
     *
     * @throws RequestRejected 400 when it is not an entity tag, or lists several
     */
    static IfMatch parse(Optional<String> header) {
        if (header.isEmpty()) {
            return new Any();
        }
        String value = header.get().trim();
        if (value.equals("*")) {
            return new Any();
        }
        if (value.contains(",")) {
            throw new RequestRejected(Problem.malformedRequest(
                    "If-Match must be one entity tag, such as \"3\", taken from the ETag of the session."));
        }
        boolean weak = value.startsWith("W/");
        String quoted = weak ? value.substring(2) : value;
        if (quoted.length() < 2 || quoted.charAt(0) != '"' || quoted.charAt(quoted.length() - 1) != '"'
                || !quoted.substring(1, quoted.length() - 1).chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x7e))) {
            throw new RequestRejected(Problem.malformedRequest(
                    "If-Match is not an entity tag; send the session's ETag, such as \"3\", as it was received."));
        }
        String tag = quoted.substring(1, quoted.length() - 1);
        if (weak || !tag.matches("[1-9][0-9]{0,17}")) {
            return new Never(value);
        }
        return new Version(Long.parseLong(tag));
    }

    /** The strong entity tag of a data version. */
    static String etagOf(long version) {
        return "\"" + version + "\"";
    }
}
