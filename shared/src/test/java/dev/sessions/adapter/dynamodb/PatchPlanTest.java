package dev.sessions.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A merge patch as the parts of one UpdateItem. */
class PatchPlanTest {

    private static PatchPlan plan(String patch) {
        return PatchPlan.of(Json.parseObject(patch, 16));
    }

    @Test
    void givenValuesAndNulls_whenPlanned_thenASetPerValueAndARemovePerNull() {
        PatchPlan plan = plan("{\"a\":1,\"b\":null}");

        assertEquals(List.of("#data.#k0 = :v0"), plan.sets());
        assertEquals(List.of("#data.#k1"), plan.removes());
        assertEquals(Map.of("#data", "data", "#k0", "a", "#k1", "b"), plan.names());
        assertEquals(AttributeValue.fromN("1"), plan.values().get(":v0"));
        assertTrue(plan.conditions().isEmpty());
    }

    @Test
    void givenNestedObject_whenPlanned_thenItMergesOnlyIntoAnObject() {
        PatchPlan plan = plan("{\"prefs\":{\"tz\":\"UTC\"}}");

        assertEquals(List.of("attribute_type(#data.#k0, :typeM)"), plan.conditions());
        assertEquals(List.of("#data.#k0.#k1 = :v1"), plan.sets());
    }

    @Test
    void givenEmptyObject_whenPlanned_thenAnObjectIsKeptAndAnythingElseBecomesOne() {
        PatchPlan plan = plan("{\"e\":{}}");

        assertEquals(List.of("#data.#k0 = if_not_exists(#data.#k0, :emptyM)"), plan.sets());
        assertEquals(List.of("(attribute_not_exists(#data.#k0) OR attribute_type(#data.#k0, :typeM))"), plan.conditions());
    }

    @Test
    void givenKeysOfAnyText_whenPlanned_thenTheyAreNamesNotExpressionText() {
        PatchPlan plan = plan("{\"a.b, c = :x\":1}");

        assertEquals("a.b, c = :x", plan.names().get("#k0"));
        assertTrue(plan.sets().getFirst().startsWith("#data.#k0"));
    }

    @Test
    void givenValues_whenPlanned_thenTheBoundCoversWhatTheyCanAddToTheCompactJson() {
        // ,"key":value for each: 6 + 1 for a, 6 + 5 for "xyz" with its quotes
        assertEquals(",\"a\":1".length(), plan("{\"a\":1}").boundBytes());
        assertEquals(",\"b\":\"xyz\"".length(), plan("{\"b\":\"xyz\"}").boundBytes());
        assertEquals(0, plan("{}").boundBytes());
        assertTrue(plan("{\"k\":\"" + "x".repeat(100) + "\"}").expressionLength() < 4000);
    }
}
