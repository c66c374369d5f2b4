package dev.sessions.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the DynamoDB stream events of the functions as event source mappings, refusing what runs differently locally. */
final class StreamMappingReader {

    private final TemplateEvaluator template;

    StreamMappingReader(TemplateEvaluator template) {
        this.template = template;
    }

    /** Every DynamoDB stream event of every function. */
    List<StreamMapping> streamMappings() {
        List<StreamMapping> mappings = new ArrayList<>();
        for (String id : template.idsOfType(TemplateEvaluator.FUNCTION)) {
            for (Map.Entry<String, Map<String, Object>> event : template.events(id, "DynamoDB").entrySet()) {
                mappings.add(streamMapping(id, event.getKey(), event.getValue()));
            }
        }
        return mappings;
    }

    private StreamMapping streamMapping(String functionId, String eventName, Map<String, Object> props) {
        String at = "Resources." + functionId + ".Properties.Events." + eventName + ".Properties";
        String tableId = streamTable(template.chosenBranch(template.rawEventProperty(functionId, eventName, "Stream"),
                at + ".Stream"), at + ".Stream");
        String start = Props.string(props, "StartingPosition", at, null);
        if (!"TRIM_HORIZON".equals(start) && !"LATEST".equals(start)) {
            throw new TemplateException(at + ".StartingPosition must be TRIM_HORIZON or LATEST (AT_TIMESTAMP is"
                    + " not supported by the local runtime)");
        }
        if (Props.integer(props, "TumblingWindowInSeconds", at, 0) > 0) {
            throw new TemplateException(at + ".TumblingWindowInSeconds is not supported by the local runtime");
        }
        if (Props.integer(props, "ParallelizationFactor", at, 1) > 1) {
            throw new TemplateException(at + ".ParallelizationFactor above 1 is not supported by the local runtime");
        }
        List<String> patterns = new ArrayList<>();
        Object filters = Props.map(props.get("FilterCriteria")).get("Filters");
        if (filters instanceof List<?> list) {
            for (Object filter : list) {
                patterns.add(Intrinsics.text(Props.map(filter).get("Pattern"), at + ".FilterCriteria.Filters.Pattern"));
            }
        }
        boolean report = props.get("FunctionResponseTypes") instanceof List<?> types
                && types.contains("ReportBatchItemFailures");
        Object onFailure = Props.map(Props.map(props.get("DestinationConfig")).get("OnFailure")).get("Destination");
        return new StreamMapping(functionId, eventName, tableId, start,
                Props.integer(props, "BatchSize", at, 100), Props.integer(props, "MaximumBatchingWindowInSeconds", at, 0),
                Props.integer(props, "MaximumRetryAttempts", at, -1),
                Props.integer(props, "MaximumRecordAgeInSeconds", at, -1),
                Props.bool(props, "BisectBatchOnFunctionError", at, false), report, patterns,
                onFailure == null ? null : Intrinsics.text(onFailure, at + ".DestinationConfig"),
                Props.bool(props, "Enabled", at, true));
    }

    /** The logical id behind {@code !GetAtt Table.StreamArn}. */
    private String streamTable(Object stream, String at) {
        if (stream instanceof Map<?, ?> map && map.get("Fn::GetAtt") instanceof List<?> parts && parts.size() == 2
                && "StreamArn".equals(parts.get(1))
                && template.isType(String.valueOf(parts.get(0)), TemplateEvaluator.TABLE, TemplateEvaluator.GLOBAL_TABLE)) {
            return String.valueOf(parts.get(0));
        }
        throw new TemplateException(at + " must be !GetAtt <Table>.StreamArn of a table in this template to run"
                + " locally");
    }
}
