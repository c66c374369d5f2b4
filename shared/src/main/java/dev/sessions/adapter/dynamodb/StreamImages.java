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
 * An image that is not a session's is refused with a {@link NotASession} that says why: such a
 * record can never apply, however often it is retried.
 */
public final class StreamImages {

    /** Attributes every session item has, and their types. */
    private static final Map<String, String> REQUIRED = Map.of(SessionItem.ID, "S", SessionItem.REVISION, "N",
            SessionItem.CREATED_AT, "N", SessionItem.LAST_ACCESSED_AT, "N", SessionItem.EXPIRES_AT, "N",
            SessionItem.ABSOLUTE_EXPIRES_AT, "N");

    private StreamImages() {
    }

    /** A record that cannot be read as a session item, and why. */
    public static final class NotASession extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public NotASession(String reason) {
            super(reason);
        }
    }

    /**
     * The session an image holds.
     *
     * @throws NotASession when it is missing or is not a session item
     */
    public static Session session(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        if (image == null) {
            throw new NotASession("the record has no image of the item");
        }
        for (Map.Entry<String, String> required : REQUIRED.entrySet()) {
            var value = image.get(required.getKey());
            boolean typed = value != null && (required.getValue().equals("S") ? value.getS() != null : value.getN() != null);
            if (!typed) {
                throw new NotASession("the image has no " + required.getValue() + " attribute " + required.getKey()
                        + ": not a session item");
            }
        }
        sessionId(image.get(SessionItem.ID).getS());
        try {
            return SessionItem.toSession(toSdk(image));
        } catch (RuntimeException e) {
            throw new NotASession("the image is not a readable session item: " + e.getMessage());
        }
    }

    /** Whether an image is a rotation's forward pointer (docs/design.md, "Data model") rather than a session. */
    public static boolean isForwardPointer(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        return image != null && image.get(SessionItem.MOVED_TO) != null && image.get(SessionItem.MOVED_TO).getS() != null;
    }

    /**
     * The session id of a record's {@code Keys}.
     *
     * @throws NotASession when the keys are not a session's ({@code id}, 43 base64url characters)
     */
    public static String sessionId(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> keys) {
        var id = keys == null ? null : keys.get(SessionItem.ID);
        if (id == null || id.getS() == null) {
            throw new NotASession("the record's keys have no string id: not the sessions table's");
        }
        return sessionId(id.getS());
    }

    private static String sessionId(String id) {
        if (!id.matches("[A-Za-z0-9_-]{43}")) {
            throw new NotASession("the id is not a session id (43 base64url characters)");
        }
        return id;
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

    /**
     * A number attribute of an image, or {@code fallback}.
     *
     * @throws NotASession when it is there but not a whole number
     */
    public static long number(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image,
                              String name, long fallback) {
        if (image == null || image.get(name) == null || image.get(name).getN() == null) {
            return fallback;
        }
        try {
            return Long.parseLong(image.get(name).getN());
        } catch (NumberFormatException e) {
            throw new NotASession(name + " is not a whole number");
        }
    }
}
