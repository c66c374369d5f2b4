package dev.sessions.local.iam;

import java.util.List;

/**
 * What a principal may do: the statements of all its policies, inline and managed. A request is
 * allowed when a statement allows it and none denies it (IAM's rule for one identity-based
 * policy set, without resource policies, permission boundaries or SCPs).
 *
 * @param name how denials name it: {@code SessionsFunctionRole}, {@code local-admin}
 * @param statements every statement of its policies
 * @param declared the statements the template itself declares (its Policies, SAM policy templates
 *     and the mapping's destination included), not those of AWS managed policies
 */
public record Role(String name, List<Statement> statements, List<Statement> declared) {

    public Role {
        statements = List.copyOf(statements);
        declared = List.copyOf(declared);
    }

    public Role(String name, List<Statement> statements) {
        this(name, statements, statements);
    }

    /** How a request was judged. */
    public enum Decision { ALLOWED, IMPLICITLY_DENIED, EXPLICITLY_DENIED }

    public Decision decide(String action, String resource) {
        boolean allowed = false;
        for (Statement statement : statements) {
            if (statement.covers(action, resource)) {
                if (!statement.allow()) {
                    return Decision.EXPLICITLY_DENIED;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOWED : Decision.IMPLICITLY_DENIED;
    }

    /** Whether some statement allows {@code action} on some resource: what a test of the grants reads. */
    public boolean mentions(String action) {
        return statements.stream().anyMatch(s -> s.names(action));
    }

    /** The action patterns the template's own Allow statements name. */
    public java.util.Set<String> declaredActions() {
        java.util.Set<String> actions = new java.util.TreeSet<>();
        declared.stream().filter(s -> s.allow() && !s.notAction()).forEach(s -> actions.addAll(s.actions()));
        return actions;
    }
}
