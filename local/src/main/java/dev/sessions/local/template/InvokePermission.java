package dev.sessions.local.template;

/**
 * A grant of a function's resource policy, as an {@code AWS::Lambda::Permission} (or SAM for an
 * authorizer with {@code EnableFunctionDefaultPermissions}) makes it: who may invoke which function
 * (or alias), from which source.
 *
 * @param functionArn the function's full ARN, with its qualifier when the grant is on an alias or version
 * @param action such as {@code lambda:InvokeFunction}
 * @param principal such as {@code apigateway.amazonaws.com}
 * @param sourceArn the ARN the call must come from, with {@code *} and {@code ?} wildcards, or
 *     {@code null} for any
 */
public record InvokePermission(String functionArn, String action, String principal, String sourceArn) {

    /** Whether this grant lets {@code principal} invoke {@code function} (qualified as called) from {@code source}. */
    public boolean allows(String principal, String function, String source) {
        return this.principal.equals(principal)
                && (action.equals("lambda:InvokeFunction") || action.equals("lambda:*"))
                && functionArn.equals(function)
                && (sourceArn == null || matches(sourceArn, source));
    }

    /** Whether {@code value} matches an ARN pattern of IAM's wildcards ({@code *} any run, {@code ?} one character). */
    public static boolean matches(String pattern, String value) {
        return value.matches(wildcard(pattern));
    }

    private static String wildcard(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> java.util.regex.Pattern.quote(String.valueOf(c));
            });
        }
        return regex.toString();
    }
}
