package dev.sessions.local.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Reads the template's functions: handler, runtime, memory, timeout, environment and logging, Globals merged in. */
final class FunctionReader {

    private final TemplateEvaluator template;

    FunctionReader(TemplateEvaluator template) {
        this.template = template;
    }

    /** The functions, by logical id, in template order. */
    Map<String, LambdaFunction> functions() {
        Map<String, LambdaFunction> functions = new LinkedHashMap<>();
        for (String id : template.idsOfType(TemplateEvaluator.FUNCTION)) {
            functions.put(id, function(id));
        }
        return functions;
    }

    /** One function. @throws TemplateException if no function has that logical id */
    LambdaFunction function(String logicalId) {
        if (!template.isType(logicalId, TemplateEvaluator.FUNCTION) || !template.exists(logicalId)) {
            throw new TemplateException("no function " + logicalId + " in " + template.file() + "; functions: "
                    + String.join(", ", template.idsOfType(TemplateEvaluator.FUNCTION)));
        }
        String at = "Resources." + logicalId + ".Properties";
        // events are read per event, where an unsupported one is named
        Map<String, Object> props = template.propertiesWithGlobals(logicalId, "Function", Set.of("Events"));
        if ("Image".equals(props.get("PackageType"))) {
            throw new TemplateException(at + ".PackageType Image is not supported by the local runtime");
        }
        String handler = Props.string(props, "Handler", at, null);
        String runtime = Props.string(props, "Runtime", at, null);
        if (handler == null || runtime == null) {
            throw new TemplateException(at + " needs Handler and Runtime");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        Object env = props.get("Environment");
        if (env instanceof Map<?, ?> envMap && envMap.get("Variables") instanceof Map<?, ?> variables) {
            variables.forEach((k, v) -> environment.put(String.valueOf(k),
                    Intrinsics.text(v, at + ".Environment.Variables." + k)));
        }
        Map<String, Object> logging = Props.map(props.get("LoggingConfig"));
        Object reserved = props.get("ReservedConcurrentExecutions");
        return new LambdaFunction(logicalId, template.physicalName(logicalId, props.get("FunctionName")), handler, runtime,
                Props.integer(props, "MemorySize", at, 128), Props.integer(props, "Timeout", at, 3), environment,
                Props.string(logging, "LogFormat", at + ".LoggingConfig", "Text"),
                Props.string(logging, "ApplicationLogLevel", at + ".LoggingConfig", null),
                Props.string(logging, "SystemLogLevel", at + ".LoggingConfig", null),
                reserved == null ? null : Props.integer(props, "ReservedConcurrentExecutions", at, 0),
                "PublishedVersions".equals(Props.string(Props.map(props.get("SnapStart")), "ApplyOn", at + ".SnapStart",
                        "None")),
                Props.string(props, "AutoPublishAlias", at, null));
    }
}
