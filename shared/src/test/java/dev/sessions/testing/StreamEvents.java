package dev.sessions.testing;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
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
