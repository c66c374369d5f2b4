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
        try {
            return Json.parseObject(text, 32);
        } catch (JsonException e) {
            throw new IllegalArgumentException("filter pattern is not a JSON object: " + text + " (" + e.getMessage() + ")");
        }
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
                case Map<?, ?> nested -> present && matchesObject(cast(nested), field);
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
            case "exists" -> Boolean.TRUE.equals(argument) == present;
            case "prefix" -> present && field instanceof String s && s.startsWith(String.valueOf(argument));
            case "anything-but" -> present && !(argument instanceof List<?> list
                    ? list.stream().anyMatch(a -> equal(a, field)) : equal(argument, field));
            case "numeric" -> present && field instanceof BigDecimal number && numeric((List<?>) argument, number);
            default -> throw new IllegalArgumentException("unknown filter operator " + only.getKey());
        };
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
