package dev.sessions.adapter.dynamodb;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * JSON values ({@link dev.sessions.json.Json}'s plain Java form) to DynamoDB attribute values and
 * back, without loss: objects to M, arrays to L, strings to S, numbers to N (their exact decimal
 * text), booleans to BOOL and null to NULL. Sets and binaries, which JSON lacks, read back as
 * arrays and base64 text.
 */
public final class JsonAttributes {

    private static final AttributeValue NULL = AttributeValue.fromNul(true);
    private static final AttributeValue TRUE = AttributeValue.fromBool(true);
    private static final AttributeValue FALSE = AttributeValue.fromBool(false);

    private JsonAttributes() {
    }

    public static AttributeValue toAttribute(Object value) {
        return switch (value) {
            case null -> NULL;
            case String s -> AttributeValue.fromS(s);
            case BigDecimal d -> AttributeValue.fromN(d.toString());
            case Number n -> AttributeValue.fromN(new BigDecimal(n.toString()).toString());
            case Boolean b -> b ? TRUE : FALSE;
            case Map<?, ?> map -> AttributeValue.fromM(toAttributes(map));
            case List<?> list -> {
                List<AttributeValue> values = new ArrayList<>(list.size());
                for (Object item : list) {
                    values.add(toAttribute(item));
                }
                yield AttributeValue.fromL(values);
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        };
    }

    public static Map<String, AttributeValue> toAttributes(Map<?, ?> map) {
        Map<String, AttributeValue> values = new LinkedHashMap<>(map.size() * 2);
        map.forEach((k, v) -> values.put((String) k, toAttribute(v)));
        return values;
    }

    public static Object fromAttribute(AttributeValue value) {
        return switch (value.type()) {
            case S -> value.s();
            case N -> new BigDecimal(value.n());
            case BOOL -> value.bool();
            case NUL -> null;
            case M -> fromAttributes(value.m());
            case L -> {
                List<Object> items = new ArrayList<>(value.l().size());
                for (AttributeValue item : value.l()) {
                    items.add(fromAttribute(item));
                }
                yield Collections.unmodifiableList(items);
            }
            case SS -> List.copyOf(value.ss());
            case NS -> value.ns().stream().map(n -> (Object) new BigDecimal(n)).toList();
            case B -> base64(value.b());
            case BS -> value.bs().stream().map(b -> (Object) base64(b)).toList();
            default -> throw new IllegalArgumentException("unknown DynamoDB attribute type " + value.type());
        };
    }

    public static Map<String, Object> fromAttributes(Map<String, AttributeValue> values) {
        Map<String, Object> map = new LinkedHashMap<>(values.size() * 2);
        values.forEach((k, v) -> map.put(k, fromAttribute(v)));
        return Collections.unmodifiableMap(map);
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }
}
