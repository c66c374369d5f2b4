package dev.sessions.adapter.eventbridge;

import dev.sessions.adapter.lambda.ServiceClients;
import dev.sessions.domain.SessionEvent;
import dev.sessions.domain.SessionEvents;
import dev.sessions.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Lifecycle events on an EventBridge bus: source {@value #SOURCE}, detail-type {@code Session
 * Started} or {@code Session Ended}, the detail docs/events.md describes. PutEvents takes ten
 * entries a call and answers for each: the first entry it refused (or the first of a call that
 * failed) is where publishing stopped, and what came after it is published again on the retry.
 */
public final class EventBridgeSessionEvents implements SessionEvents {

    /** The events' {@code source}. */
    public static final String SOURCE = "dev.sessions";
    /** PutEvents' most entries a call. */
    static final int MAX_ENTRIES = 10;

    private final EventBridgeClient client;
    private final String bus;

    public EventBridgeSessionEvents(EventBridgeClient client, String bus) {
        this.client = client;
        this.bus = bus;
    }

    /** For a function's environment: bus {@code EVENT_BUS_NAME}, a client as the DynamoDB one is built. */
    public static EventBridgeSessionEvents fromEnvironment(Map<String, String> env) {
        String bus = env.getOrDefault("EVENT_BUS_NAME", "").trim();
        if (bus.isEmpty()) {
            throw new IllegalStateException("environment variable EVENT_BUS_NAME is not set (template.yaml sets it)");
        }
        return new EventBridgeSessionEvents(ServiceClients.build(EventBridgeClient.builder(), env,
                "AWS_ENDPOINT_URL_EVENTBRIDGE"), bus);
    }

    @Override
    public int publish(List<SessionEvent> events) {
        for (int start = 0; start < events.size(); start += MAX_ENTRIES) {
            List<SessionEvent> chunk = events.subList(start, Math.min(events.size(), start + MAX_ENTRIES));
            List<PutEventsRequestEntry> entries = new ArrayList<>(chunk.size());
            for (SessionEvent event : chunk) {
                entries.add(PutEventsRequestEntry.builder().eventBusName(bus).source(SOURCE)
                        .detailType(event.kind().detailType()).detail(detail(event))
                        .time(event.occurredAt()).build());
            }
            PutEventsResponse answer;
            try {
                answer = client.putEvents(b -> b.entries(entries));
            } catch (SdkException e) {
                return start; // none of this call is known to be in: from its first entry on again
            }
            if (answer.failedEntryCount() != null && answer.failedEntryCount() > 0) {
                List<PutEventsResultEntry> results = answer.entries();
                for (int i = 0; i < results.size(); i++) {
                    if (results.get(i).errorCode() != null) {
                        return start + i;
                    }
                }
                return start; // failures counted but none named: the whole call again
            }
        }
        return events.size();
    }

    /** The event's {@code detail}: the session's public id, principal and times, never a token or data. */
    public static String detail(SessionEvent event) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("eventId", event.eventId());
        detail.put("sessionId", event.sessionId());
        detail.put("principal", event.principal());
        if (event.kind() == SessionEvent.Kind.STARTED) {
            detail.put("startedBy", event.startedBy());
            if (event.predecessorId() != null) {
                detail.put("predecessorId", event.predecessorId());
            }
        } else {
            detail.put("reason", event.reason().code());
            if (event.successorId() != null) {
                detail.put("successorId", event.successorId());
            }
        }
        detail.put("createdAt", String.valueOf(event.createdAt()));
        detail.put("absoluteExpiresAt", String.valueOf(event.absoluteExpiresAt()));
        detail.put("occurredAt", String.valueOf(event.occurredAt()));
        detail.put("sequence", event.sequence());
        return Json.write(detail);
    }
}
