package dev.sessions.sync;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.sessions.adapter.dynamodb.StreamImages;
import dev.sessions.domain.CacheReplica;
import dev.sessions.telemetry.Metric;
import dev.sessions.telemetry.RequestLog;
import java.time.Duration;
import java.time.Instant;

/**
 * One stream record applied to the cache replica: an INSERT or MODIFY writes the new image if its
 * revision is newer; a REMOVE, or a rotation turning the item into a forward pointer, leaves a
 * tombstone until the session's absolute expiry, so that no older image replayed later can bring
 * it back. The removal of a forward pointer (by TTL, after the session's end) changes nothing.
 */
final class ReplicaChange {

    /** How long a tombstone stands when the removed image has no absolute expiry to go by. */
    static final Duration DEFAULT_TOMBSTONE = Duration.ofHours(12);

    private ReplicaChange() {
    }

    /**
     * @throws StreamImages.NotASession when the record is not a change of a session item
     * @throws CacheReplica.CacheUnavailable when the replica cannot be written now
     */
    static void apply(CacheReplica cache, DynamodbEvent.DynamodbStreamRecord record, Instant now, RequestLog log) {
        if (record.getDynamodb() == null) {
            throw new StreamImages.NotASession("the record has no dynamodb change");
        }
        switch (String.valueOf(record.getEventName())) {
            case "INSERT", "MODIFY" -> {
                if (StreamImages.isForwardPointer(record.getDynamodb().getNewImage())) {
                    tombstone(cache, record, record.getDynamodb().getNewImage(), now); // the session moved away
                    log.count(Metric.RECORDS_APPLIED);
                    return;
                }
                CacheReplica.Write write = cache.put(StreamImages.session(record.getDynamodb().getNewImage()), now);
                log.count(write == CacheReplica.Write.APPLIED ? Metric.RECORDS_APPLIED : Metric.DUPLICATES_SKIPPED);
            }
            case "REMOVE" -> {
                if (StreamImages.isForwardPointer(record.getDynamodb().getOldImage())) {
                    StreamImages.sessionId(record.getDynamodb().getKeys());
                    log.count(Metric.DUPLICATES_SKIPPED); // its tombstone was written when it was made
                    return;
                }
                tombstone(cache, record, record.getDynamodb().getOldImage(), now);
                log.count(Metric.RECORDS_APPLIED);
                if (isTimeToLive(record)) {
                    log.count(Metric.SESSIONS_EXPIRED);
                }
            }
            default -> throw new StreamImages.NotASession("unknown stream event " + record.getEventName());
        }
    }

    private static void tombstone(CacheReplica cache, DynamodbEvent.DynamodbStreamRecord record,
                                  java.util.Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image,
                                  Instant now) {
        String id = StreamImages.sessionId(record.getDynamodb().getKeys());
        long absolute = StreamImages.number(image, "absoluteExpiresAt", -1);
        Instant until = absolute > 0 ? Instant.ofEpochSecond(absolute) : now.plus(DEFAULT_TOMBSTONE);
        cache.evict(id, until, now);
    }

    /** A deletion by DynamoDB's TTL: userIdentity Service / dynamodb.amazonaws.com. */
    static boolean isTimeToLive(DynamodbEvent.DynamodbStreamRecord record) {
        return record.getUserIdentity() != null && "Service".equals(record.getUserIdentity().getType())
                && "dynamodb.amazonaws.com".equals(record.getUserIdentity().getPrincipalId());
    }
}
