package dev.sessions.local.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventFilterTest {

    @SuppressWarnings("unchecked")
    private static final Map<String, Object> INSERT = (Map<String, Object>) Json.parse("""
            {"eventName":"INSERT","dynamodb":{"Keys":{"id":{"S":"keep-1"}},"NewImage":{"id":{"S":"keep-1"},
            "visits":{"N":"5"},"principal":{"S":"alice"}},"SizeBytes":120}}""");
    @SuppressWarnings("unchecked")
    private static final Map<String, Object> TTL_REMOVE = (Map<String, Object>) Json.parse("""
            {"eventName":"REMOVE","dynamodb":{"Keys":{"id":{"S":"drop-2"}},"SizeBytes":40},
            "userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}}""");

    private static boolean passes(String pattern, Map<String, Object> record) {
        return EventFilter.of(List.of(pattern)).passes(record);
    }

    @Test
    void givenExactValues_whenMatched_thenAnyListedValuePasses() {
        assertTrue(passes("{\"eventName\":[\"INSERT\",\"MODIFY\"]}", INSERT));
        assertFalse(passes("{\"eventName\":[\"INSERT\",\"MODIFY\"]}", TTL_REMOVE));
        assertFalse(passes("{\"eventName\":[\"insert\"]}", INSERT), "case-sensitive");
    }

    @Test
    void givenNestedKeys_whenMatched_thenEveryKeyMustMatch() {
        assertTrue(passes("{\"eventName\":[\"INSERT\"],\"dynamodb\":{\"NewImage\":{\"principal\":{\"S\":[\"alice\"]}}}}", INSERT));
        assertFalse(passes("{\"eventName\":[\"INSERT\"],\"dynamodb\":{\"NewImage\":{\"principal\":{\"S\":[\"bob\"]}}}}", INSERT));
    }

    @Test
    void givenPrefixAnythingButAndExists_whenMatched_thenEachAsLambdaDefines() {
        assertTrue(passes("{\"dynamodb\":{\"Keys\":{\"id\":{\"S\":[{\"prefix\":\"keep\"}]}}}}", INSERT));
        assertFalse(passes("{\"dynamodb\":{\"Keys\":{\"id\":{\"S\":[{\"prefix\":\"keep\"}]}}}}", TTL_REMOVE));
        assertTrue(passes("{\"eventName\":[{\"anything-but\":[\"REMOVE\"]}]}", INSERT));
        assertFalse(passes("{\"eventName\":[{\"anything-but\":\"REMOVE\"}]}", TTL_REMOVE));
        assertTrue(passes("{\"userIdentity\":{\"type\":[{\"exists\":true}]}}", TTL_REMOVE));
        assertTrue(passes("{\"userIdentity\":{\"type\":[{\"exists\":false}]}}", INSERT));
        // leaves only (AWS's filter rules): an object is no leaf, so it never "exists"
        assertFalse(passes("{\"userIdentity\":[{\"exists\":true}]}", TTL_REMOVE));
        assertFalse(passes("{\"dynamodb\":{\"NewImage\":{\"visits\":[{\"exists\":true}]}}}", INSERT));
        assertTrue(passes("{\"dynamodb\":{\"NewImage\":{\"visits\":{\"N\":[{\"exists\":true}]}}}}", INSERT));
        assertTrue(passes("{\"userIdentity\":{\"principalId\":[\"dynamodb.amazonaws.com\"]}}", TTL_REMOVE));
    }

    @Test
    void givenNumericRange_whenMatched_thenNumbersCompareButDynamoNumbersDoNot() {
        assertTrue(passes("{\"dynamodb\":{\"SizeBytes\":[{\"numeric\":[\">\",100,\"<=\",200]}]}}", INSERT));
        assertFalse(passes("{\"dynamodb\":{\"SizeBytes\":[{\"numeric\":[\">\",100]}]}}", TTL_REMOVE));
        assertFalse(passes("{\"dynamodb\":{\"NewImage\":{\"visits\":{\"N\":[{\"numeric\":[\">\",1]}]}}}}", INSERT),
                "N values are strings, so numeric never matches them");
        assertTrue(passes("{\"dynamodb\":{\"NewImage\":{\"visits\":{\"N\":[\"5\"]}}}}", INSERT));
    }

    @Test
    void givenSeveralFilters_whenMatched_thenAnyOnePasses() {
        EventFilter filter = EventFilter.of(List.of("{\"eventName\":[\"MODIFY\"]}", "{\"eventName\":[\"REMOVE\"]}"));

        assertTrue(filter.passes(TTL_REMOVE));
        assertFalse(filter.passes(INSERT));
        assertTrue(EventFilter.of(List.of()).passes(INSERT), "no filter passes everything");
    }

    @Test
    void givenInvalidPatterns_whenCompiled_thenRefused() {
        assertThrows(IllegalArgumentException.class, () -> EventFilter.of(List.of("not json")));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.of(List.of("{}", "{}", "{}", "{}", "{}", "{}")));
        // refused when compiled, before any record meets it
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> EventFilter.of(List.of("{\"eventName\":[{\"wildcard\":\"*\"}]}")));
        assertTrue(error.getMessage().startsWith("unknown filter operator wildcard in "), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventFilter.of(List.of("{\"n\":[{\"numeric\":[\"~\",1]}]}")));
    }

    @Test
    void givenAMappingWithAnUnknownOperator_whenItsPollerIsMade_thenRefusedInOneLineNamingIt() {
        var mapping = new dev.sessions.local.template.StreamMapping("AggregatesFunction", "Changes", "SessionsTable",
                "TRIM_HORIZON", 10, 0, 1, -1, false, true, List.of("{\"eventName\":[{\"suffix\":\"RT\"}]}"), null, true);

        var refused = assertThrows(dev.sessions.local.template.TemplateException.class,
                () -> new StreamPoller(mapping, "t", null, null, null, null, "us-east-1", System.err));

        assertTrue(refused.getMessage().startsWith("the stream mapping of AggregatesFunction has a FilterCriteria pattern"
                + " that cannot be used: unknown filter operator suffix"), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }
}
