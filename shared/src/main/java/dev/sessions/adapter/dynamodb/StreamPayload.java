package dev.sessions.adapter.dynamodb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType;
import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DynamoDB stream batch as Lambda delivers it, read with the project's JSON code into the Java
 * events library's types, and the batch response written back. The stream functions take their
 * events as streams through this, so the Lambda runtime builds no event serializer of its own
 * (docs/performance.md, "Event serialization").
 */
public final class StreamPayload {

    /** Items nest up to 32 levels (DynamoDB's limit), each level two JSON levels; plus the envelope. */
    private static final int MAX_DEPTH = 2 * 32 + 8;

    private StreamPayload() {
    }

    /**
     * The batch in {@code event}.
     *
     * @throws IllegalArgumentException when it is not a DynamoDB stream batch
     */
    public static DynamodbEvent readEvent(InputStream event) throws IOException {
        Map<String, Object> root;
        try {
            root = Json.parseObject(new String(event.readAllBytes(), StandardCharsets.UTF_8), MAX_DEPTH);
        } catch (JsonException e) {
            throw notABatch(e.getMessage());
        }
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        for (Object item : list(root.get("Records"), "Records")) {
            records.add(record(object(item, "Records[]")));
        }
        DynamodbEvent batch = new DynamodbEvent();
        batch.setRecords(records);
        return batch;
    }

    /** Reads and writes a one-record batch, for warm-ups before a snapshot (no I/O). */
    public static void warmUp() throws IOException {
        String batch = "{\"Records\":[{\"eventID\":\"priming\",\"eventName\":\"MODIFY\",\"eventSource\":\"aws:dynamodb\","
                + "\"dynamodb\":{\"ApproximateCreationDateTime\":1795774530,\"Keys\":{\"id\":{\"S\":\"p\"}},"
                + "\"NewImage\":{\"id\":{\"S\":\"p\"},\"visits\":{\"N\":\"1\"},\"data\":{\"M\":{\"l\":{\"L\":[{\"BOOL\":true},"
                + "{\"NULL\":true}]}}}},\"SequenceNumber\":\"1\",\"SizeBytes\":1,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}]}";
        readEvent(new java.io.ByteArrayInputStream(batch.getBytes(StandardCharsets.UTF_8)));
        writeResponse(new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure("1"))),
                OutputStream.nullOutputStream());
    }

    /** Writes the partial batch response Lambda reads back ({@code ReportBatchItemFailures}). */
    public static void writeResponse(StreamsEventResponse response, OutputStream out) throws IOException {
        List<Map<String, Object>> failures = new ArrayList<>();
        if (response.getBatchItemFailures() != null) {
            for (StreamsEventResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("itemIdentifier", failure.getItemIdentifier());
                failures.add(item);
            }
        }
        out.write(Json.write(Map.of("batchItemFailures", failures)).getBytes(StandardCharsets.UTF_8));
    }

    private static DynamodbEvent.DynamodbStreamRecord record(Map<String, Object> json) {
        DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
        record.setEventID(string(json, "eventID"));
        record.setEventName(string(json, "eventName"));
        record.setEventVersion(string(json, "eventVersion"));
        record.setEventSource(string(json, "eventSource"));
        record.setAwsRegion(string(json, "awsRegion"));
        record.setEventSourceARN(string(json, "eventSourceARN"));
        if (json.get("userIdentity") != null) {
            Map<String, Object> identity = object(json.get("userIdentity"), "userIdentity");
            Identity who = new Identity();
            who.setType(string(identity, "type"));
            who.setPrincipalId(string(identity, "principalId"));
            record.setUserIdentity(who);
        }
        if (json.get("dynamodb") != null) {
            record.setDynamodb(change(object(json.get("dynamodb"), "dynamodb")));
        }
        return record;
    }

    private static StreamRecord change(Map<String, Object> json) {
        StreamRecord change = new StreamRecord();
        if (json.get("ApproximateCreationDateTime") instanceof BigDecimal seconds) {
            change.setApproximateCreationDateTime(new Date(seconds.movePointRight(3).longValue()));
        }
        change.setKeys(image(json.get("Keys"), "Keys"));
        change.setNewImage(image(json.get("NewImage"), "NewImage"));
        change.setOldImage(image(json.get("OldImage"), "OldImage"));
        change.setSequenceNumber(string(json, "SequenceNumber"));
        if (json.get("SizeBytes") instanceof BigDecimal size) {
            change.setSizeBytes(size.longValueExact());
        }
        if (json.get("StreamViewType") != null) {
            change.setStreamViewType(StreamViewType.fromValue(string(json, "StreamViewType")));
        }
        return change;
    }

    private static Map<String, AttributeValue> image(Object json, String where) {
        if (json == null) {
            return null;
        }
        Map<String, AttributeValue> image = new LinkedHashMap<>();
        object(json, where).forEach((name, value) -> image.put(name, value(value, where + "." + name)));
        return image;
    }

    /** One attribute value in DynamoDB's JSON: an object with one type key. */
    private static AttributeValue value(Object json, String where) {
        Map<String, Object> typed = object(json, where);
        if (typed.size() != 1) {
            throw notABatch(where + " should have exactly one type key, not " + typed.keySet());
        }
        Map.Entry<String, Object> entry = typed.entrySet().iterator().next();
        Object v = entry.getValue();
        AttributeValue value = new AttributeValue();
        switch (entry.getKey()) {
            case "S" -> value.setS(text(v, where));
            case "N" -> value.setN(text(v, where));
            case "B" -> value.setB(bytes(v, where));
            case "BOOL" -> value.setBOOL(bool(v, where));
            case "NULL" -> value.setNULL(bool(v, where));
            case "SS" -> value.setSS(texts(v, where));
            case "NS" -> value.setNS(texts(v, where));
            case "BS" -> {
                List<ByteBuffer> all = new ArrayList<>();
                for (Object item : list(v, where)) {
                    all.add(bytes(item, where));
                }
                value.setBS(all);
            }
            case "M" -> value.setM(image(v, where));
            case "L" -> {
                List<AttributeValue> all = new ArrayList<>();
                for (Object item : list(v, where)) {
                    all.add(value(item, where + "[]"));
                }
                value.setL(all);
            }
            default -> throw notABatch(where + " has an unknown type " + entry.getKey());
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String where) {
        if (!(value instanceof Map)) {
            throw notABatch(where + " should be an object, not " + Json.typeName(value));
        }
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value, String where) {
        if (!(value instanceof List<?> items)) {
            throw notABatch(where + " should be an array, not " + Json.typeName(value));
        }
        return items;
    }

    private static String string(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        return value == null ? null : text(value, name);
    }

    private static String text(Object value, String where) {
        if (!(value instanceof String text)) {
            throw notABatch(where + " should be a string, not " + Json.typeName(value));
        }
        return text;
    }

    private static List<String> texts(Object value, String where) {
        List<String> all = new ArrayList<>();
        for (Object item : list(value, where)) {
            all.add(text(item, where + "[]"));
        }
        return all;
    }

    private static boolean bool(Object value, String where) {
        if (!(value instanceof Boolean flag)) {
            throw notABatch(where + " should be true or false, not " + Json.typeName(value));
        }
        return flag;
    }

    private static ByteBuffer bytes(Object value, String where) {
        String base64 = text(value, where);
        try {
            return ByteBuffer.wrap(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            throw notABatch(where + " is not base64");
        }
    }

    private static IllegalArgumentException notABatch(String why) {
        return new IllegalArgumentException("not a DynamoDB stream batch: " + why);
    }
}
