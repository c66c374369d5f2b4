package dev.sessions.local.template;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A template's parameter values: each override checked against its declaration, else the Default. */
final class Parameters {

    private Parameters() {
    }

    /**
     * @return each parameter's value (a string, a list for list types, {@code null} without a Default)
     * @throws TemplateException for an override of an undeclared parameter or a value it does not allow
     */
    static Map<String, Object> resolve(Map<String, Object> declared, Map<String, String> overrides) {
        for (String name : overrides.keySet()) {
            if (!declared.containsKey(name)) {
                throw new TemplateException("parameter override " + name + " names no parameter of the template");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        declared.forEach((name, body) -> {
            Map<String, Object> spec = Props.map(body);
            String type = String.valueOf(spec.getOrDefault("Type", "String"));
            Object raw = overrides.containsKey(name) ? overrides.get(name) : spec.get("Default");
            if (raw == null) {
                values.put(name, null);
                return;
            }
            String text = String.valueOf(raw);
            if (spec.get("AllowedValues") instanceof List<?> allowed
                    && allowed.stream().map(String::valueOf).noneMatch(text::equals)) {
                throw new TemplateException("parameter " + name + "=" + text + " is not one of its AllowedValues "
                        + allowed);
            }
            values.put(name, switch (type) {
                case "Number" -> {
                    try {
                        yield new BigDecimal(text).toString();
                    } catch (NumberFormatException e) {
                        throw new TemplateException("parameter " + name + "=" + text + " is not a Number");
                    }
                }
                // as CloudFormation reads it: an empty value is a list of one empty string, [""]
                case "CommaDelimitedList", "List<Number>" -> List.of(text.split("\\s*,\\s*", -1));
                default -> text;
            });
        });
        return Collections.unmodifiableMap(values);
    }
}
