package dev.sessions.local.iam;

import dev.sessions.local.template.TemplateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads IAM policy documents (already evaluated: no intrinsic functions left) into statements. */
final class PolicyDocuments {

    private PolicyDocuments() {
    }

    static List<Statement> statements(Object document, String where) {
        if (!(document instanceof Map<?, ?> map)) {
            throw new TemplateException(where + " is not a policy document");
        }
        Object raw = map.get("Statement");
        List<?> statements = raw instanceof List<?> list ? list : raw == null ? List.of() : List.of(raw);
        List<Statement> out = new ArrayList<>();
        for (Object item : statements) {
            if (!(item instanceof Map<?, ?> statement)) {
                continue; // a statement an Fn::If removed (AWS::NoValue)
            }
            String effect = String.valueOf(statement.get("Effect"));
            if (!effect.equals("Allow") && !effect.equals("Deny")) {
                throw new TemplateException(where + ": a statement's Effect must be Allow or Deny, not " + effect);
            }
            boolean notAction = statement.containsKey("NotAction");
            boolean notResource = statement.containsKey("NotResource");
            out.add(new Statement(effect.equals("Allow"), strings(statement.get(notAction ? "NotAction" : "Action")),
                    notAction, strings(statement.get(notResource ? "NotResource" : "Resource")), notResource,
                    statement.containsKey("Condition")));
        }
        return out;
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }
}
