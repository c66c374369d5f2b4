package dev.sessions.verifier;

/**
 * Where a request's token is read from. {@link #ANY} is the contract's rule (a bearer token wins,
 * else the session cookie). The other two read one place only: where API Gateway caches an
 * authorizer's answers by that header, the decision must depend on nothing else, or one caller's
 * token could ride on another's cached answer.
 */
public enum TokenSource {
    /** {@code Authorization: Bearer} when sent, else the session cookie. */
    ANY,
    /** The session cookie only. */
    COOKIE,
    /** {@code Authorization: Bearer} only. */
    AUTHORIZATION;

    /**
     * From its name as the template sets it ({@code any}, {@code cookie}, {@code authorization};
     * empty is {@code any}).
     *
     * @throws IllegalArgumentException naming the value, for a function to refuse to start with
     */
    public static TokenSource of(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "", "any" -> ANY;
            case "cookie" -> COOKIE;
            case "authorization" -> AUTHORIZATION;
            default -> throw new IllegalArgumentException("TOKEN_SOURCE must be any, cookie or authorization, not " + name);
        };
    }
}
