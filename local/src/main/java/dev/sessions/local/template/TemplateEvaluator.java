package dev.sessions.local.template;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A template's document with what evaluating it takes: parameter values, conditions (evaluated
 * once each, on first use), mappings, SAM Globals (merged as SAM merges them) and the intrinsic
 * functions, with {@link LocalNames} for the names and ARNs a deploy would create. The readers of
 * each resource kind ({@link FunctionReader}, {@link RouteReader}, {@link TableReader},
 * {@link StreamMappingReader}) read through it.
 */
final class TemplateEvaluator {

    static final String FUNCTION = "AWS::Serverless::Function";
    static final String HTTP_API = "AWS::Serverless::HttpApi";
    static final String TABLE = "AWS::DynamoDB::Table";
    static final String GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable";
    static final String QUEUE = "AWS::SQS::Queue";
    static final String APPLICATION = "AWS::Serverless::Application";

    private final Path file;
    private final Template.Settings settings;
    private final Map<String, Object> parameters;
    private final Map<String, Object> conditionDefinitions;
    private final Map<String, Boolean> conditionValues = new LinkedHashMap<>();
    private final Map<String, Object> mappings;
    private final Map<String, Object> globals;
    private final Map<String, Object> outputs;
    private final Map<String, Map<String, Object>> resources;
    private final Intrinsics intrinsics;
    private final Map<String, Template> applications = new LinkedHashMap<>();

    TemplateEvaluator(Path file, Map<String, Object> document, Map<String, String> overrides, Template.Settings settings) {
        this.file = file;
        this.settings = settings;
        this.parameters = Parameters.resolve(section(document, "Parameters"), overrides);
        this.conditionDefinitions = section(document, "Conditions");
        this.mappings = section(document, "Mappings");
        this.globals = section(document, "Globals");
        this.outputs = section(document, "Outputs");
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        section(document, "Resources").forEach((id, body) -> {
            if (!(body instanceof Map<?, ?> map) || !(map.get("Type") instanceof String)) {
                throw new TemplateException("Resources." + id + " has no Type");
            }
            all.put(id, Props.map(map));
        });
        if (all.isEmpty()) {
            throw new TemplateException(file + " has no Resources");
        }
        this.resources = all;
        this.intrinsics = new Intrinsics(new LocalNames(this));
        checkRules(section(document, "Rules"));
    }

    /**
     * The template's Rules, as CloudFormation checks them before it creates or changes anything:
     * each rule whose RuleCondition holds (or that has none) must have every Assertion true, else
     * the run is refused with the assertion's AssertDescription, as a deploy would be.
     */
    private void checkRules(Map<String, Object> rules) {
        rules.forEach((name, body) -> {
            Map<String, Object> rule = Props.map(body);
            String at = "Rules." + name;
            Object condition = rule.get("RuleCondition");
            if (condition != null && !Boolean.TRUE.equals(evaluate(condition, at + ".RuleCondition"))) {
                return;
            }
            Object assertions = rule.get("Assertions");
            if (!(assertions instanceof java.util.List<?> list)) {
                throw new TemplateException(at + " has no Assertions list");
            }
            for (int i = 0; i < list.size(); i++) {
                Map<String, Object> assertion = Props.map(list.get(i));
                Object holds = evaluate(assertion.get("Assert"), at + ".Assertions[" + i + "]");
                if (!Boolean.TRUE.equals(holds)) {
                    throw new TemplateException("the parameters break rule " + name + ": "
                            + String.valueOf(assertion.getOrDefault("AssertDescription", "(no description)")).trim());
                }
            }
        });
    }

    Path file() {
        return file;
    }

    Template.Settings settings() {
        return settings;
    }

    Map<String, Object> parameters() {
        return parameters;
    }

    Map<String, Object> mappings() {
        return mappings;
    }

    /** The template's Outputs, raw. */
    Map<String, Object> outputs() {
        return outputs;
    }

    /** Whether an output's Condition (if any) holds. */
    boolean outputApplies(Map<String, Object> output) {
        return !(output.get("Condition") instanceof String name) || condition(name, "Outputs");
    }

    /** The resource's raw body (Type, Properties, Condition), or {@code null}. */
    Map<String, Object> resource(String logicalId) {
        return resources.get(logicalId);
    }

    List<String> allIds() {
        return List.copyOf(resources.keySet());
    }

    Object evaluate(Object node, String where) {
        return intrinsics.evaluate(node, where);
    }

    /** A resource's Properties, evaluated. */
    Map<String, Object> properties(String logicalId) {
        return Props.map(evaluate(resources.get(logicalId).get("Properties"), "Resources." + logicalId + ".Properties"));
    }

    /** A resource's Properties with {@code Globals.<section>} merged in, evaluated. */
    Map<String, Object> propertiesWithGlobals(String logicalId, String section, Set<String> leaveOut) {
        Map<String, Object> own = new LinkedHashMap<>(Props.map(resources.get(logicalId).get("Properties")));
        leaveOut.forEach(own::remove);
        return Props.map(evaluate(merge(Props.map(globals.get(section)), own), "Resources." + logicalId + ".Properties"));
    }

    /** Logical ids of the resources of {@code type} whose Condition holds, in template order. */
    List<String> idsOfType(String... types) {
        List<String> ids = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if (List.of(types).contains(String.valueOf(resource.get("Type"))) && exists(id)) {
                ids.add(id);
            }
        });
        return ids;
    }

    boolean isType(String logicalId, String... types) {
        Map<String, Object> resource = resources.get(logicalId);
        return resource != null && List.of(types).contains(String.valueOf(resource.get("Type")));
    }

    /** Whether the resource's Condition (if any) holds. */
    boolean exists(String logicalId) {
        Object condition = resources.get(logicalId).get("Condition");
        return condition == null || condition(String.valueOf(condition), "Resources." + logicalId + ".Condition");
    }

    boolean condition(String name, String at) {
        Boolean known = conditionValues.get(name);
        if (known != null) {
            return known;
        }
        if (!conditionDefinitions.containsKey(name)) {
            throw new TemplateException(at + ": no condition named " + name);
        }
        conditionValues.put(name, false); // a placeholder that stops a cycle from recursing forever
        Object value = evaluate(conditionDefinitions.get(name), "Conditions." + name);
        if (!(value instanceof Boolean b)) {
            throw new TemplateException("Conditions." + name + " does not evaluate to true or false");
        }
        conditionValues.put(name, b);
        return b;
    }

    /** The branch an {@code Fn::If} takes, followed through nested ones; other nodes as they are. */
    Object chosenBranch(Object node, String at) {
        while (node instanceof Map<?, ?> map && map.size() == 1 && map.get("Fn::If") instanceof List<?> args
                && args.size() == 3) {
            node = condition(String.valueOf(args.get(0)), at) ? args.get(1) : args.get(2);
        }
        return node;
    }

    /** An event property of a function as written (a resource reference, not a value). */
    Object rawEventProperty(String functionId, String eventName, String key) {
        Map<String, Object> events = Props.map(Props.map(resources.get(functionId).get("Properties")).get("Events"));
        return Props.map(Props.map(events.get(eventName)).get("Properties")).get(key);
    }

    /** Evaluated Properties of each event of {@code type}, by event name; unsupported event types fail. */
    Map<String, Map<String, Object>> events(String functionId, String type) {
        Map<String, Map<String, Object>> selected = new LinkedHashMap<>();
        Map<String, Object> events = Props.map(Props.map(resources.get(functionId).get("Properties")).get("Events"));
        for (Map.Entry<String, Object> event : events.entrySet()) {
            Map<String, Object> body = Props.map(event.getValue());
            Object eventType = body.get("Type");
            if (!Set.of("HttpApi", "DynamoDB", "EventBridgeRule").contains(String.valueOf(eventType))) {
                throw new TemplateException("Resources." + functionId + ".Properties.Events." + event.getKey()
                        + ": event type " + eventType + " is not supported by the local runtime (HttpApi, DynamoDB"
                        + " and EventBridgeRule are)");
            }
            if (type.equals(eventType)) {
                String at = "Resources." + functionId + ".Properties.Events." + event.getKey() + ".Properties";
                Map<String, Object> props = new LinkedHashMap<>(Props.map(body.get("Properties")));
                // Resolved from their raw forms: they name resources, not values.
                props.remove("Stream");
                props.remove("ApiId");
                selected.put(event.getKey(), Props.map(evaluate(props, at)));
            }
        }
        return selected;
    }

    /**
     * A nested application read as CloudFormation creates it: the template at its local
     * {@code Location} (relative to this one), with the Parameters this template passes, evaluated,
     * as its parameter values, in a stack named {@code <stack>-<logicalId>} of the same account and
     * region. Read once.
     *
     * @throws TemplateException for a Location that is not a local file (a URL, a Serverless
     *     Application Repository app), a parameter value that is not a scalar or a list, or a
     *     parameter of the child that has no Default and is not passed (a deploy fails on it)
     */
    Template application(String logicalId) {
        Template known = applications.get(logicalId);
        if (known != null) {
            return known;
        }
        if (!isType(logicalId, APPLICATION)) {
            throw new TemplateException("no " + APPLICATION + " " + logicalId + " in " + file);
        }
        String at = "Resources." + logicalId + ".Properties";
        Map<String, Object> props = properties(logicalId);
        if (!(props.get("Location") instanceof String location) || location.contains("://")) {
            throw new TemplateException(at + ".Location: the local runtime reads a nested application from a local"
                    + " file only, found " + props.get("Location"));
        }
        Map<String, String> passed = new LinkedHashMap<>();
        Props.map(props.getOrDefault("Parameters", Map.of())).forEach((name, value) -> passed.put(name, switch (value) {
            case String text -> text;
            case List<?> list -> String.join(",", list.stream().map(String::valueOf).toList());
            case Map<?, ?> map -> throw new TemplateException(at + ".Parameters." + name + " is not a value: " + map);
            default -> String.valueOf(value);
        }));
        Path parent = file.toAbsolutePath().getParent();
        Path child = parent == null ? Path.of(location) : parent.resolve(location);
        Template.Settings childSettings = new Template.Settings(settings.stackName() + "-" + logicalId, settings.region(),
                settings.accountId(), Map.of(), settings.imports());
        Template template;
        try {
            template = Template.load(child, passed, childSettings);
        } catch (TemplateException e) {
            throw new TemplateException(at + ": " + location + ": " + e.getMessage());
        }
        template.parameters().forEach((name, value) -> {
            if (value == null) {
                throw new TemplateException(at + ".Parameters: " + location + " needs parameter " + name
                        + " (it has no Default), and it is not passed");
            }
        });
        applications.put(logicalId, template);
        return template;
    }

    /** {@code <stack>-<logicalId>} unless the template names the resource. */
    String physicalName(String logicalId, Object explicitName) {
        String deployed = settings.deployedNames().get(logicalId);
        if (deployed != null) {
            return deployed;
        }
        return explicitName instanceof String name ? name : settings.stackName() + "-" + logicalId;
    }

    String arn(String service, String resource) {
        return "arn:aws:" + service + ":" + settings.region() + ":" + settings.accountId() + ":" + resource;
    }

    /** SAM's Globals rule: the resource's own scalars win, maps merge, lists are appended to. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> own) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        own.forEach((key, value) -> {
            Object inherited = merged.get(key);
            if (inherited instanceof Map<?, ?> a && value instanceof Map<?, ?> b && !isIntrinsic(a) && !isIntrinsic(b)) {
                merged.put(key, merge((Map<String, Object>) a, (Map<String, Object>) b));
            } else if (inherited instanceof List<?> a && value instanceof List<?> b) {
                List<Object> joined = new ArrayList<>(a);
                joined.addAll(b);
                merged.put(key, joined);
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    private static boolean isIntrinsic(Map<?, ?> map) {
        return map.size() == 1 && map.keySet().iterator().next() instanceof String key
                && (key.equals("Ref") || key.startsWith("Fn::"));
    }

    private static Map<String, Object> section(Map<String, Object> document, String name) {
        Object value = document.get(name);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new TemplateException(name + " must be a mapping");
        }
        return Props.map(value);
    }
}
