package dev.sessions.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) to plain Java values and back, with no dependencies.
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

    private final String text;
    private final int maxDepth;
    private int pos;

    private Json(String text, int maxDepth) {
        this.text = text;
        this.maxDepth = maxDepth;
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
        if (text == null) {
            throw new JsonException("no JSON text", 0);
        }
        Json parser = new Json(text, maxDepth);
        parser.skipWhitespace();
        Object value = parser.readValue(0);
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw new JsonException("unexpected content after the JSON value", parser.pos);
        }
        return value;
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

    private Object readValue(int depth) {
        if (pos >= text.length()) {
            throw new JsonException("unexpected end of JSON", pos);
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> readObject(depth + 1);
            case '[' -> readArray(depth + 1);
            case '"' -> readString();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield readNumber();
                }
                throw new JsonException("unexpected character '" + printable(c) + "'", pos);
            }
        };
    }

    private Map<String, Object> readObject(int depth) {
        checkDepth(depth);
        pos++; // {
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw new JsonException("expected a string key", pos);
            }
            int keyStart = pos;
            String key = readString();
            if (map.containsKey(key)) {
                throw new JsonException("duplicate key \"" + key + "\"", keyStart);
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            map.put(key, readValue(depth));
            skipWhitespace();
            char next = peek();
            pos++;
            if (next == '}') {
                return Collections.unmodifiableMap(map);
            }
            if (next != ',') {
                throw new JsonException("expected ',' or '}'", pos - 1);
            }
        }
    }

    private List<Object> readArray(int depth) {
        checkDepth(depth);
        pos++; // [
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            list.add(readValue(depth));
            skipWhitespace();
            char next = peek();
            pos++;
            if (next == ']') {
                return Collections.unmodifiableList(list);
            }
            if (next != ',') {
                throw new JsonException("expected ',' or ']'", pos - 1);
            }
        }
    }

    private void checkDepth(int depth) {
        if (depth > maxDepth) {
            throw new JsonException("nesting deeper than " + maxDepth + " levels", pos);
        }
    }

    private String readString() {
        int start = ++pos; // opening quote
        StringBuilder out = null;
        while (true) {
            if (pos >= text.length()) {
                throw new JsonException("unterminated string", start - 1);
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = out == null ? text.substring(start, pos) : out.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) {
                throw new JsonException("control character in string (escape it)", pos);
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && pos + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(pos + 1))) {
                    pos += 2;
                    continue;
                }
                throw new JsonException("unpaired surrogate in string", pos);
            }
            if (c == '\\') {
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, start, pos);
                pos++;
                readEscape(out);
                start = pos;
                continue;
            }
            pos++;
        }
    }

    private void readEscape(StringBuilder out) {
        if (pos >= text.length()) {
            throw new JsonException("unterminated escape", pos);
        }
        char e = text.charAt(pos++);
        switch (e) {
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case '/' -> out.append('/');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
                char unit = readHex4();
                if (Character.isHighSurrogate(unit)) {
                    if (pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
                        pos += 2;
                        char low = readHex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw new JsonException("unpaired surrogate escape", pos - 6);
                        }
                        out.append(unit).append(low);
                        return;
                    }
                    throw new JsonException("unpaired surrogate escape", pos - 6);
                }
                if (Character.isLowSurrogate(unit)) {
                    throw new JsonException("unpaired surrogate escape", pos - 6);
                }
                out.append(unit);
            }
            default -> throw new JsonException("invalid escape '\\" + printable(e) + "'", pos - 2);
        }
    }

    private char readHex4() {
        if (pos + 4 > text.length()) {
            throw new JsonException("truncated \\u escape", pos);
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos + i), 16);
            if (digit < 0) {
                throw new JsonException("invalid \\u escape", pos);
            }
            value = value * 16 + digit;
        }
        pos += 4;
        return (char) value;
    }

    private BigDecimal readNumber() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw new JsonException("leading zero in number", start);
            }
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw new JsonException("invalid number", start);
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw new JsonException("digit expected after decimal point", pos);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw new JsonException("digit expected in exponent", pos);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException e) {
            // grammatically valid but beyond BigDecimal's exponent range
            throw new JsonException("number out of range", start);
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw new JsonException("invalid literal", pos);
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new JsonException("expected '" + c + "'", pos);
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private static String printable(char c) {
        return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    // ------------------------------------------------------------------ writing

    /** Writes a value compactly; non-ASCII text is written as is (the caller encodes UTF-8). */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(128);
        write(value, out);
        return out.toString();
    }

    /** Appends a value compactly to {@code out}. */
    public static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> writeString(s, out);
            case Boolean b -> out.append(b.booleanValue());
            case BigDecimal d -> out.append(d);
            case Integer i -> out.append(i.intValue());
            case Long l -> out.append(l.longValue());
            case Short s -> out.append(s.shortValue());
            case Byte b -> out.append(b.byteValue());
            case BigInteger i -> out.append(i);
            case Double d -> writeFloating(d, out);
            case Float f -> writeFloating(f.doubleValue(), out);
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    if (!(entry.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings: " + entry.getKey());
                    }
                    writeString(key, out);
                    out.append(':');
                    write(entry.getValue(), out);
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(list.get(i), out);
                }
                out.append(']');
            }
            case JsonWritable writable -> writable.writeJson(out);
            default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeFloating(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d);
        }
        out.append(BigDecimal.valueOf(d));
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Appends {@code s} as a JSON string literal. */
    public static void writeString(String s, StringBuilder out) {
        out.append('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String escape = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> null;
            };
            if (escape == null && c >= 0x20 && c != '\u2028' && c != '\u2029') {
                continue;
            }
            out.append(s, start, i);
            if (escape != null) {
                out.append(escape);
            } else {
                out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                        .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
            }
            start = i + 1;
        }
        out.append(s, start, s.length()).append('"');
    }
}
