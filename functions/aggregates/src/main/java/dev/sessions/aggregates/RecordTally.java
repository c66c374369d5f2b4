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
        boolean rotated = change.getNewImage() != null && change.getNewImage().containsKey("rotatedFrom");
        return Tally.of(kind, rotated, StreamImages.number(change.getOldImage(), "visits", 0),
                StreamImages.number(change.getNewImage(), "visits", 0));
    }
}
