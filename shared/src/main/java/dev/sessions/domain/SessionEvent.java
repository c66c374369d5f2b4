package dev.sessions.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A session started or ended: what other services learn of a session's life (docs/events.md).
 * It names the session by its public id and its principal, with its times; never its token or its
 * data.
 *
 * @param kind started or ended
 * @param eventId stable across redeliveries and republishing, unique per event: what a consumer
 *     dedupes on (the stream record's id and the kind)
 * @param sessionId the session's public id
 * @param principal its principal, or {@code null} for a visitor's session
 * @param createdAt when the session was created
 * @param absoluteExpiresAt the latest it could live
 * @param occurredAt when the change happened, to the second (DynamoDB's stream time)
 * @param sequence the stream's sequence number of the change: later changes of a session have
 *     greater ones (compare as whole numbers)
 * @param startedBy for a start: {@code created} (a visit or a create), {@code signed-in} (a
 *     sign-in took over a visitor's or the same user's session) or {@code rotated}; else {@code null}
 * @param reason for an end, why; else {@code null}
 * @param predecessorId for a start by sign-in or rotation, the session it continues; else {@code null}
 * @param successorId for an end by rotation or sign-in, the session that continues it; else {@code null}
 */
public record SessionEvent(Kind kind, String eventId, String sessionId, String principal, Instant createdAt,
                           Instant absoluteExpiresAt, Instant occurredAt, String sequence, String startedBy,
                           EndReason reason, String predecessorId, String successorId) {

    /** What happened to the session. */
    public enum Kind {
        STARTED("Session Started"),
        ENDED("Session Ended");

        private final String detailType;

        Kind(String detailType) {
            this.detailType = detailType;
        }

        /** The event's {@code detail-type} on EventBridge. */
        public String detailType() {
            return detailType;
        }
    }

    public SessionEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(sessionId, "sessionId");
        if ((kind == Kind.ENDED) != (reason != null)) {
            throw new IllegalArgumentException("an end has a reason, a start none");
        }
    }
}
