package dev.sessions.local.template;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/** Typed reads of evaluated properties, each failing with the path of what it read. */
final class Props {

    private Props() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> typed = new LinkedHashMap<>();
            ((Map<Object, Object>) map).forEach((k, v) -> typed.put(String.valueOf(k), v));
            return typed;
        }
        return Map.of();
    }

    static String string(Map<String, Object> props, String key, String at, String fallback) {
        Object value = props.get(key);
        return value == null ? fallback : Intrinsics.text(value, at + "." + key);
    }

    static int integer(Map<String, Object> props, String key, String at, int fallback) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return new BigDecimal(Intrinsics.text(value, at + "." + key)).intValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new TemplateException(at + "." + key + " must be a whole number, found " + value);
        }
    }

    static boolean bool(Map<String, Object> props, String key, String at, boolean fallback) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        String text = Intrinsics.text(value, at + "." + key);
        if (!text.equals("true") && !text.equals("false")) {
            throw new TemplateException(at + "." + key + " must be true or false, found " + value);
        }
        return Boolean.parseBoolean(text);
    }

    /** A list of scalars as text (a single scalar is a list of one); none for {@code null}. */
    static java.util.List<String> strings(Object value) {
        if (value == null) {
            return java.util.List.of();
        }
        if (value instanceof java.util.List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return java.util.List.of(String.valueOf(value));
    }
}
