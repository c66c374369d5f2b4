package dev.sessions.testing;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Real stream records from the emulator, shaped as Lambda delivers them to a handler: what the
 * sync functions' integration tests feed their handlers.
 */
public final class StreamEvents {

    private StreamEvents() {
    }

    /** Every record of the table's stream so far, once at least {@code expected} have arrived. */
    public static List<DynamodbEvent.DynamodbStreamRecord> read(DynamoDbClient dynamo, DynamoDbStreamsClient streams,
                                                                  String table, int expected) {
        String arn = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        return Poll.until(Duration.ofSeconds(30), expected + " stream records of " + table, () -> {
            List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
            for (Shard shard : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
                String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                while (iterator != null) {
                    String current = iterator;
                    var page = streams.getRecords(b -> b.shardIterator(current));
                    page.records().forEach(r -> records.add(toLambda(r, arn)));
                    iterator = page.records().isEmpty() ? null : page.nextShardIterator();
                }
            }
            return records;
        }, records -> records.size() >= expected);
    }

    public static DynamodbEvent event(List<DynamodbEvent.DynamodbStreamRecord> records) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records);
        return event;
    }

    /** The batch in {@code events/<file>}, read into the events library's types to be changed. */
    public static DynamodbEvent load(String file) {
        return com.amazonaws.services.lambda.runtime.tests.EventLoader.loadDynamoDbEvent("events/" + file);
    }

    /**
     * A batch as the JSON Lambda delivers (as local/README.md, "Fidelity", describes it: capitalised {@code dynamodb} fields,
     * {@code ApproximateCreationDateTime} in epoch seconds, binaries in base64): what tests pass to a
     * stream function's real entry.
     */
    public static byte[] bytes(DynamodbEvent event) {
        List<Object> records = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("eventID", record.getEventID());
            out.put("eventName", record.getEventName());
            out.put("eventVersion", record.getEventVersion());
            out.put("eventSource", record.getEventSource());
            out.put("awsRegion", record.getAwsRegion());
            StreamRecord change = record.getDynamodb();
            if (change != null) {
                Map<String, Object> dynamodb = new LinkedHashMap<>();
                if (change.getApproximateCreationDateTime() != null) {
                    dynamodb.put("ApproximateCreationDateTime", change.getApproximateCreationDateTime().getTime() / 1000);
                }
                putImage(dynamodb, "Keys", change.getKeys());
                putImage(dynamodb, "NewImage", change.getNewImage());
                putImage(dynamodb, "OldImage", change.getOldImage());
                dynamodb.put("SequenceNumber", change.getSequenceNumber());
                dynamodb.put("SizeBytes", change.getSizeBytes());
                dynamodb.put("StreamViewType", change.getStreamViewType() == null ? null
                        : String.valueOf(change.getStreamViewType()));
                dynamodb.values().removeIf(java.util.Objects::isNull);
                out.put("dynamodb", dynamodb);
            }
            out.put("eventSourceARN", record.getEventSourceARN());
            if (record.getUserIdentity() != null) {
                out.put("userIdentity", Map.of("type", record.getUserIdentity().getType(),
                        "principalId", record.getUserIdentity().getPrincipalId()));
            }
            out.values().removeIf(java.util.Objects::isNull);
            records.add(out);
        }
        return dev.sessions.json.Json.write(Map.of("Records", records)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The sequence numbers a partial batch response asks to have retried. */
    public static List<String> failures(Map<String, Object> response) {
        List<String> ids = new ArrayList<>();
        for (Object failure : (List<?>) response.get("batchItemFailures")) {
            ids.add((String) ((Map<?, ?>) failure).get("itemIdentifier"));
        }
        return ids;
    }

    private static void putImage(Map<String, Object> into, String name, Map<String, AttributeValue> image) {
        if (image != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            image.forEach((k, v) -> json.put(k, json(v)));
            into.put(name, json);
        }
    }

    private static Object json(AttributeValue v) {
        if (v.getS() != null) {
            return Map.of("S", v.getS());
        }
        if (v.getN() != null) {
            return Map.of("N", v.getN());
        }
        if (v.getBOOL() != null) {
            return Map.of("BOOL", v.getBOOL());
        }
        if (v.getNULL() != null) {
            return Map.of("NULL", v.getNULL());
        }
        if (v.getM() != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            v.getM().forEach((k, x) -> m.put(k, json(x)));
            return Map.of("M", m);
        }
        if (v.getL() != null) {
            return Map.of("L", v.getL().stream().map(StreamEvents::json).toList());
        }
        if (v.getSS() != null) {
            return Map.of("SS", v.getSS());
        }
        if (v.getNS() != null) {
            return Map.of("NS", v.getNS());
        }
        if (v.getB() != null) {
            return Map.of("B", java.util.Base64.getEncoder().encodeToString(bytesOf(v.getB())));
        }
        if (v.getBS() != null) {
            return Map.of("BS", v.getBS().stream().map(b -> java.util.Base64.getEncoder().encodeToString(bytesOf(b))).toList());
        }
        return Map.of("NULL", true);
    }

    private static byte[] bytesOf(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static DynamodbEvent.DynamodbStreamRecord toLambda(Record record, String streamArn) {
        DynamodbEvent.DynamodbStreamRecord out = new DynamodbEvent.DynamodbStreamRecord();
        out.setEventID(record.eventID());
        out.setEventName(record.eventNameAsString());
        out.setEventVersion("1.1");
        out.setEventSource("aws:dynamodb");
        out.setAwsRegion(record.awsRegion());
        out.setEventSourceARN(streamArn);
        StreamRecord change = new StreamRecord();
        var sdk = record.dynamodb();
        change.setKeys(convert(sdk.keys()));
        if (sdk.hasNewImage()) {
            change.setNewImage(convert(sdk.newImage()));
        }
        if (sdk.hasOldImage()) {
            change.setOldImage(convert(sdk.oldImage()));
        }
        change.setSequenceNumber(sdk.sequenceNumber());
        change.setSizeBytes(sdk.sizeBytes());
        change.setStreamViewType(com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType
                .fromValue(sdk.streamViewTypeAsString()));
        if (sdk.approximateCreationDateTime() != null) {
            change.setApproximateCreationDateTime(Date.from(sdk.approximateCreationDateTime()));
        }
        out.setDynamodb(change);
        if (record.userIdentity() != null) {
            Identity identity = new Identity();
            identity.setType(record.userIdentity().type());
            identity.setPrincipalId(record.userIdentity().principalId());
            out.setUserIdentity(identity);
        }
        return out;
    }

    private static Map<String, AttributeValue> convert(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item) {
        Map<String, AttributeValue> out = new HashMap<>();
        item.forEach((k, v) -> out.put(k, convert(v)));
        return out;
    }

    private static AttributeValue convert(software.amazon.awssdk.services.dynamodb.model.AttributeValue v) {
        AttributeValue out = new AttributeValue();
        switch (v.type()) {
            case S -> out.setS(v.s());
            case N -> out.setN(v.n());
            case BOOL -> out.setBOOL(v.bool());
            case NUL -> out.setNULL(true);
            case M -> out.setM(convert(v.m()));
            case L -> out.setL(v.l().stream().map(StreamEvents::convert).toList());
            case SS -> out.setSS(v.ss());
            case NS -> out.setNS(v.ns());
            case B -> out.setB(v.b().asByteBuffer());
            case BS -> out.setBS(v.bs().stream().map(b -> b.asByteBuffer()).toList());
            default -> throw new IllegalArgumentException("attribute type " + v.type());
        }
        return out;
    }
}
