package dev.sessions.domain;

/**
 * Who a session belongs to: 1 to 128 characters of {@code A-Za-z0-9_.@:+=,|-}, and neither
 * {@code .} nor {@code ..} ({@code |} for OIDC subjects such as {@code auth0|5f1a...}).
 */
final class Principal {

    static final int MAX_LENGTH = 128;

    private Principal() {
    }

    /**
     * Returns {@code principal} when it is valid.
     *
     * @throws InvalidData saying what is wrong, without echoing a long value
     */
    static String requireValid(String principal) {
        if (principal == null || principal.isEmpty()) {
            throw new InvalidData("principal must be 1 to " + MAX_LENGTH + " characters");
        }
        if (principal.length() > MAX_LENGTH) {
            throw new InvalidData("principal is " + principal.length() + " characters; at most " + MAX_LENGTH
                    + " are allowed");
        }
        for (int i = 0; i < principal.length(); i++) {
            char c = principal.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || "_.@:+=,|-".indexOf(c) >= 0;
            if (!allowed) {
                throw new InvalidData("principal may contain only A-Z a-z 0-9 and _.@:+=,|- (found a character"
                        + " outside them at position " + (i + 1) + ")");
            }
        }
        if (principal.equals(".") || principal.equals("..")) {
            throw new InvalidData("principal may not be . or ..");
        }
        return principal;
    }
}
