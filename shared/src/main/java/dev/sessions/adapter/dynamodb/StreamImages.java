package dev.sessions.adapter.dynamodb;

import dev.sessions.domain.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Sessions from the images of a DynamoDB stream record as Lambda delivers them
 * (aws-lambda-java-events' attribute values), read with the same mapping as the table's items.
 */
public final class StreamImages {

    private StreamImages() {
    }

    /** The session an image holds. */
    public static Session session(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        return SessionItem.toSession(toSdk(image));
    }

    /** The image as SDK attribute values. */
    public static Map<String, AttributeValue> toSdk(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        Map<String, AttributeValue> item = new HashMap<>();
        image.forEach((name, value) -> item.put(name, toSdk(value)));
        return item;
    }

    static AttributeValue toSdk(com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue value) {
        if (value.getS() != null) {
            return AttributeValue.fromS(value.getS());
        }
        if (value.getN() != null) {
            return AttributeValue.fromN(value.getN());
        }
        if (value.getBOOL() != null) {
            return AttributeValue.fromBool(value.getBOOL());
        }
        if (value.getNULL() != null) {
            return AttributeValue.fromNul(value.getNULL());
        }
        if (value.getM() != null) {
            return AttributeValue.fromM(toSdk(value.getM()));
        }
        if (value.getL() != null) {
            List<AttributeValue> list = new ArrayList<>();
            value.getL().forEach(v -> list.add(toSdk(v)));
            return AttributeValue.fromL(list);
        }
        if (value.getB() != null) {
            return AttributeValue.fromB(SdkBytes.fromByteBuffer(value.getB()));
        }
        if (value.getSS() != null) {
            return AttributeValue.fromSs(value.getSS());
        }
        if (value.getNS() != null) {
            return AttributeValue.fromNs(value.getNS());
        }
        if (value.getBS() != null) {
            return AttributeValue.fromBs(value.getBS().stream().map(SdkBytes::fromByteBuffer).toList());
        }
        return AttributeValue.fromNul(true);
    }

    /** A number attribute of an image, or {@code fallback}. */
    public static long number(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image,
                              String name, long fallback) {
        if (image == null || image.get(name) == null || image.get(name).getN() == null) {
            return fallback;
        }
        return Long.parseLong(image.get(name).getN());
    }
}
