package dev.sessions.local.template;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A SAM template read for local use: its functions, HttpApi routes, DynamoDB tables, queues and
 * stream mappings, with parameters (defaults and overrides), conditions, SAM Globals and the
 * intrinsic functions resolved ({@link TemplateEvaluator}), each resource kind by its own reader.
 * Only what local use reads is evaluated, so a construct this runtime does not support fails only
 * where it matters, with a message naming it.
 */
public final class Template {

    /**
     * What CloudFormation would supply at deploy time.
     *
     * @param stackName prefixes physical names: {@code <stackName>-<LogicalId>}
     * @param region {@code AWS::Region}
     * @param accountId {@code AWS::AccountId}
     */
    /**
     * Where the template is taken to run.
     *
     * @param deployedNames the names a deploy gave the resources, by logical id (a table's, a
     *     function's, a queue's name), for running against a stack deployed elsewhere; otherwise
     *     a resource is named {@code <stackName>-<LogicalId>}
     * @param imports what {@code Fn::ImportValue} resolves, by export name (other stacks' exports)
     */
    public record Settings(String stackName, String region, String accountId, Map<String, String> deployedNames,
                           Map<String, String> imports) {

        public Settings {
            deployedNames = Map.copyOf(deployedNames);
            imports = Map.copyOf(imports);
        }

        public Settings(String stackName, String region, String accountId, Map<String, String> deployedNames) {
            this(stackName, region, accountId, deployedNames, Map.of());
        }

        public Settings(String stackName, String region, String accountId) {
            this(stackName, region, accountId, Map.of());
        }

        /**
         * The same, where {@code Fn::ImportValue} finds {@code exports} (another stack's
         * {@link Template#exports}), as CloudFormation finds the exports of the account's stacks.
         */
        public Settings importing(Map<String, String> exports) {
            return new Settings(stackName, region, accountId, deployedNames, exports);
        }

        public static Settings defaults() {
            String region = System.getenv("AWS_REGION");
            return new Settings("sessions-local", region == null || region.isBlank() ? "us-east-1" : region,
                    "123456789012");
        }
    }

    private final TemplateEvaluator evaluator;
    private final FunctionReader functions;
    private final RouteReader routes;
    private final TableReader tables;
    private final StreamMappingReader streamMappings;

    private Template(TemplateEvaluator evaluator) {
        this.evaluator = evaluator;
        this.functions = new FunctionReader(evaluator);
        this.routes = new RouteReader(evaluator);
        this.tables = new TableReader(evaluator);
        this.streamMappings = new StreamMappingReader(evaluator);
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
        return new Template(new TemplateEvaluator(file, CfnYaml.load(yaml), overrides, settings));
    }

    /**
     * The names of the parameters a template file declares: which of one set of overrides are its own
     * when one command line serves several stacks.
     */
    public static java.util.Set<String> declaredParameters(Path file) {
        try {
            Object parameters = Props.map(CfnYaml.load(Files.readString(file, StandardCharsets.UTF_8))).get("Parameters");
            return parameters == null ? java.util.Set.of() : java.util.Set.copyOf(Props.map(parameters).keySet());
        } catch (NoSuchFileException e) {
            throw new TemplateException("template not found: " + file);
        } catch (IOException e) {
            throw new TemplateException("cannot read template " + file + ": " + e.getMessage());
        }
    }

    public Path file() {
        return evaluator.file();
    }

    /** The directory the template sits in: CodeUri and build folders are relative to it. */
    public Path directory() {
        Path parent = file().toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    public Settings settings() {
        return evaluator.settings();
    }

    /** The parameter values this template was read with (overrides and defaults). */
    public Map<String, Object> parameters() {
        return evaluator.parameters();
    }

    /** Logical ids of every resource whose Condition holds, in template order. */
    public List<String> resourceIds() {
        return evaluator.allIds().stream().filter(evaluator::exists).toList();
    }

    /** Logical ids of the resources of {@code type} whose Condition holds, in template order. */
    public List<String> resourceIdsOfType(String type) {
        return evaluator.idsOfType(type);
    }

    /** A resource's Properties, evaluated (for template tests and tools; the runtime reads its own). */
    public Map<String, Object> resourceProperties(String logicalId) {
        if (evaluator.resource(logicalId) == null) {
            throw new TemplateException("no resource " + logicalId + " in " + file());
        }
        return evaluator.properties(logicalId);
    }

    /** The functions, by logical id, in template order. */
    public Map<String, LambdaFunction> functions() {
        return functions.functions();
    }

    /** One function. @throws TemplateException if no function has that logical id */
    public LambdaFunction function(String logicalId) {
        return functions.function(logicalId);
    }

    /** Every EventBridge rule that invokes a function ({@code Type: EventBridgeRule} events), in template order. */
    public List<RuleSubscription> ruleSubscriptions() {
        List<RuleSubscription> subscriptions = new java.util.ArrayList<>();
        for (String id : evaluator.idsOfType(TemplateEvaluator.FUNCTION)) {
            for (Map.Entry<String, Map<String, Object>> event : evaluator.events(id, "EventBridgeRule").entrySet()) {
                Map<String, Object> props = event.getValue();
                String at = "Resources." + id + ".Properties.Events." + event.getKey() + ".Properties";
                Object bus = props.get("EventBusName");
                Object pattern = props.get("Pattern");
                if (!(pattern instanceof Map<?, ?>)) {
                    throw new TemplateException(at + ".Pattern is required by the local runtime");
                }
                subscriptions.add(new RuleSubscription(id, event.getKey(), bus == null ? "default" : String.valueOf(bus),
                        dev.sessions.json.Json.write(pattern), Props.integer(Props.map(props.get("RetryPolicy")),
                        "MaximumRetryAttempts", at + ".RetryPolicy", 185)));
            }
        }
        return subscriptions;
    }

    /** Every HttpApi route, in template order. */
    public List<Route> routes() {
        return routes.routes();
    }

    /** The evaluated CorsConfiguration of an HttpApi (Globals.HttpApi merged in), or an empty map. */
    public Map<String, Object> cors(String apiId) {
        return routes.cors(apiId);
    }

    /** An HttpApi's DefaultRouteSettings throttle as {@code [rate per second, burst]}, if it has one. */
    public java.util.Optional<double[]> routeThrottle(String apiId) {
        return routes.routeThrottle(apiId);
    }

    /** The DynamoDB tables, by logical id. */
    public Map<String, Table> tables() {
        return tables.tables();
    }

    /** The SQS queues, by logical id. */
    public Map<String, Queue> queues() {
        Map<String, Queue> queues = new LinkedHashMap<>();
        for (String id : evaluator.idsOfType(TemplateEvaluator.QUEUE)) {
            String url = String.valueOf(evaluator.evaluate(Map.of("Ref", id), "Resources." + id));
            queues.put(id, new Queue(id, url.substring(url.lastIndexOf('/') + 1), url));
        }
        return queues;
    }

    /** Every DynamoDB stream event of every function. */
    public List<StreamMapping> streamMappings() {
        return streamMappings.streamMappings();
    }

    /**
     * The grants of the functions' resource policies the template makes: each
     * {@code AWS::Lambda::Permission}, and for each Lambda authorizer of an HttpApi's
     * {@code Auth.Authorizers} with {@code EnableFunctionDefaultPermissions}, the one SAM adds (API
     * Gateway may invoke it from that API's authorizers).
     */
    public List<InvokePermission> invokePermissions() {
        List<InvokePermission> grants = new java.util.ArrayList<>();
        for (String id : evaluator.idsOfType("AWS::Lambda::Permission")) {
            Map<String, Object> props = evaluator.properties(id);
            Object source = props.get("SourceArn");
            grants.add(new InvokePermission(functionArn(String.valueOf(props.get("FunctionName"))),
                    String.valueOf(props.get("Action")), String.valueOf(props.get("Principal")),
                    source == null ? null : String.valueOf(source)));
        }
        for (String api : evaluator.idsOfType(TemplateEvaluator.HTTP_API)) {
            Map<String, Object> authorizers = Props.map(Props.map(evaluator.propertiesWithGlobals(api, "HttpApi",
                    java.util.Set.of()).get("Auth")).get("Authorizers"));
            authorizers.forEach((name, value) -> {
                Map<String, Object> definition = Props.map(value);
                if (definition.get("FunctionArn") != null
                        && Boolean.parseBoolean(String.valueOf(definition.get("EnableFunctionDefaultPermissions")))) {
                    grants.add(new InvokePermission(functionArn(String.valueOf(definition.get("FunctionArn"))),
                            "lambda:InvokeFunction", "apigateway.amazonaws.com", evaluator.arn("execute-api",
                            apiId(api) + "/authorizers/*")));
                }
            });
        }
        return grants;
    }

    /**
     * A function's full ARN from what a template may name it by: its name, its name and
     * qualifier, a partial ARN ({@code <account>:function:<name>}) or a full one.
     */
    public String functionArn(String named) {
        if (named.startsWith("arn:")) {
            return named;
        }
        if (named.contains(":function:")) {
            return "arn:aws:lambda:" + settings().region() + ":" + named;
        }
        return evaluator.arn("lambda", "function:" + named);
    }

    /** A function's ARN, unqualified. */
    public String functionArnOf(String logicalId) {
        return evaluator.arn("lambda", "function:" + function(logicalId).name());
    }

    /**
     * An HttpApi's id, as {@code Ref} gives it: ten lower-case characters of the stack and the
     * logical id, as API Gateway's ids look, so that two stacks' APIs (and their execute-api ARNs) differ.
     */
    /**
     * A nested application ({@code AWS::Serverless::Application} with a local {@code Location}), read
     * as CloudFormation creates it: its template with the parameters this one passes it.
     *
     * @throws TemplateException when there is no such application, its Location is not a local file,
     *     or a parameter it needs is not passed
     */
    public Template application(String logicalId) {
        return evaluator.application(logicalId);
    }

    /** The value of an output, evaluated. @throws TemplateException if there is none, or its Condition fails */
    public String output(String name) {
        Map<String, Object> definition = Props.map(evaluator.outputs().get(name));
        if (definition.isEmpty() || !evaluator.outputApplies(definition)) {
            throw new TemplateException(file() + " has no output " + name);
        }
        return String.valueOf(evaluator.evaluate(definition.get("Value"), "Outputs." + name + ".Value"));
    }

    public String apiId(String logicalId) {
        return String.valueOf(evaluator.evaluate(Map.of("Ref", logicalId), "Resources." + logicalId));
    }

    /**
     * The stack's exports: each output's {@code Export.Name} and its value, for another stack's
     * {@code Fn::ImportValue} ({@link Settings#imports}).
     */
    public Map<String, String> exports() {
        Map<String, String> exports = new LinkedHashMap<>();
        evaluator.outputs().forEach((name, output) -> {
            Map<String, Object> definition = Props.map(output);
            if (definition.get("Export") instanceof Map<?, ?> export && evaluator.outputApplies(definition)) {
                String at = "Outputs." + name;
                exports.put(String.valueOf(evaluator.evaluate(export.get("Name"), at + ".Export.Name")),
                        String.valueOf(evaluator.evaluate(definition.get("Value"), at + ".Value")));
            }
        });
        return exports;
    }

    /**
     * Evaluates a fragment of this template (an intrinsic function, a condition's use) with its
     * parameters, conditions and local names: for readers outside this package, such as the roles'.
     */
    public Object evaluate(Object node, String where) {
        return evaluator.evaluate(node, where);
    }
}
