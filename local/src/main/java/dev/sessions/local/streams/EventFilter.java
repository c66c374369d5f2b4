package dev.sessions.local.streams;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Lambda's event filtering for an event source mapping: a record passes when any pattern
 * matches (patterns are ORed). Within a pattern, keys are ANDed and the values listed for a key
 * are ORed: exact values (strings, numbers, {@code null}, {@code ""}), {@code prefix},
 * {@code anything-but}, {@code numeric} ranges and {@code exists}. Matching is exact and
 * case-sensitive, and {@code numeric} never matches DynamoDB's N values, which are strings.
 * {@code exists} looks at leaves only, as AWS's filter rules say: a field whose value is an object
 * (a DynamoDB attribute's {@code {"S": ...}}) does not exist for it; test its type key instead.
 * A pattern is checked when it is compiled: an operator this filter does not know is refused then,
 * not when a record first meets it.
 */
public final class EventFilter {

    private final List<Map<String, Object>> patterns;

    private EventFilter(List<Map<String, Object>> patterns) {
        this.patterns = patterns;
    }

    /**
     * Compiles FilterCriteria patterns.
     *
     * @throws IllegalArgumentException naming a pattern that is not valid
     */
    public static EventFilter of(List<String> patternTexts) {
        if (patternTexts.size() > 5) {
            throw new IllegalArgumentException("at most 5 filters are allowed, found " + patternTexts.size());
        }
        return new EventFilter(patternTexts.stream().map(EventFilter::compile).toList());
    }

    private static Map<String, Object> compile(String text) {
        Map<String, Object> pattern;
        try {
            pattern = Json.parseObject(text, 32);
        } catch (JsonException e) {
            throw new IllegalArgumentException("filter pattern is not a JSON object: " + text + " (" + e.getMessage() + ")");
        }
        check(pattern, text);
        return pattern;
    }

    /** Refuses what Lambda would refuse, or what this filter cannot evaluate, naming it. */
    private static void check(Map<?, ?> pattern, String text) {
        for (Map.Entry<?, ?> rule : pattern.entrySet()) {
            switch (rule.getValue()) {
                case Map<?, ?> nested -> check(nested, text);
                case List<?> alternatives -> {
                    for (Object alternative : alternatives) {
                        if (alternative instanceof Map<?, ?> operator) {
                            checkOperator(operator, text);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("filter values must be arrays or objects: " + rule.getKey()
                        + " in " + text);
            }
        }
    }

    private static void checkOperator(Map<?, ?> operator, String text) {
        if (operator.size() != 1) {
            throw new IllegalArgumentException("a filter operator has exactly one key: " + operator.keySet() + " in " + text);
        }
        Map.Entry<?, ?> only = operator.entrySet().iterator().next();
        Object argument = only.getValue();
        boolean valid = switch (String.valueOf(only.getKey())) {
            case "exists" -> argument instanceof Boolean;
            case "prefix" -> argument instanceof String;
            case "anything-but" -> argument instanceof List<?> || argument instanceof String || argument instanceof BigDecimal;
            case "numeric" -> argument instanceof List<?> conditions && validNumeric(conditions);
            default -> throw new IllegalArgumentException("unknown filter operator " + only.getKey() + " in " + text
                    + " (this filter knows exists, prefix, anything-but and numeric)");
        };
        if (!valid) {
            throw new IllegalArgumentException("filter operator " + only.getKey() + " takes another value than "
                    + Json.write(argument) + " in " + text);
        }
    }

    private static boolean validNumeric(List<?> conditions) {
        if (conditions.isEmpty() || conditions.size() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < conditions.size(); i += 2) {
            if (!List.of("=", "<", "<=", ">", ">=").contains(String.valueOf(conditions.get(i)))
                    || !(conditions.get(i + 1) instanceof BigDecimal)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a record (in Lambda's JSON form) passes; with no patterns every record does. */
    public boolean passes(Map<String, Object> record) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (Map<String, Object> pattern : patterns) {
            if (matchesObject(pattern, record)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesObject(Map<String, Object> pattern, Object value) {
        Map<?, ?> object = value instanceof Map<?, ?> map ? map : Map.of();
        for (Map.Entry<String, Object> rule : pattern.entrySet()) {
            Object field = object.get(rule.getKey());
            boolean present = object.containsKey(rule.getKey());
            boolean ok = switch (rule.getValue()) {
                // an absent node has no leaves: only exists:false can match beneath it
                case Map<?, ?> nested -> matchesObject(cast(nested), present ? field : Map.of());
                case List<?> alternatives -> matchesAny(alternatives, field, present);
                default -> throw new IllegalArgumentException("filter values must be arrays or objects: "
                        + rule.getKey());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesAny(List<?> alternatives, Object field, boolean present) {
        for (Object alternative : alternatives) {
            if (alternative instanceof Map<?, ?> operator) {
                if (matchesOperator(operator, field, present)) {
                    return true;
                }
            } else if (present && (field instanceof List<?> values ? values.stream().anyMatch(v -> equal(alternative, v))
                    : equal(alternative, field))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesOperator(Map<?, ?> operator, Object field, boolean present) {
        if (operator.size() != 1) {
            throw new IllegalArgumentException("a filter operator has exactly one key: " + operator.keySet());
        }
        Map.Entry<?, ?> only = operator.entrySet().iterator().next();
        Object argument = only.getValue();
        return switch (String.valueOf(only.getKey())) {
            // leaves only: an object (a nested node) does not exist for exists
            case "exists" -> Boolean.TRUE.equals(argument) == (present && isLeaf(field));
            case "prefix" -> present && field instanceof String s && s.startsWith(String.valueOf(argument));
            case "anything-but" -> present && !(argument instanceof List<?> list
                    ? list.stream().anyMatch(a -> equal(a, field)) : equal(argument, field));
            case "numeric" -> present && field instanceof BigDecimal number && numeric((List<?>) argument, number);
            default -> throw new IllegalArgumentException("unknown filter operator " + only.getKey());
        };
    }

    private static boolean isLeaf(Object field) {
        return !(field instanceof Map<?, ?>) && !(field instanceof List<?> list && list.stream().anyMatch(Map.class::isInstance));
    }

    private static boolean numeric(List<?> conditions, BigDecimal number) {
        for (int i = 0; i + 1 < conditions.size(); i += 2) {
            BigDecimal bound = (BigDecimal) conditions.get(i + 1);
            int cmp = number.compareTo(bound);
            boolean ok = switch (String.valueOf(conditions.get(i))) {
                case "=" -> cmp == 0;
                case "<" -> cmp < 0;
                case "<=" -> cmp <= 0;
                case ">" -> cmp > 0;
                case ">=" -> cmp >= 0;
                default -> throw new IllegalArgumentException("unknown numeric operator " + conditions.get(i));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean equal(Object expected, Object actual) {
        if (expected instanceof BigDecimal a && actual instanceof BigDecimal b) {
            return a.compareTo(b) == 0;
        }
        return expected == null ? actual == null : expected.equals(actual);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
