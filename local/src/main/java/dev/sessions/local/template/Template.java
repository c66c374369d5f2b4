package dev.sessions.local.template;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A SAM template read for local use: its functions, HttpApi routes, DynamoDB tables and stream
 * mappings, with parameters (defaults and overrides), conditions, SAM Globals and the intrinsic
 * functions of {@link Intrinsics} resolved. Only what local use reads is evaluated, so a construct
 * this runtime does not support fails only where it matters, with a message naming it.
 */
public final class Template {

    /**
     * What CloudFormation would supply at deploy time.
     *
     * @param stackName prefixes physical names: {@code <stackName>-<LogicalId>}
     * @param region {@code AWS::Region}
     * @param accountId {@code AWS::AccountId}
     */
    public record Settings(String stackName, String region, String accountId) {
        public static Settings defaults() {
            String region = System.getenv("AWS_REGION");
            return new Settings("sessions-local", region == null || region.isBlank() ? "us-east-1" : region,
                    "123456789012");
        }
    }

    private static final String FUNCTION = "AWS::Serverless::Function";
    private static final String HTTP_API = "AWS::Serverless::HttpApi";
    private static final String TABLE = "AWS::DynamoDB::Table";
    private static final String GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable";
    private static final Set<String> PSEUDO = Set.of("AWS::Region", "AWS::AccountId", "AWS::StackName",
            "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs");

    private final Path file;
    private final Settings settings;
    private final Map<String, Object> parameters;
    private final Map<String, Object> conditionDefinitions;
    private final Map<String, Boolean> conditionValues = new LinkedHashMap<>();
    private final Map<String, Object> mappings;
    private final Map<String, Map<String, Object>> resources;
    private final Map<String, Object> globals;
    private final Intrinsics intrinsics;

    private Template(Path file, Map<String, Object> document, Map<String, String> overrides, Settings settings) {
        this.file = file;
        this.settings = settings;
        this.parameters = resolveParameters(section(document, "Parameters"), overrides);
        this.conditionDefinitions = section(document, "Conditions");
        this.mappings = section(document, "Mappings");
        this.globals = section(document, "Globals");
        this.intrinsics = new Intrinsics(new TemplateScope());
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        section(document, "Resources").forEach((id, body) -> {
            if (!(body instanceof Map<?, ?> map) || !(map.get("Type") instanceof String)) {
                throw new TemplateException("Resources." + id + " has no Type");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> resource = (Map<String, Object>) map;
            all.put(id, resource);
        });
        if (all.isEmpty()) {
            throw new TemplateException(file + " has no Resources");
        }
        this.resources = all;
    }

    /**
     * Reads a template.
     *
     * @param overrides parameter values that replace the defaults, as {@code sam --parameter-overrides}
     * @throws TemplateException when the file is missing, is not YAML, or an override is invalid
     */
    public static Template load(Path file, Map<String, String> overrides, Settings settings) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TemplateException("template not found: " + file);
        } catch (IOException e) {
            throw new TemplateException("cannot read template " + file + ": " + e.getMessage());
        }
        return new Template(file, CfnYaml.load(yaml), overrides, settings);
    }

    public Path file() {
        return file;
    }

    /** The directory the template sits in: CodeUri and build folders are relative to it. */
    public Path directory() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    public Settings settings() {
        return settings;
    }

    /** Logical ids of every resource whose Condition holds, in template order. */
    public List<String> resourceIds() {
        return resources.keySet().stream().filter(this::exists).toList();
    }

    /** Logical ids of the resources of {@code type} whose Condition holds, in template order. */
    public List<String> resourceIdsOfType(String type) {
        return idsOfType(type);
    }

    /** A resource's Properties, evaluated (for template tests and tools; the runtime reads its own). */
    public Map<String, Object> resourceProperties(String logicalId) {
        Map<String, Object> resource = resources.get(logicalId);
        if (resource == null) {
            throw new TemplateException("no resource " + logicalId + " in " + file);
        }
        return map(intrinsics.evaluate(resource.get("Properties"), "Resources." + logicalId + ".Properties"));
    }

    /** The functions, by logical id, in template order. */
    public Map<String, LambdaFunction> functions() {
        Map<String, LambdaFunction> functions = new LinkedHashMap<>();
        for (String id : idsOfType(FUNCTION)) {
            functions.put(id, function(id));
        }
        return functions;
    }

    /** One function. @throws TemplateException if no function has that logical id */
    public LambdaFunction function(String logicalId) {
        Map<String, Object> resource = resources.get(logicalId);
        if (resource == null || !FUNCTION.equals(resource.get("Type")) || !exists(logicalId)) {
            throw new TemplateException("no function " + logicalId + " in " + file + "; functions: "
                    + String.join(", ", idsOfType(FUNCTION)));
        }
        String at = "Resources." + logicalId + ".Properties";
        Map<String, Object> props = functionProperties(logicalId);
        if ("Image".equals(props.get("PackageType"))) {
            throw new TemplateException(at + ".PackageType Image is not supported by the local runtime");
        }
        String handler = string(props, "Handler", at, null);
        String runtime = string(props, "Runtime", at, null);
        if (handler == null || runtime == null) {
            throw new TemplateException(at + " needs Handler and Runtime");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        Object env = props.get("Environment");
        if (env instanceof Map<?, ?> envMap && envMap.get("Variables") instanceof Map<?, ?> variables) {
            variables.forEach((k, v) -> environment.put(String.valueOf(k),
                    Intrinsics.text(v, at + ".Environment.Variables." + k)));
        }
        Map<String, Object> logging = map(props.get("LoggingConfig"));
        Object reserved = props.get("ReservedConcurrentExecutions");
        return new LambdaFunction(logicalId, physicalName(logicalId, props.get("FunctionName")), handler, runtime,
                integer(props, "MemorySize", at, 128), integer(props, "Timeout", at, 3), environment,
                string(logging, "LogFormat", at + ".LoggingConfig", "Text"),
                string(logging, "ApplicationLogLevel", at + ".LoggingConfig", null),
                string(logging, "SystemLogLevel", at + ".LoggingConfig", null),
                reserved == null ? null : integer(props, "ReservedConcurrentExecutions", at, 0));
    }

    /** Every HttpApi route, in template order. */
    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (String id : idsOfType(FUNCTION)) {
            for (Map.Entry<String, Map<String, Object>> event : events(id, "HttpApi").entrySet()) {
                String at = "Resources." + id + ".Properties.Events." + event.getKey() + ".Properties";
                Map<String, Object> props = event.getValue();
                String apiId = apiReference(rawEventProperty(id, event.getKey(), "ApiId"), at);
                String path = string(props, "Path", at, null);
                String method = string(props, "Method", at, null);
                if (path != null && method == null) {
                    method = "ANY";
                }
                String authorizer = string(map(props.get("Auth")), "Authorizer", at + ".Auth", null);
                if (authorizer == null) {
                    authorizer = defaultAuthorizer(apiId);
                }
                routes.add(new Route(id, apiId, method == null ? null : method.toUpperCase(java.util.Locale.ROOT),
                        path, string(props, "PayloadFormatVersion", at, "2.0"), "AWS_IAM".equals(authorizer),
                        integer(props, "TimeoutInMillis", at, 30_000)));
            }
        }
        return routes;
    }

    /**
     * The evaluated CorsConfiguration of an HttpApi (Globals.HttpApi merged in), or an empty map
     * when it has none.
     */
    public Map<String, Object> cors(String apiId) {
        Map<String, Object> api = resources.get(apiId);
        if (api == null || !HTTP_API.equals(api.get("Type"))) {
            return Map.of();
        }
        Map<String, Object> props = map(intrinsics.evaluate(mergeGlobals("HttpApi", map(api.get("Properties"))),
                "Resources." + apiId + ".Properties"));
        return map(props.get("CorsConfiguration"));
    }

    /** The DynamoDB tables, by logical id. */
    public Map<String, Table> tables() {
        Map<String, Table> tables = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>(idsOfType(TABLE));
        ids.addAll(idsOfType(GLOBAL_TABLE)); // locally a global table is its one regional replica
        ids.sort(java.util.Comparator.comparingInt(List.copyOf(resources.keySet())::indexOf));
        for (String id : ids) {
            Map<String, Object> props = map(intrinsics.evaluate(resources.get(id).get("Properties"),
                    "Resources." + id + ".Properties"));
            tables.put(id, new Table(id, physicalName(id, props.get("TableName")), props));
        }
        return tables;
    }

    /** Every DynamoDB stream event of every function. */
    public List<StreamMapping> streamMappings() {
        List<StreamMapping> mappingList = new ArrayList<>();
        for (String id : idsOfType(FUNCTION)) {
            for (Map.Entry<String, Map<String, Object>> event : events(id, "DynamoDB").entrySet()) {
                mappingList.add(streamMapping(id, event.getKey(), event.getValue()));
            }
        }
        return mappingList;
    }

    private StreamMapping streamMapping(String functionId, String eventName, Map<String, Object> props) {
        String at = "Resources." + functionId + ".Properties.Events." + eventName + ".Properties";
        String tableId = streamTable(chosenBranch(rawEventProperty(functionId, eventName, "Stream"), at + ".Stream"),
                at + ".Stream");
        String start = string(props, "StartingPosition", at, null);
        if (!"TRIM_HORIZON".equals(start) && !"LATEST".equals(start)) {
            throw new TemplateException(at + ".StartingPosition must be TRIM_HORIZON or LATEST (AT_TIMESTAMP is"
                    + " not supported by the local runtime)");
        }
        if (integer(props, "TumblingWindowInSeconds", at, 0) > 0) {
            throw new TemplateException(at + ".TumblingWindowInSeconds is not supported by the local runtime");
        }
        if (integer(props, "ParallelizationFactor", at, 1) > 1) {
            throw new TemplateException(at + ".ParallelizationFactor above 1 is not supported by the local runtime");
        }
        List<String> patterns = new ArrayList<>();
        Object filters = map(props.get("FilterCriteria")).get("Filters");
        if (filters instanceof List<?> list) {
            for (Object filter : list) {
                patterns.add(Intrinsics.text(map(filter).get("Pattern"), at + ".FilterCriteria.Filters.Pattern"));
            }
        }
        boolean report = props.get("FunctionResponseTypes") instanceof List<?> types
                && types.contains("ReportBatchItemFailures");
        Object onFailure = map(map(props.get("DestinationConfig")).get("OnFailure")).get("Destination");
        return new StreamMapping(functionId, eventName, tableId, start,
                integer(props, "BatchSize", at, 100), integer(props, "MaximumBatchingWindowInSeconds", at, 0),
                integer(props, "MaximumRetryAttempts", at, -1), integer(props, "MaximumRecordAgeInSeconds", at, -1),
                bool(props, "BisectBatchOnFunctionError", at, false), report, patterns,
                onFailure == null ? null : Intrinsics.text(onFailure, at + ".DestinationConfig"),
                bool(props, "Enabled", at, true));
    }

    /** The branch an {@code Fn::If} takes, followed through nested ones; other nodes as they are. */
    private Object chosenBranch(Object node, String at) {
        while (node instanceof Map<?, ?> map && map.size() == 1 && map.get("Fn::If") instanceof List<?> args
                && args.size() == 3) {
            node = condition(String.valueOf(args.get(0)), at) ? args.get(1) : args.get(2);
        }
        return node;
    }

    /** The logical id behind {@code !GetAtt Table.StreamArn}. */
    private String streamTable(Object stream, String at) {
        if (stream instanceof Map<?, ?> map && map.get("Fn::GetAtt") instanceof List<?> parts && parts.size() == 2
                && "StreamArn".equals(parts.get(1)) && resources.containsKey(String.valueOf(parts.get(0)))
                && isTable(resources.get(String.valueOf(parts.get(0))).get("Type"))) {
            return String.valueOf(parts.get(0));
        }
        throw new TemplateException(at + " must be !GetAtt <Table>.StreamArn of a table in this template to run"
                + " locally");
    }

    private Object rawEventProperty(String functionId, String eventName, String key) {
        Map<String, Object> events = map(map(resources.get(functionId).get("Properties")).get("Events"));
        return map(map(events.get(eventName)).get("Properties")).get(key);
    }

    /** Evaluated Properties of each event of {@code type}, by event name. */
    private Map<String, Map<String, Object>> events(String functionId, String type) {
        Map<String, Map<String, Object>> selected = new LinkedHashMap<>();
        Map<String, Object> events = map(map(resources.get(functionId).get("Properties")).get("Events"));
        for (Map.Entry<String, Object> event : events.entrySet()) {
            Map<String, Object> body = map(event.getValue());
            Object eventType = body.get("Type");
            if (!Set.of("HttpApi", "DynamoDB").contains(String.valueOf(eventType))) {
                throw new TemplateException("Resources." + functionId + ".Properties.Events." + event.getKey()
                        + ": event type " + eventType + " is not supported by the local runtime (HttpApi and"
                        + " DynamoDB are)");
            }
            if (type.equals(eventType)) {
                String at = "Resources." + functionId + ".Properties.Events." + event.getKey() + ".Properties";
                Map<String, Object> props = new LinkedHashMap<>(map(body.get("Properties")));
                // Resolved from their raw forms: they name resources, not values.
                props.remove("Stream");
                props.remove("ApiId");
                selected.put(event.getKey(), map(intrinsics.evaluate(props, at)));
            }
        }
        return selected;
    }

    private String apiReference(Object apiId, String at) {
        if (apiId == null) {
            return "ServerlessHttpApi";
        }
        if (apiId instanceof Map<?, ?> map && map.get("Ref") instanceof String ref && resources.containsKey(ref)) {
            return ref;
        }
        throw new TemplateException(at + ".ApiId must be !Ref to an HttpApi of this template");
    }

    private String defaultAuthorizer(String apiId) {
        Map<String, Object> api = resources.get(apiId);
        Map<String, Object> props = api == null ? Map.of() : map(intrinsics.evaluate(mergeGlobals("HttpApi",
                map(api.get("Properties"))), "Resources." + apiId + ".Properties"));
        return string(map(props.get("Auth")), "DefaultAuthorizer", "Resources." + apiId + ".Properties.Auth", null);
    }

    /** The function's Properties with Globals.Function merged in, evaluated. */
    private Map<String, Object> functionProperties(String logicalId) {
        Map<String, Object> own = new LinkedHashMap<>(map(resources.get(logicalId).get("Properties")));
        own.remove("Events"); // evaluated per event, where an unsupported one is named
        return map(intrinsics.evaluate(mergeGlobals("Function", own), "Resources." + logicalId + ".Properties"));
    }

    /** SAM's Globals rule: the resource's own scalars win, maps merge, lists are appended to. */
    private Map<String, Object> mergeGlobals(String section, Map<String, Object> own) {
        return merge(map(globals.get(section)), own);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> own) {
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

    private List<String> idsOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if (type.equals(resource.get("Type")) && exists(id)) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static boolean isTable(Object type) {
        return TABLE.equals(type) || GLOBAL_TABLE.equals(type);
    }

    private boolean exists(String logicalId) {
        Object condition = resources.get(logicalId).get("Condition");
        return condition == null || condition(String.valueOf(condition), "Resources." + logicalId + ".Condition");
    }

    private boolean condition(String name, String at) {
        Boolean known = conditionValues.get(name);
        if (known != null) {
            return known;
        }
        if (!conditionDefinitions.containsKey(name)) {
            throw new TemplateException(at + ": no condition named " + name);
        }
        conditionValues.put(name, false); // a placeholder that stops a cycle from recursing forever
        Object value = intrinsics.evaluate(conditionDefinitions.get(name), "Conditions." + name);
        if (!(value instanceof Boolean b)) {
            throw new TemplateException("Conditions." + name + " does not evaluate to true or false");
        }
        conditionValues.put(name, b);
        return b;
    }

    private String physicalName(String logicalId, Object explicitName) {
        return explicitName instanceof String name ? name : settings.stackName() + "-" + logicalId;
    }

    private String arn(String service, String resource) {
        return "arn:aws:" + service + ":" + settings.region() + ":" + settings.accountId() + ":" + resource;
    }

    /** Resolves names for {@link Intrinsics}. */
    private final class TemplateScope implements Intrinsics.Scope {

        @Override
        public Object ref(String name, String where) {
            if (parameters.containsKey(name)) {
                Object value = parameters.get(name);
                if (value == null) {
                    throw new TemplateException(where + ": parameter " + name + " has no Default; pass it with"
                            + " --parameter-overrides " + name + "=<value>");
                }
                return value;
            }
            if (PSEUDO.contains(name)) {
                return switch (name) {
                    case "AWS::Region" -> settings.region();
                    case "AWS::AccountId" -> settings.accountId();
                    case "AWS::StackName" -> settings.stackName();
                    case "AWS::StackId" -> arn("cloudformation", "stack/" + settings.stackName() + "/local");
                    case "AWS::Partition" -> "aws";
                    case "AWS::URLSuffix" -> "amazonaws.com";
                    case "AWS::NotificationARNs" -> List.of();
                    default -> Intrinsics.NO_VALUE;
                };
            }
            int dot = name.indexOf('.');
            if (dot > 0 && name.endsWith(".Alias") && isType(name.substring(0, dot), FUNCTION)) {
                return arn("lambda", "function:" + function(name.substring(0, dot)).name() + ":live");
            }
            Map<String, Object> resource = resources.get(name);
            if (resource == null) {
                throw new TemplateException(where + ": Ref to " + name + ", which is neither a parameter nor a"
                        + " resource of the template");
            }
            Map<String, Object> rawProps = map(resource.get("Properties"));
            return switch (String.valueOf(resource.get("Type"))) {
                case TABLE, GLOBAL_TABLE -> physicalName(name, plain(rawProps.get("TableName")));
                case FUNCTION -> physicalName(name, plain(rawProps.get("FunctionName")));
                case HTTP_API -> "local";
                case "AWS::SQS::Queue" -> "http://localhost/" + settings.accountId() + "/"
                        + physicalName(name, plain(rawProps.get("QueueName")));
                case "AWS::SNS::Topic" -> arn("sns", physicalName(name, plain(rawProps.get("TopicName"))));
                case "AWS::Logs::LogGroup" -> physicalName(name, null);
                default -> physicalName(name, null);
            };
        }

        @Override
        public Object getAtt(String resourceId, String attribute, String where) {
            Map<String, Object> resource = resources.get(resourceId);
            if (resource == null) {
                throw new TemplateException(where + ": Fn::GetAtt of " + resourceId + ", which is not a resource of"
                        + " the template");
            }
            String type = String.valueOf(resource.get("Type"));
            String name = String.valueOf(ref(resourceId, where));
            return switch ((isTable(type) ? TABLE : type) + "." + attribute) {
                case TABLE + ".Arn" -> arn("dynamodb", "table/" + name);
                case TABLE + ".StreamArn" -> arn("dynamodb", "table/" + name + "/stream/local");
                case FUNCTION + ".Arn" -> arn("lambda", "function:" + name);
                case "AWS::SQS::Queue.Arn" -> arn("sqs", name.substring(name.lastIndexOf('/') + 1));
                case "AWS::SQS::Queue.QueueName" -> name.substring(name.lastIndexOf('/') + 1);
                case "AWS::SQS::Queue.QueueUrl" -> name;
                case "AWS::Logs::LogGroup.Arn" -> arn("logs", "log-group:" + name + ":*");
                // locally the replica is the run's own redis-server; its URL comes in with --env-vars
                case "AWS::ElastiCache::ServerlessCache.Endpoint.Address" -> "127.0.0.1";
                case "AWS::ElastiCache::ServerlessCache.Endpoint.Port" -> "6379";
                default -> {
                    if (attribute.equals("Arn")) {
                        yield arn("local", resourceId);
                    }
                    throw new TemplateException(where + ": Fn::GetAtt " + resourceId + "." + attribute + " ("
                            + type + ") is not supported by the local runtime");
                }
            };
        }

        @Override
        public boolean condition(String name, String where) {
            return Template.this.condition(name, where);
        }

        @Override
        public Object findInMap(String mapName, String top, String second, String where) {
            Object value = map(map(mappings.get(mapName)).get(top)).get(second);
            if (value == null) {
                throw new TemplateException(where + ": Mappings." + mapName + "." + top + "." + second
                        + " does not exist");
            }
            return value;
        }

        private boolean isType(String id, String type) {
            Map<String, Object> resource = resources.get(id);
            return resource != null && type.equals(resource.get("Type"));
        }

        private Object plain(Object value) {
            return value instanceof String ? value : null;
        }
    }

    // ---------------------------------------------------------------- parameters and typed reads

    private static Map<String, Object> resolveParameters(Map<String, Object> declared, Map<String, String> overrides) {
        for (String name : overrides.keySet()) {
            if (!declared.containsKey(name)) {
                throw new TemplateException("parameter override " + name + " names no parameter of the template");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        declared.forEach((name, body) -> {
            Map<String, Object> spec = map(body);
            String type = String.valueOf(spec.getOrDefault("Type", "String"));
            Object raw = overrides.containsKey(name) ? overrides.get(name) : spec.get("Default");
            if (raw == null) {
                values.put(name, null);
                return;
            }
            String text = String.valueOf(raw);
            if (spec.get("AllowedValues") instanceof List<?> allowed
                    && allowed.stream().map(String::valueOf).noneMatch(text::equals)) {
                throw new TemplateException("parameter " + name + "=" + text + " is not one of its AllowedValues "
                        + allowed);
            }
            values.put(name, switch (type) {
                case "Number" -> {
                    try {
                        yield new java.math.BigDecimal(text).toString();
                    } catch (NumberFormatException e) {
                        throw new TemplateException("parameter " + name + "=" + text + " is not a Number");
                    }
                }
                case "CommaDelimitedList", "List<Number>" -> text.isEmpty() ? List.of() : List.of(text.split("\\s*,\\s*"));
                default -> text;
            });
        });
        return Collections.unmodifiableMap(values);
    }

    private static Map<String, Object> section(Map<String, Object> document, String name) {
        Object value = document.get(name);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new TemplateException(name + " must be a mapping");
        }
        return map(value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> typed = new LinkedHashMap<>();
            ((Map<Object, Object>) map).forEach((k, v) -> typed.put(String.valueOf(k), v));
            return typed;
        }
        return Map.of();
    }

    private static String string(Map<String, Object> props, String key, String at, String fallback) {
        Object value = props.get(key);
        return value == null ? fallback : Intrinsics.text(value, at + "." + key);
    }

    private static int integer(Map<String, Object> props, String key, String at, int fallback) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return new java.math.BigDecimal(Intrinsics.text(value, at + "." + key)).intValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new TemplateException(at + "." + key + " must be a whole number, found " + value);
        }
    }

    private static boolean bool(Map<String, Object> props, String key, String at, boolean fallback) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        String text = Intrinsics.text(value, at + "." + key);
        if (!text.equals("true") && !text.equals("false")) {
            throw new TemplateException(at + "." + key + " must be true or false, found " + value);
        }
        return Boolean.parseBoolean(text);
    }
}
