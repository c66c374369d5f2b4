package dev.sessions.adapter.dynamodb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.sessions.domain.EndReason;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionEvent;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The lifecycle event a record of the sessions table's stream is, if any (docs/events.md): an
 * INSERT of a session started it (created, signed in, or rotated: its {@code rotatedFrom} and
 * {@code lastWrite} say which); a MODIFY that turns a session into a forward pointer ended it,
 * for the reason the pointer carries; a REMOVE of a session ended it, expired when DynamoDB's TTL
 * made it (the record's service identity), else for the reason the store wrote onto the item
 * before its delete. Every other change (a visit, a touch, a patch, a pointer's expiry) is none.
 */
public final class StreamLifecycle {

    /** How the stream names DynamoDB itself as the maker of a change: a TTL delete. */
    private static final String TTL_PRINCIPAL = "dynamodb.amazonaws.com";

    private StreamLifecycle() {
    }

    /** @throws StreamImages.NotASession when the record is not a change of a session item */
    public static Optional<SessionEvent> of(DynamodbEvent.DynamodbStreamRecord record) {
        StreamRecord change = record.getDynamodb();
        if (change == null) {
            throw new StreamImages.NotASession("the record has no dynamodb change");
        }
        String id = StreamImages.sessionId(change.getKeys());
        Map<String, AttributeValue> before = change.getOldImage();
        Map<String, AttributeValue> after = change.getNewImage();
        String name = String.valueOf(record.getEventName());
        boolean sessionBefore = before != null && !StreamImages.isForwardPointer(before);
        boolean sessionAfter = after != null && !StreamImages.isForwardPointer(after);
        return switch (name) {
            case "INSERT" -> sessionAfter ? Optional.of(started(record, id, StreamImages.session(after), after))
                    : Optional.empty();
            case "MODIFY" -> sessionBefore && StreamImages.isForwardPointer(after)
                    ? Optional.of(ended(record, id, StreamImages.session(before),
                    reasonOf(after).orElse(EndReason.ROTATED), text(after, SessionItem.MOVED_TO)))
                    : Optional.empty();
            case "REMOVE" -> sessionBefore ? Optional.of(ended(record, id, StreamImages.session(before),
                    byTtl(record) ? EndReason.EXPIRED : reasonOf(before).orElse(EndReason.UNKNOWN), null))
                    : Optional.empty();
            default -> throw new StreamImages.NotASession("unknown stream event " + name);
        };
    }

    private static SessionEvent started(DynamodbEvent.DynamodbStreamRecord record, String id, Session session,
                                        Map<String, AttributeValue> image) {
        String predecessor = text(image, SessionItem.ROTATED_FROM);
        String startedBy = predecessor == null ? "created"
                : "sign-in".equals(text(image, SessionItem.LAST_WRITE)) ? "signed-in" : "rotated";
        return new SessionEvent(SessionEvent.Kind.STARTED, record.getEventID() + "-started", id, session.principal(),
                session.createdAt(), session.absoluteExpiresAt(), occurredAt(record), sequence(record), startedBy, null,
                predecessor, null);
    }

    private static SessionEvent ended(DynamodbEvent.DynamodbStreamRecord record, String id, Session session,
                                      EndReason reason, String successor) {
        return new SessionEvent(SessionEvent.Kind.ENDED, record.getEventID() + "-ended", id, session.principal(),
                session.createdAt(), session.absoluteExpiresAt(), occurredAt(record), sequence(record), null, reason,
                null, successor);
    }

    private static boolean byTtl(DynamodbEvent.DynamodbStreamRecord record) {
        Identity identity = record.getUserIdentity();
        return identity != null && TTL_PRINCIPAL.equals(identity.getPrincipalId());
    }

    private static Optional<EndReason> reasonOf(Map<String, AttributeValue> image) {
        return Optional.ofNullable(text(image, SessionItem.END_REASON)).flatMap(EndReason::ofCode);
    }

    private static String text(Map<String, AttributeValue> image, String name) {
        AttributeValue value = image == null ? null : image.get(name);
        return value == null ? null : value.getS();
    }

    private static Instant occurredAt(DynamodbEvent.DynamodbStreamRecord record) {
        return record.getDynamodb().getApproximateCreationDateTime() == null ? null
                : record.getDynamodb().getApproximateCreationDateTime().toInstant();
    }

    private static String sequence(DynamodbEvent.DynamodbStreamRecord record) {
        return record.getDynamodb().getSequenceNumber();
    }
}
