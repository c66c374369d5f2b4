package dev.sessions.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** The compact writer behind {@link Json#write}: no whitespace, non-ASCII text as is. */
final class JsonWriter {

    private JsonWriter() {
    }


    /** Appends a value compactly to {@code out}. */
    static void write(Object value, StringBuilder out) {
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
            case UnrepresentableNumber refused -> throw new IllegalArgumentException("cannot write " + refused
                    + "...: it " + refused.problem());
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
    static void writeString(String s, StringBuilder out) {
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
