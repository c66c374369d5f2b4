package example.audit;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A sign-out worth an audit line, read from a {@code Session Ended} event of the sessions stack (its
 * documented detail: eventId, sessionId, principal, reason, occurredAt...). The user signing out,
 * being signed out from another of their devices, or an administrator's revocation; not a rotation,
 * an expiry or a sign-in's replacement, which are no sign-out.
 *
 * @param eventId what to dedupe on: the bus delivers at least once
 * @param principal who was signed out
 * @param sessionId the session's public id (never its token)
 * @param reason {@code signed-out}, {@code ended-from-another-device} or {@code revoked-by-administrator}
 * @param occurredAt when, as the event says it
 */
public record SignOut(String eventId, String principal, String sessionId, String reason, String occurredAt) {

    /** The reasons that are sign-outs; the rule's pattern lets only these through, and this checks again. */
    static final Set<String> REASONS = Set.of("signed-out", "ended-from-another-device", "revoked-by-administrator");

    /** The sign-out an EventBridge event is, or empty (another kind of event, another reason, a visitor's session). */
    static Optional<SignOut> of(Map<String, Object> event) {
        if (!"dev.sessions".equals(event.get("source")) || !"Session Ended".equals(event.get("detail-type"))
                || !(event.get("detail") instanceof Map<?, ?> detail)) {
            return Optional.empty();
        }
        if (!(detail.get("reason") instanceof String reason) || !REASONS.contains(reason)
                || !(detail.get("principal") instanceof String principal) || principal.isEmpty()
                || !(detail.get("eventId") instanceof String eventId) || !(detail.get("sessionId") instanceof String id)) {
            return Optional.empty();
        }
        return Optional.of(new SignOut(eventId, principal, id, reason, String.valueOf(detail.get("occurredAt"))));
    }
}
