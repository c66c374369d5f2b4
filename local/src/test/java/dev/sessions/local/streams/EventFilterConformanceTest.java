package dev.sessions.local.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sessions.json.Json;
import dev.sessions.testing.Executables;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.event.ruler.Machine;

/**
 * The local stream filter against AWS's own matcher (event-ruler, which Lambda's event filtering and
 * EventBridge are built on), over the patterns of Lambda's subset that the filter takes and the
 * records the sessions table's stream carries (every stream record in events/): the same verdict for
 * every pair, or the difference named. The filter stays ours so that it refuses, when a mapping is
 * made, the operators Lambda refuses (event-ruler knows more than Lambda takes).
 */
class EventFilterConformanceTest {

    /** Each operator of Lambda's subset, on the shapes the stream has: types, nested images, identities, numbers. */
    private static final List<String> PATTERNS = List.of(
            "{\"eventName\":[\"INSERT\",\"REMOVE\"]}",
            "{\"eventName\":[\"MODIFY\"],\"dynamodb\":{\"NewImage\":{\"lastWrite\":{\"S\":[\"visit\",\"move\"]}}}}",
            "{\"eventName\":[\"insert\"]}",
            "{\"dynamodb\":{\"Keys\":{\"id\":{\"S\":[{\"prefix\":\"62Fq\"}]}}}}",
            "{\"eventName\":[{\"anything-but\":[\"REMOVE\"]}]}",
            "{\"eventName\":[{\"anything-but\":\"MODIFY\"}]}",
            "{\"userIdentity\":{\"type\":[{\"exists\":true}]}}",
            "{\"userIdentity\":{\"type\":[{\"exists\":false}]}}",
            "{\"userIdentity\":[{\"exists\":true}]}",
            "{\"dynamodb\":{\"NewImage\":{\"principal\":{\"S\":[{\"exists\":true}]}}}}",
            "{\"dynamodb\":{\"NewImage\":{\"visits\":[{\"exists\":true}]}}}",
            "{\"dynamodb\":{\"NewImage\":{\"visits\":{\"N\":[\"2\",\"3\"]}}}}",
            "{\"dynamodb\":{\"NewImage\":{\"visits\":{\"N\":[{\"numeric\":[\">\",1]}]}}}}",
            "{\"dynamodb\":{\"SizeBytes\":[{\"numeric\":[\">\",100,\"<=\",2000]}]}}",
            "{\"dynamodb\":{\"OldImage\":{\"movedTo\":{\"S\":[{\"exists\":true}]}}}}",
            "{\"userIdentity\":{\"principalId\":[\"dynamodb.amazonaws.com\"]},\"eventName\":[\"REMOVE\"]}",
            "{\"dynamodb\":{\"NewImage\":{\"principal\":{\"NULL\":[true]}}}}",
            "{\"eventSource\":[\"aws:dynamodb\"],\"awsRegion\":[{\"prefix\":\"eu-\"}]}");

    @Test
    void givenEveryPatternAndEveryStreamRecordOfEventsFiles_whenMatched_thenTheSameVerdictAsAwsMatcher()
            throws Exception {
        List<Map<String, Object>> records = new ArrayList<>();
        try (var files = Files.list(Executables.projectRoot().resolve("events"))) {
            for (var file : files.filter(f -> f.getFileName().toString().startsWith("stream-")).sorted().toList()) {
                Map<String, Object> event = Json.parseObject(Files.readString(file), 64);
                for (Object record : (List<?>) event.get("Records")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = (Map<String, Object>) record;
                    records.add(map);
                }
            }
        }
        List<String> differences = new ArrayList<>();
        int pairs = 0;
        for (String pattern : PATTERNS) {
            Machine aws = new Machine();
            aws.addRule("pattern", pattern);
            EventFilter ours = EventFilter.of(List.of(pattern));
            for (Map<String, Object> record : records) {
                boolean theirs = !aws.rulesForJSONEvent(Json.write(record)).isEmpty();
                boolean mine = ours.passes(record);
                pairs++;
                if (theirs != mine) {
                    differences.add(pattern + " on " + record.get("eventName") + " " + record.get("eventID")
                            + ": event-ruler " + theirs + ", ours " + mine);
                }
            }
        }
        assertEquals(List.of(), differences, "of " + pairs + " pairs");
    }

    /** Operators EventBridge's matcher takes but Lambda's FilterCriteria do not: refused when the mapping is made. */
    @Test
    void givenOperatorsEventRulerTakesButLambdaDoesNot_whenCompiled_thenRefusedWhileEventRulerTakesThem()
            throws Exception {
        List<String> beyondLambda = List.of(
                "{\"eventName\":[{\"anything-but\":{\"prefix\":\"MOD\"}}]}",
                "{\"eventName\":[{\"suffix\":\"ERT\"}]}",
                "{\"eventName\":[{\"equals-ignore-case\":\"insert\"}]}",
                "{\"eventName\":[{\"wildcard\":\"IN*\"}]}");
        for (String pattern : beyondLambda) {
            new Machine().addRule("pattern", pattern);
            var refused = assertThrows(IllegalArgumentException.class, () -> EventFilter.of(List.of(pattern)));
            assertEquals(true, refused.getMessage().contains(pattern), refused.getMessage());
        }
    }
}
