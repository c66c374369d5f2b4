package dev.sessions.json;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) to plain Java values and back, with no dependencies: a {@link JsonParser}
 * and a {@link JsonWriter} behind one door.
 *
 * <p>Values are: {@link Map} (insertion-ordered, unmodifiable) for objects, {@link List}
 * (unmodifiable) for arrays, {@link String}, {@link BigDecimal} for every number (exactly as
 * written, never through a double), {@link Boolean}, and {@code null}.
 *
 * <p>Stricter than most parsers, because what it accepts is stored: duplicate keys, lone
 * surrogates, control characters in strings, leading zeros, trailing content and nesting past
 * the limit are all errors. Each error is a {@link JsonException} with the offset.
 */
public final class Json {

    /** Nesting limit used when none is given: deep enough for any payload this project takes. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    /**
     * Bounds on numbers, checked on the literal's digits and exponent as it is read, before any
     * arithmetic: a literal beyond them becomes an {@link UnrepresentableNumber}, and one within
     * is built without its fraction's trailing zeros. Bodies a client sends are read under
     * {@link #DYNAMODB}, so that a 60,000-digit literal costs what reading it costs (BigDecimal's
     * own arithmetic on it is quadratic in Java 21, JDK-8341470).
     *
     * @param maxDigits the most significant digits (trailing zeros not counted)
     * @param minExponent the smallest power of ten of a non-zero number's first digit
     * @param maxExponent the largest
     */
    public record NumberLimits(int maxDigits, int minExponent, int maxExponent) {
        /** What DynamoDB holds exactly: 38 digits, 1E-130 to 9.99...E+125. */
        public static final NumberLimits DYNAMODB = new NumberLimits(38, -130, 125);
    }

    private Json() {
    }

    /** Parses one JSON value, nested at most {@link #DEFAULT_MAX_DEPTH} containers deep. */
    public static Object parse(String text) {
        return parse(text, DEFAULT_MAX_DEPTH);
    }

    /**
     * Parses one JSON value.
     *
     * @param maxDepth how many containers may nest: 1 allows {@code {"a":1}} but not {@code {"a":[]}}
     * @throws JsonException when the text is not exactly one valid JSON value within the limit
     */
    public static Object parse(String text, int maxDepth) {
        return parse(text, maxDepth, null);
    }

    /**
     * Parses one JSON value, its numbers under {@code limits} (null: none).
     *
     * @throws JsonException when the text is not exactly one valid JSON value within the depth limit
     */
    public static Object parse(String text, int maxDepth, NumberLimits limits) {
        if (text == null) {
            throw new JsonException("no JSON text", 0);
        }
        return new JsonParser(text, maxDepth, limits).parseAll();
    }

    /** Parses text that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, int maxDepth) {
        Object value = parse(text, maxDepth);
        if (!(value instanceof Map)) {
            throw new JsonException("expected a JSON object, found " + typeName(value), 0);
        }
        return (Map<String, Object>) value;
    }

    /** The JSON type name of a value: object, array, string, number, boolean or null. */
    public static String typeName(Object value) {
        return switch (value) {
            case null -> "null";
            case Map<?, ?> m -> "object";
            case List<?> l -> "array";
            case String s -> "string";
            case Number n -> "number";
            case Boolean b -> "boolean";
            default -> value.getClass().getSimpleName();
        };
    }

    /** Writes a value compactly; non-ASCII text is written as is (the caller encodes UTF-8). */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(128);
        JsonWriter.write(value, out);
        return out.toString();
    }

    /** Appends a value compactly to {@code out}. */
    public static void write(Object value, StringBuilder out) {
        JsonWriter.write(value, out);
    }

    /** Appends {@code s} as a JSON string literal. */
    public static void writeString(String s, StringBuilder out) {
        JsonWriter.writeString(s, out);
    }
}
