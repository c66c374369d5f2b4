package dev.sessions.adapter.eventbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sessions.domain.EndReason;
import dev.sessions.domain.SessionEvent;
import dev.sessions.json.Json;
import dev.sessions.testing.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle event samples in events/ are what the bus carries: each one's detail is exactly what
 * {@link EventBridgeSessionEvents#detail} writes for the event it describes, so a consumer written
 * against a sample reads the real thing (docs/events.md documents the same fields).
 */
class SessionEventSamplesTest {

    @Test
    void givenEachSample_whenItsEventIsWrittenAsTheBusCarriesIt_thenTheSameDetail() throws IOException {
        List<Path> samples;
        try (Stream<Path> files = Files.list(Executables.projectRoot().resolve("events"))) {
            samples = files.filter(f -> f.getFileName().toString().startsWith("session-")).sorted().toList();
        }
        assertFalse(samples.isEmpty(), "no lifecycle event samples in events/");
        for (Path sample : samples) {
            Map<String, Object> event = Json.parseObject(Files.readString(sample), 8);
            Map<?, ?> detail = (Map<?, ?>) event.get("detail");
            SessionEvent.Kind kind = event.get("detail-type").equals("Session Started") ? SessionEvent.Kind.STARTED
                    : SessionEvent.Kind.ENDED;
            SessionEvent rebuilt = new SessionEvent(kind, (String) detail.get("eventId"), (String) detail.get("sessionId"),
                    (String) detail.get("principal"), Instant.parse((String) detail.get("createdAt")),
                    Instant.parse((String) detail.get("absoluteExpiresAt")), Instant.parse((String) detail.get("occurredAt")),
                    (String) detail.get("sequence"), (String) detail.get("startedBy"),
                    detail.get("reason") == null ? null : EndReason.ofCode((String) detail.get("reason")).orElseThrow(),
                    (String) detail.get("predecessorId"), (String) detail.get("successorId"));

            assertEquals(EventBridgeSessionEvents.SOURCE, event.get("source"), sample.toString());
            assertEquals(kind.detailType(), event.get("detail-type"));
            assertEquals(detail, Json.parseObject(EventBridgeSessionEvents.detail(rebuilt), 4), sample.toString());
        }
    }
}
