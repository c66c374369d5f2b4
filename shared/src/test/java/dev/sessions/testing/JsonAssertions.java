package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sessions.json.Json;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Compares JSON values by meaning: numbers by value (1.50 equals 1.5), maps regardless of order. */
public final class JsonAssertions {

    private JsonAssertions() {
    }

    public static void assertJsonEquals(Object expected, Object actual) {
        if (!same(expected, actual)) {
            fail("JSON differs\nexpected: " + Json.write(expected) + "\nactual:   " + Json.write(actual));
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) {
                return false;
            }
            return x.keySet().stream().allMatch(k -> same(x.get(k), y.get(k)));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }
}
