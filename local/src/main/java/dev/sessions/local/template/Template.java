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
     */
    public record Settings(String stackName, String region, String accountId, Map<String, String> deployedNames) {

        public Settings {
            deployedNames = Map.copyOf(deployedNames);
        }

        public Settings(String stackName, String region, String accountId) {
            this(stackName, region, accountId, Map.of());
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
     * Evaluates a fragment of this template (an intrinsic function, a condition's use) with its
     * parameters, conditions and local names: for readers outside this package, such as the roles'.
     */
    public Object evaluate(Object node, String where) {
        return evaluator.evaluate(node, where);
    }
}
