package dev.sessions.local.template;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the DynamoDB tables; locally a global table is its one regional replica. */
final class TableReader {

    private final TemplateEvaluator template;

    TableReader(TemplateEvaluator template) {
        this.template = template;
    }

    /** The tables, by logical id, in template order. */
    Map<String, Table> tables() {
        Map<String, Table> tables = new LinkedHashMap<>();
        List<String> order = template.allIds();
        List<String> ids = template.idsOfType(TemplateEvaluator.TABLE, TemplateEvaluator.GLOBAL_TABLE).stream()
                .sorted(Comparator.comparingInt(order::indexOf)).toList();
        for (String id : ids) {
            Map<String, Object> props = template.properties(id);
            tables.put(id, new Table(id, template.physicalName(id, props.get("TableName")), props));
        }
        return tables;
    }
}
