package dev.sessions.domain;

import dev.sessions.json.Json;
import dev.sessions.json.UnrepresentableNumber;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Map;

/**
 * The rules for a session's {@code data}: a JSON object the store can hold exactly.
 *
 * <ul>
 *   <li>size: at most {@link SessionPolicy#maxDataBytes()} as compact UTF-8 JSON;</li>
 *   <li>nesting: {@code data} itself is level 1; at most {@link SessionPolicy#maxDepth()} levels,
 *       so a scalar inside 31 nested containers is the deepest allowed by default;</li>
 *   <li>keys: non-empty, at most {@link SessionPolicy#maxKeyLength()} UTF-8 bytes, no control
 *       characters, and in Unicode NFC so that two keys that look alike are one key;</li>
 *   <li>numbers: what DynamoDB holds exactly, at most 38 significant digits (trailing zeros not
 *       counted) and zero or a magnitude from 1E-130 to 9.9999999999999999999999999999999999999E+125.
 *       Anything else is refused, never rounded.</li>
 * </ul>
 */
public final class SessionData {

    /** Smallest non-zero magnitude DynamoDB stores. */
    public static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1E-130");
    /** Largest magnitude DynamoDB stores. */
    public static final BigDecimal MAX_MAGNITUDE = new BigDecimal("9.9999999999999999999999999999999999999E+125");
    /** Most significant digits DynamoDB stores. */
    public static final int MAX_DIGITS = 38;

    private SessionData() {
    }

    /**
     * Checks {@code data} against every rule above and returns its compact size.
     *
     * @return the size in bytes of compact UTF-8 JSON
     * @throws InvalidData naming the first rule broken and where
     * @throws DataTooLarge when over the size limit
     */
    public static int validate(Map<String, Object> data, SessionPolicy policy) {
        checkObject(data, 1, "data", policy);
        int size = sizeOf(data);
        if (size > policy.maxDataBytes()) {
            throw new DataTooLarge(size, policy.maxDataBytes());
        }
        return size;
    }

    /**
     * Checks a merge patch's keys, numbers and depth (its null values mean "remove"). Size is
     * checked on the merged result.
     */
    public static void validatePatch(Map<String, Object> patch, SessionPolicy policy) {
        checkObject(patch, 1, "patch", policy);
    }

    /** Size in bytes of {@code value} as compact UTF-8 JSON. */
    public static int sizeOf(Object value) {
        return Json.write(value).getBytes(StandardCharsets.UTF_8).length;
    }

    /** Checks the entries of an object at {@code level} (data itself is level 1). */
    private static void checkObject(Map<?, ?> map, int level, String path, SessionPolicy policy) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new InvalidData(path + " has a key that is not a string");
            }
            checkKey(key, path, policy);
            checkValue(entry.getValue(), level + 1, path + "." + shortKey(key), policy);
        }
    }

    /** Checks a value at {@code level}: every value, scalar or container, counts as a level. */
    private static void checkValue(Object value, int level, String path, SessionPolicy policy) {
        if (level > policy.maxDepth()) {
            throw new InvalidData(path + " nests deeper than " + policy.maxDepth() + " levels");
        }
        switch (value) {
            case null -> { }
            case String s -> checkText(s, path);
            case Boolean b -> { }
            case UnrepresentableNumber refused -> throw new InvalidData(path + " " + refused.problem());
            case BigDecimal number -> checkNumber(number, path);
            case Number number -> checkNumber(asDecimal(number, path), path);
            case Map<?, ?> nested -> checkObject(nested, level, path, policy);
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    checkValue(list.get(i), level + 1, path + "[" + i + "]", policy);
                }
            }
            default -> throw new InvalidData(path + " is not a JSON value");
        }
    }

    private static BigDecimal asDecimal(Number number, String path) {
        try {
            return new BigDecimal(number.toString());
        } catch (NumberFormatException e) {
            throw new InvalidData(path + " is not a finite number");
        }
    }

    /**
     * Refuses numbers DynamoDB would round or reject. Numbers read from a request body are checked
     * as they are read ({@link dev.sessions.json.Json.NumberLimits#DYNAMODB}), at the cost of
     * reading them; this is the check for numbers from anywhere else.
     */
    public static void checkNumber(BigDecimal number, String path) {
        if (number.signum() == 0) {
            return;
        }
        BigDecimal magnitude = number.abs();
        // the power of ten of the first digit: a cheap refusal, whatever the digits
        long exponent = (long) magnitude.precision() - magnitude.scale() - 1;
        if (exponent > 125 || exponent < -130) {
            throw new InvalidData(path + " is outside the storable range 1E-130 to 9.99...E+125");
        }
        if (magnitude.stripTrailingZeros().precision() > MAX_DIGITS) {
            throw new InvalidData(path + " has more than " + MAX_DIGITS + " significant digits");
        }
        if (magnitude.compareTo(MIN_MAGNITUDE) < 0 || magnitude.compareTo(MAX_MAGNITUDE) > 0) {
            throw new InvalidData(path + " is outside the storable range 1E-130 to 9.99...E+125");
        }
    }

    private static void checkText(String text, String path) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidData(path + " has text that is not valid Unicode (an unpaired surrogate)");
            }
        }
    }

    private static void checkKey(String key, String path, SessionPolicy policy) {
        checkText(key, path);
        if (key.isEmpty()) {
            throw new InvalidData(path + " has an empty key");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > policy.maxKeyLength()) {
            throw new InvalidData(path + " has a key longer than " + policy.maxKeyLength() + " bytes");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                throw new InvalidData(path + " has a key with a control or format character");
            }
        }
        if (!Normalizer.isNormalized(key, Normalizer.Form.NFC)) {
            throw new InvalidData(path + " has a key that is not in Unicode NFC: send keys normalized");
        }
    }

    private static String shortKey(String key) {
        return key.length() <= 32 ? key : key.substring(0, 32) + "…";
    }
}
