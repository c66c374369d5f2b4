package dev.sessions.local.template;

import java.util.Map;

/**
 * An {@code AWS::DynamoDB::Table} of the template.
 *
 * @param logicalId its logical id
 * @param name its table name locally (TableName, else {@code <stack>-<logicalId>})
 * @param properties its evaluated Properties, as CloudFormation takes them
 */
public record Table(String logicalId, String name, Map<String, Object> properties) {
    public Table {
        properties = Map.copyOf(properties);
    }
}
