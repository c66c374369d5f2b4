package dev.sessions.adapter.lambda;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stream record that can never apply (not a session item, not countable), as it is set aside:
 * where it is in the stream and why it was refused, never its images (they hold session data).
 *
 * @param function the function that refused it
 * @param eventId the record's eventID
 * @param eventName INSERT, MODIFY, REMOVE, or whatever it said
 * @param sequenceNumber its place in the shard
 * @param streamArn its stream, or {@code null} when the event had none
 * @param key its {@code id} key (a session id, no secret), or {@code null}
 * @param createdAt when DynamoDB wrote it ({@code ApproximateCreationDateTime}), or {@code null}
 * @param reason why it cannot apply
 */
public record PoisonRecord(String function, String eventId, String eventName, String sequenceNumber, String streamArn,
                           String key, Instant createdAt, String reason) {

    /** The metadata of {@code record}, none of its images. */
    public static PoisonRecord of(String function, DynamodbEvent.DynamodbStreamRecord record, String reason) {
        StreamRecord change = record.getDynamodb();
        String key = null;
        if (change != null && change.getKeys() != null) {
            AttributeValue id = change.getKeys().get("id");
            key = id == null ? null : id.getS();
        }
        return new PoisonRecord(function, record.getEventID(), record.getEventName(),
                change == null ? null : change.getSequenceNumber(), record.getEventSourceARN(), key,
                change == null || change.getApproximateCreationDateTime() == null ? null
                        : change.getApproximateCreationDateTime().toInstant(), reason);
    }

    /** The dead-letter message: {@code {"poisonRecord": {...}}}, a shape the mapping's own failure messages do not have. */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("function", function);
        fields.put("eventID", eventId);
        fields.put("eventName", eventName);
        fields.put("sequenceNumber", sequenceNumber);
        fields.put("streamArn", streamArn);
        fields.put("key", key);
        fields.put("approximateCreationDateTime", createdAt == null ? null : createdAt.toString());
        fields.put("reason", reason);
        return Json.write(Map.of("poisonRecord", fields));
    }
}
