package dev.sessions.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict parser behind {@link Json#parse}: one pass over the text, no backtracking, an error
 * at the first offending character. Numbers are {@link BigDecimal}s exactly as written, or, under
 * {@link Json.NumberLimits}, checked against them first.
 */
final class JsonParser {

    private final String text;
    private final int maxDepth;
    private final Json.NumberLimits limits;
    private int pos;

    JsonParser(String text, int maxDepth, Json.NumberLimits limits) {
        this.text = text;
        this.maxDepth = maxDepth;
        this.limits = limits;
    }

    /** The one value the text holds, and nothing after it. */
    Object parseAll() {
        skipWhitespace();
        Object value = readValue(0);
        skipWhitespace();
        if (pos != text.length()) {
            throw new JsonException("unexpected content after the JSON value", pos);
        }
        return value;
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

    private Number readNumber() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int intStart = pos;
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
        int intEnd = pos;
        int fracStart = pos;
        int fracEnd = pos;
        if (peek() == '.') {
            pos++;
            fracStart = pos;
            if (!isDigit(peek())) {
                throw new JsonException("digit expected after decimal point", pos);
            }
            while (isDigit(peek())) {
                pos++;
            }
            fracEnd = pos;
        }
        int expStart = -1;
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            expStart = pos;
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
        if (limits != null) {
            return limitedNumber(start, intStart, intEnd, fracStart, fracEnd, expStart);
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException e) {
            // grammatically valid but beyond BigDecimal's exponent range
            throw new JsonException("number out of range", start);
        }
    }

    /**
     * A number read under {@link Json.NumberLimits}: its significant digits and magnitude are
     * found by scanning the literal, before any arithmetic, so that a literal of any length costs
     * what reading it costs. One beyond the limits becomes an {@link UnrepresentableNumber}; one
     * within is built from at most its significant digits (and the integer zeros its exponent
     * range allows), with trailing zeros of the fraction dropped as DynamoDB drops them.
     */
    private Number limitedNumber(int start, int intStart, int intEnd, int fracStart, int fracEnd, int expStart) {
        int first = -1;
        int last = -1;
        for (int i = intStart; i < fracEnd; i++) {
            if (i == intEnd && i < fracStart) {
                i = fracStart - 1; // skip the decimal point
                continue;
            }
            if (text.charAt(i) != '0') {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0) {
            return BigDecimal.ZERO;
        }
        long exponent = 0;
        if (expStart >= 0) {
            int i = expStart;
            boolean negative = text.charAt(i) == '-';
            if (text.charAt(i) == '+' || negative) {
                i++;
            }
            for (; i < pos; i++) {
                exponent = Math.min(exponent * 10 + (text.charAt(i) - '0'), 1_000_000_000L); // far out is far out
            }
            exponent = negative ? -exponent : exponent;
        }
        // digits of the significand from the first non-zero to the last, the decimal point not counted
        int significant = last - first + 1 - (first < intEnd && last >= fracStart ? fracStart - intEnd : 0);
        // the power of ten of the first significant digit
        long magnitude = exponent + (first < intEnd ? intEnd - first - 1 : -(first - fracStart + 1));
        String literal = text.substring(start, Math.min(pos, start + 24));
        if (significant > limits.maxDigits()) {
            return new UnrepresentableNumber(literal, "has more than " + limits.maxDigits() + " significant digits");
        }
        if (magnitude > limits.maxExponent() || magnitude < limits.minExponent()) {
            return new UnrepresentableNumber(literal, "is outside the storable range 1E" + limits.minExponent()
                    + " to 9.99...E+" + limits.maxExponent());
        }
        boolean negative = text.charAt(start) == '-';
        String intDigits = first < intEnd ? text.substring(first, Math.min(last + 1, intEnd)) : "";
        String fracDigits = last >= fracStart && fracStart < fracEnd ? text.substring(Math.max(first, fracStart), last + 1) : "";
        java.math.BigInteger digits = new java.math.BigInteger(intDigits + fracDigits);
        // the value is digits x 10^(power of the last significant digit)
        long lastPower = magnitude - significant + 1;
        BigDecimal value = new BigDecimal(negative ? digits.negate() : digits, (int) -lastPower);
        // without an exponent, write integers as integers (100, not 1E+2)
        return expStart < 0 && lastPower > 0 ? value.setScale(0) : value;
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

    static String printable(char c) {
        return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
