package dev.sessions.local.iam;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One statement of an IAM policy, as far as the local runtime judges it: its effect, the actions
 * (or all but the {@code NotAction} ones) and the resources (or all but the {@code NotResource}
 * ones) it covers. Wildcards {@code *} and {@code ?} work as in IAM: actions compare without case,
 * resources with it. Conditions are not evaluated (local/README.md says so). The patterns are
 * compiled once, when the role is read.
 */
public final class Statement {

    private final boolean allow;
    private final List<String> actions;
    private final boolean notAction;
    private final List<String> resources;
    private final boolean notResource;
    private final boolean conditional;
    private final List<Predicate<String>> actionMatchers;
    private final List<Predicate<String>> resourceMatchers;

    /**
     * @param allow true for Allow, false for Deny
     * @param actions the Action patterns, or the NotAction ones when {@code notAction}
     * @param resources the Resource patterns, or the NotResource ones when {@code notResource}
     * @param conditional whether the statement had a Condition (taken as met)
     */
    public Statement(boolean allow, List<String> actions, boolean notAction, List<String> resources,
                     boolean notResource, boolean conditional) {
        this.allow = allow;
        this.actions = List.copyOf(actions);
        this.notAction = notAction;
        this.resources = List.copyOf(resources);
        this.notResource = notResource;
        this.conditional = conditional;
        this.actionMatchers = this.actions.stream().map(p -> matcher(p.toLowerCase(Locale.ROOT))).toList();
        this.resourceMatchers = this.resources.stream().map(Statement::matcher).toList();
    }

    public boolean allow() {
        return allow;
    }

    public List<String> actions() {
        return actions;
    }

    public boolean notAction() {
        return notAction;
    }

    public List<String> resources() {
        return resources;
    }

    public boolean notResource() {
        return notResource;
    }

    public boolean conditional() {
        return conditional;
    }

    /** Whether the statement covers {@code action} on {@code resource}. */
    public boolean covers(String action, String resource) {
        String lower = action.toLowerCase(Locale.ROOT);
        boolean actionListed = actionMatchers.stream().anyMatch(m -> m.test(lower));
        boolean resourceListed = resourceMatchers.stream().anyMatch(m -> m.test(resource));
        return actionListed != notAction && resourceListed != notResource;
    }

    /** Whether this statement's action pattern {@code pattern} covers {@code action} and one of its resources {@code resource}. */
    public static boolean pairCovers(String actionPattern, String resourcePattern, String action, String resource) {
        return matcher(actionPattern.toLowerCase(Locale.ROOT)).test(action.toLowerCase(Locale.ROOT))
                && matcher(resourcePattern).test(resource);
    }

    /** Whether some allowed action of this statement is {@code action} (patterns applied). */
    boolean names(String action) {
        String lower = action.toLowerCase(Locale.ROOT);
        return allow && !notAction && actionMatchers.stream().anyMatch(m -> m.test(lower));
    }

    /** IAM's wildcard match: {@code *} any run of characters, {@code ?} any one. */
    static Predicate<String> matcher(String pattern) {
        if (pattern.equals("*")) {
            return value -> true;
        }
        if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
            return pattern::equals;
        }
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        Pattern compiled = Pattern.compile(regex.toString(), Pattern.DOTALL);
        return value -> compiled.matcher(value).matches();
    }

    @Override
    public String toString() {
        return (allow ? "Allow " : "Deny ") + (notAction ? "NotAction " : "") + actions + " on "
                + (notResource ? "NotResource " : "") + resources;
    }
}
