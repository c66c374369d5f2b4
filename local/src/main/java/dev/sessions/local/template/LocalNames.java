package dev.sessions.local.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code Ref} and {@code Fn::GetAtt} resolve to locally: parameter values, pseudo parameters,
 * and for resources the names and ARNs a deploy would give them ({@code <stack>-<LogicalId>},
 * {@code arn:aws:<service>:<region>:<account>:...}), so that the functions' environments and
 * policies read as they would on AWS.
 */
final class LocalNames implements Intrinsics.Scope {

    private static final Set<String> PSEUDO = Set.of("AWS::Region", "AWS::AccountId", "AWS::StackName",
            "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs");

    private final TemplateEvaluator template;

    LocalNames(TemplateEvaluator template) {
        this.template = template;
    }

    @Override
    public Object ref(String name, String where) {
        Template.Settings settings = template.settings();
        if (template.parameters().containsKey(name)) {
            Object value = template.parameters().get(name);
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
                case "AWS::StackId" -> template.arn("cloudformation", "stack/" + settings.stackName() + "/local");
                case "AWS::Partition" -> "aws";
                case "AWS::URLSuffix" -> "amazonaws.com";
                case "AWS::NotificationARNs" -> List.of();
                default -> Intrinsics.NO_VALUE;
            };
        }
        int dot = name.indexOf('.');
        if (dot > 0 && name.endsWith(".Alias") && template.isType(name.substring(0, dot), TemplateEvaluator.FUNCTION)) {
            String function = name.substring(0, dot);
            return template.arn("lambda", "function:" + template.physicalName(function,
                    plain(Props.map(template.resource(function).get("Properties")).get("FunctionName"))) + ":live");
        }
        Map<String, Object> resource = template.resource(name);
        if (resource == null) {
            throw new TemplateException(where + ": Ref to " + name + ", which is neither a parameter nor a"
                    + " resource of the template");
        }
        Map<String, Object> rawProps = Props.map(resource.get("Properties"));
        return switch (String.valueOf(resource.get("Type"))) {
            case TemplateEvaluator.TABLE, TemplateEvaluator.GLOBAL_TABLE ->
                    template.physicalName(name, plain(rawProps.get("TableName")));
            case TemplateEvaluator.FUNCTION -> template.physicalName(name, plain(rawProps.get("FunctionName")));
            case TemplateEvaluator.HTTP_API -> apiId(settings.stackName(), name);
            // the queue's URL as SQS gives it; clients send it to their endpoint, which finds the queue by name
            case TemplateEvaluator.QUEUE -> "https://sqs." + settings.region() + ".amazonaws.com/" + settings.accountId()
                    + "/" + template.physicalName(name, plain(rawProps.get("QueueName")));
            case "AWS::SNS::Topic" -> template.arn("sns", template.physicalName(name, plain(rawProps.get("TopicName"))));
            // an event bus's Ref is its name, which it must be given (a Sub of the stack's name, say)
            case "AWS::Events::EventBus" -> template.physicalName(name, rawProps.get("Name") == null ? null
                    : template.evaluate(rawProps.get("Name"), "Resources." + name + ".Properties.Name"));
            // a dashboard's Ref is its name too, DashboardName when given
            case "AWS::CloudWatch::Dashboard" -> template.physicalName(name, rawProps.get("DashboardName") == null ? null
                    : template.evaluate(rawProps.get("DashboardName"), "Resources." + name + ".Properties.DashboardName"));
            default -> template.physicalName(name, null);
        };
    }

    @Override
    public Object getAtt(String resourceId, String attribute, String where) {
        Map<String, Object> resource = template.resource(resourceId);
        if (resource == null) {
            throw new TemplateException(where + ": Fn::GetAtt of " + resourceId + ", which is not a resource of"
                    + " the template");
        }
        String type = String.valueOf(resource.get("Type"));
        if (TemplateEvaluator.APPLICATION.equals(type) && attribute.startsWith("Outputs.")) {
            // a nested stack's output: its own template evaluated with what this one passes it
            return template.application(resourceId).output(attribute.substring("Outputs.".length()));
        }
        String name = String.valueOf(ref(resourceId, where));
        boolean table = TemplateEvaluator.TABLE.equals(type) || TemplateEvaluator.GLOBAL_TABLE.equals(type);
        return switch ((table ? TemplateEvaluator.TABLE : type) + "." + attribute) {
            case TemplateEvaluator.TABLE + ".Arn" -> template.arn("dynamodb", "table/" + name);
            // the stream's label (its creation time) is only known once the table exists: every stream of
            // the table stands in, so a policy naming it (Allow, or Deny with NotResource) holds as on AWS
            case TemplateEvaluator.TABLE + ".StreamArn" -> template.arn("dynamodb", "table/" + name + "/stream/*");
            case TemplateEvaluator.FUNCTION + ".Arn" -> template.arn("lambda", "function:" + name);
            // SAM's ${Function.Alias} in a Sub: the alias AutoPublishAlias makes, as Ref Function.Alias gives it
            case TemplateEvaluator.FUNCTION + ".Alias" -> ref(resourceId + ".Alias", where);
            case TemplateEvaluator.QUEUE + ".Arn" -> template.arn("sqs", name.substring(name.lastIndexOf('/') + 1));
            case TemplateEvaluator.QUEUE + ".QueueName" -> name.substring(name.lastIndexOf('/') + 1);
            case TemplateEvaluator.QUEUE + ".QueueUrl" -> name;
            case "AWS::Logs::LogGroup.Arn" -> template.arn("logs", "log-group:" + name + ":*");
            case "AWS::Events::EventBus.Arn" -> template.arn("events", "event-bus/" + name);
            case "AWS::Events::EventBus.Name" -> name;
            // locally the replica is the run's own redis-server; its URL comes in with --env-vars
            case "AWS::ElastiCache::ServerlessCache.Endpoint.Address" -> "127.0.0.1";
            case "AWS::ElastiCache::ServerlessCache.Endpoint.Port" -> "6379";
            default -> {
                if (attribute.equals("Arn")) {
                    yield template.arn("local", resourceId);
                }
                throw new TemplateException(where + ": Fn::GetAtt " + resourceId + "." + attribute + " ("
                        + type + ") is not supported by the local runtime");
            }
        };
    }

    @Override
    public boolean condition(String name, String where) {
        return template.condition(name, where);
    }

    @Override
    public Object findInMap(String mapName, String top, String second, String where) {
        Object value = Props.map(Props.map(template.mappings().get(mapName)).get(top)).get(second);
        if (value == null) {
            throw new TemplateException(where + ": Mappings." + mapName + "." + top + "." + second
                    + " does not exist");
        }
        return value;
    }

    @Override
    public Object importValue(String name, String where) {
        String value = template.settings().imports().get(name);
        if (value == null) {
            throw new TemplateException(where + ": Fn::ImportValue " + name + ": no stack run beside this one exports it"
                    + " (run the stack that does in the same start-api, as a deploy needs it deployed first)");
        }
        return value;
    }

    /** Ten lower-case letters and digits, as API Gateway's ids look, from the stack and the API's logical id. */
    static String apiId(String stack, String logicalId) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((stack + "/" + logicalId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String id = new java.math.BigInteger(1, hash).toString(36);
            return id.substring(0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Object plain(Object value) {
        return value instanceof String ? value : null;
    }
}
