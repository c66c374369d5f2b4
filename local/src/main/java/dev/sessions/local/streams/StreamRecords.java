package dev.sessions.local.streams;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Stream records from the DynamoDB Streams API in the exact JSON shape Lambda delivers
 * (local/README.md, "Fidelity"): {@code eventSourceARN} added, {@code ApproximateCreationDateTime}
 * in whole epoch seconds, binaries as base64, {@code userIdentity} only when present.
 */
public final class StreamRecords {

    private StreamRecords() {
    }

    /** One record as Lambda delivers it. */
    public static Map<String, Object> toLambda(Record record, String streamArn, String region) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventID", record.eventID());
        out.put("eventName", record.eventNameAsString());
        out.put("eventVersion", "1.1");
        out.put("eventSource", "aws:dynamodb");
        out.put("awsRegion", record.awsRegion() != null ? record.awsRegion() : region);
        StreamRecord stream = record.dynamodb();
        Map<String, Object> dynamodb = new LinkedHashMap<>();
        if (stream.approximateCreationDateTime() != null) {
            dynamodb.put("ApproximateCreationDateTime", stream.approximateCreationDateTime().getEpochSecond());
        }
        if (stream.hasKeys()) {
            dynamodb.put("Keys", item(stream.keys()));
        }
        if (stream.hasNewImage()) {
            dynamodb.put("NewImage", item(stream.newImage()));
        }
        if (stream.hasOldImage()) {
            dynamodb.put("OldImage", item(stream.oldImage()));
        }
        dynamodb.put("SequenceNumber", stream.sequenceNumber());
        if (stream.sizeBytes() != null) {
            dynamodb.put("SizeBytes", stream.sizeBytes());
        }
        if (stream.streamViewTypeAsString() != null) {
            dynamodb.put("StreamViewType", stream.streamViewTypeAsString());
        }
        out.put("dynamodb", dynamodb);
        out.put("eventSourceARN", streamArn);
        if (record.userIdentity() != null) {
            out.put("userIdentity", Map.of("type", record.userIdentity().type(),
                    "principalId", record.userIdentity().principalId()));
        }
        return out;
    }

    /** The event of a batch: {@code {"Records": [...]}}. */
    public static Map<String, Object> event(List<Map<String, Object>> records) {
        return Map.of("Records", records);
    }

    static Map<String, Object> item(Map<String, AttributeValue> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        item.forEach((name, value) -> out.put(name, attribute(value)));
        return out;
    }

    static Map<String, Object> attribute(AttributeValue value) {
        return switch (value.type()) {
            case S -> Map.of("S", value.s());
            case N -> Map.of("N", value.n());
            case B -> Map.of("B", base64(value.b()));
            case BOOL -> Map.of("BOOL", value.bool());
            case NUL -> Map.of("NULL", true);
            case SS -> Map.of("SS", value.ss());
            case NS -> Map.of("NS", value.ns());
            case BS -> Map.of("BS", value.bs().stream().map(StreamRecords::base64).toList());
            case M -> Map.of("M", item(value.m()));
            case L -> {
                List<Object> items = new ArrayList<>();
                value.l().forEach(v -> items.add(attribute(v)));
                yield Map.of("L", items);
            }
            default -> throw new IllegalArgumentException("unknown attribute type " + value.type());
        };
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }
}
