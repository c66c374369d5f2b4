package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.DATA;

import dev.sessions.domain.SessionData;
import dev.sessions.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A JSON merge patch (RFC 7396) of a session's data as the parts of one UpdateItem, written by
 * document path: a SET per value, a REMOVE per null, the type checks that keep a nested merge
 * exact (a nested object merges only into an object), and the most bytes the patch can add to the
 * data's compact JSON, which the store checks against the size limit without reading the item.
 *
 * <p>Names and values are placeholders ({@code #k0}, {@code :v0}, ...), so keys of any text are
 * safe in the expression.
 *
 * @param sets {@code path = value} clauses
 * @param removes paths to remove
 * @param conditions type checks, to AND into the condition
 * @param names placeholder names, {@code #data} included when the patch is not empty
 * @param values placeholder values
 * @param boundBytes the most bytes the patch can add to the data's compact UTF-8 JSON
 */
record PatchPlan(List<String> sets, List<String> removes, List<String> conditions, Map<String, String> names,
                 Map<String, AttributeValue> values, int boundBytes) {

    PatchPlan {
        sets = List.copyOf(sets);
        removes = List.copyOf(removes);
        conditions = List.copyOf(conditions);
        names = Map.copyOf(names);
        values = Map.copyOf(values);
    }

    /** The plan of {@code document}, a merge patch of the whole data. */
    static PatchPlan of(Map<String, Object> document) {
        Planner planner = new Planner();
        int bound = planner.add("#data", document);
        if (!document.isEmpty()) {
            planner.names.put("#data", DATA);
        }
        return new PatchPlan(planner.sets, planner.removes, planner.conditions, planner.names, planner.values, bound);
    }

    /** An upper bound of the expressions' length: DynamoDB refuses expressions over 4 KB. */
    int expressionLength() {
        int length = 120;
        for (String s : sets) {
            length += s.length() + 2;
        }
        for (String r : removes) {
            length += r.length() + 2;
        }
        for (String c : conditions) {
            length += c.length() + 5;
        }
        return length;
    }

    private static final class Planner {
        final List<String> sets = new ArrayList<>();
        final List<String> removes = new ArrayList<>();
        final List<String> conditions = new ArrayList<>();
        final Map<String, String> names = new HashMap<>();
        final Map<String, AttributeValue> values = new HashMap<>();

        /** Plans {@code patch} under {@code parent}; returns the most bytes it can add. */
        int add(String parent, Map<String, Object> patch) {
            int bound = 0;
            for (Map.Entry<String, Object> entry : patch.entrySet()) {
                String alias = "#k" + names.size();
                names.put(alias, entry.getKey());
                String path = parent + "." + alias;
                Object value = entry.getValue();
                // ,"key":value is the most a key can add to the compact JSON of its object
                int fragment = Json.write(entry.getKey()).getBytes(StandardCharsets.UTF_8).length + 2;
                if (value == null) {
                    removes.add(path);
                } else if (value instanceof Map<?, ?> nested && !nested.isEmpty()) {
                    conditions.add("attribute_type(" + path + ", :typeM)");
                    values.put(":typeM", AttributeValue.fromS("M"));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> nestedPatch = (Map<String, Object>) nested;
                    bound += fragment + 2 + add(path, nestedPatch);
                } else if (value instanceof Map<?, ?>) {
                    // merging {} keeps an object as it is and turns anything else into {}
                    conditions.add("(attribute_not_exists(" + path + ") OR attribute_type(" + path + ", :typeM))");
                    values.put(":typeM", AttributeValue.fromS("M"));
                    values.put(":emptyM", AttributeValue.fromM(Map.of()));
                    sets.add(path + " = if_not_exists(" + path + ", :emptyM)");
                    bound += fragment + 2;
                } else {
                    String placeholder = ":v" + values.size();
                    values.put(placeholder, JsonAttributes.toAttribute(value));
                    sets.add(path + " = " + placeholder);
                    bound += fragment + SessionData.sizeOf(value);
                }
            }
            return bound;
        }
    }
}
