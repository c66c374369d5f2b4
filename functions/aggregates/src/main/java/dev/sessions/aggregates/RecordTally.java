package dev.sessions.aggregates;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.domain.Tally;

/** What one stream record adds to the aggregates (docs/design.md, "Counters table"). */
final class RecordTally {

    private RecordTally() {
    }

    /**
     * @throws StreamImages.NotASession when the record is not a change of a session item
     */
    static Tally of(DynamodbEvent.DynamodbStreamRecord record) {
        StreamRecord change = record.getDynamodb();
        if (change == null) {
            throw new StreamImages.NotASession("the record has no dynamodb change");
        }
        StreamImages.sessionId(change.getKeys());
        Tally.Change kind;
        try {
            kind = Tally.Change.valueOf(String.valueOf(record.getEventName()));
        } catch (IllegalArgumentException e) {
            throw new StreamImages.NotASession("unknown stream event " + record.getEventName());
        }
        if (StreamImages.isForwardPointer(change.getOldImage())) {
            return Tally.NONE; // a rotation's forward pointer expiring: the session left the count when it moved
        }
        if (kind == Tally.Change.MODIFY && StreamImages.isForwardPointer(change.getNewImage())) {
            return Tally.MOVED_AWAY; // the other half of a rotation, whose new item is an INSERT
        }
        boolean rotated = change.getNewImage() != null && change.getNewImage().containsKey("rotatedFrom");
        return Tally.of(kind, rotated, StreamImages.number(change.getOldImage(), "visits", 0),
                StreamImages.number(change.getNewImage(), "visits", 0));
    }
}
