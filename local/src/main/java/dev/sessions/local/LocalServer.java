package dev.sessions.local;

import dev.sessions.local.api.HttpApiGateway;
import dev.sessions.local.rules.RuleDelivery;
import dev.sessions.local.runtime.FunctionDirectory;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.streams.DeadLetters;
import dev.sessions.local.streams.StreamPoller;
import dev.sessions.local.template.Route;
import dev.sessions.local.template.RuleSubscription;
import dev.sessions.local.template.StreamMapping;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * What {@code start-api} runs: the functions, the HTTP API in front of them, the pollers of their
 * streams and the deliveries of their EventBridge rules, stopped together by {@link #close()} (no
 * environment JVM outlives it).
 */
public final class LocalServer implements AutoCloseable {

    private final LocalLambda lambda;
    private final HttpApiGateway gateway;
    private final List<StreamPoller> pollers = new ArrayList<>();
    private final DynamoDbClient dynamo;
    private final List<DynamoDbStreamsClient> streamClients = new ArrayList<>();
    private final List<Route> routes;
    private final List<StreamMapping> mappings;
    private final List<RuleDelivery> deliveries = new ArrayList<>();
    private final software.amazon.awssdk.services.eventbridge.EventBridgeClient ruleEvents;
    private final software.amazon.awssdk.services.sqs.SqsClient ruleQueues;

    /**
     * Checks every function the routes and mappings need, then serves.
     *
     * @param port 0 for any free port
     * @param pollStreams whether to run the stream pollers
     * @param deadLetterDir where on-failure destinations write
     */
    public LocalServer(LocalLambda lambda, Map<String, String> aws, int port, boolean pollStreams, Path deadLetterDir,
                       PrintStream log) {
        this(lambda, aws, port, pollStreams, deadLetterDir, log, FunctionDirectory.of(lambda));
    }

    /**
     * The same, finding the routes' Lambda authorizers in {@code functions}: every stack of the run,
     * so that a route may use an authorizer another stack exports.
     */
    public LocalServer(LocalLambda lambda, Map<String, String> aws, int port, boolean pollStreams, Path deadLetterDir,
                       PrintStream log, FunctionDirectory functions) {
        Template template = lambda.template();
        this.lambda = lambda;
        this.routes = template.routes();
        this.mappings = pollStreams ? template.streamMappings().stream().filter(StreamMapping::enabled).toList() : List.of();
        List<RuleSubscription> subscriptions = template.ruleSubscriptions();
        if (routes.isEmpty() && mappings.isEmpty() && subscriptions.isEmpty()) {
            throw new TemplateException(template.file() + " has no HttpApi routes, DynamoDB stream events or"
                    + " EventBridge rules to serve");
        }
        Set<String> needed = new LinkedHashSet<>();
        routes.forEach(r -> needed.add(r.functionId()));
        mappings.forEach(m -> needed.add(m.functionId()));
        subscriptions.forEach(r -> needed.add(r.functionId()));
        needed.forEach(lambda::check);
        for (Route route : routes) {
            if (route.lambdaAuthorizer() != null) {
                String arn = route.lambdaAuthorizer().functionArn();
                functions.byArn(arn).ifPresentOrElse(target -> target.lambda().check(target.logicalId()),
                        // API Gateway takes an authorizer URI it cannot invoke, then answers 500
                        () -> log.println("warning: " + route.method() + " " + route.path() + ": its authorizer "
                                + route.lambdaAuthorizer().name() + " names " + arn
                                + ", no function of this run; the route will answer 500"));
            }
        }
        this.gateway = new HttpApiGateway(lambda, routes, "127.0.0.1", port, log, functions);
        if (!subscriptions.isEmpty()) {
            // EventBridge's own delivery to the function: the runtime's credentials, not a function's role
            this.ruleEvents = AwsClients.events(aws);
            this.ruleQueues = AwsClients.sqs(aws);
            subscriptions.forEach(s -> deliveries.add(RuleDelivery.start(s, lambda, ruleEvents, ruleQueues, log)));
        } else {
            this.ruleEvents = null;
            this.ruleQueues = null;
        }
        if (mappings.isEmpty()) {
            this.dynamo = null;
        } else {
            // finding a table's stream is the deploy's work (GetAtt StreamArn), not the function's
            this.dynamo = AwsClients.dynamoDb(aws);
            String region = aws.getOrDefault("AWS_REGION", "us-east-1");
            Map<String, String> queues = new java.util.HashMap<>();
            for (dev.sessions.local.template.Queue queue : template.queues().values()) {
                queues.put("arn:aws:sqs:" + template.settings().region() + ":" + template.settings().accountId() + ":"
                        + queue.name(), queue.url());
            }
            // the mapping sends to its destination with the function's role, as on AWS
            DeadLetters deadLetters = new DeadLetters(deadLetterDir, region, log, queues, (functionId, url, body) -> {
                try (var sqs = AwsClients.sqs(lambda.iam() == null ? aws : lambda.iam().environmentOf(functionId, aws))) {
                    sqs.sendMessage(b -> b.queueUrl(url).messageBody(body));
                }
            });
            for (StreamMapping mapping : mappings) {
                String table = template.tables().get(mapping.tableId()).name();
                // the Lambda service reads a mapping's stream with the function's role, as on AWS
                DynamoDbStreamsClient streams = AwsClients.streams(lambda.iam() == null ? aws
                        : lambda.iam().environmentOf(mapping.functionId(), aws));
                streamClients.add(streams);
                pollers.add(new StreamPoller(mapping, table, dynamo, streams, lambda, deadLetters,
                        aws.getOrDefault("AWS_REGION", "us-east-1"), log).start());
            }
        }
    }

    public int port() {
        return gateway.port();
    }

    public List<Route> routes() {
        return routes;
    }

    public List<StreamMapping> mappings() {
        return mappings;
    }

    /** The EventBridge rules whose target is a function of this stack, delivered to it. */
    public List<RuleSubscription> ruleSubscriptions() {
        return deliveries.stream().map(RuleDelivery::subscription).toList();
    }

    public LocalLambda lambda() {
        return lambda;
    }

    @Override
    public void close() {
        deliveries.forEach(RuleDelivery::close);
        if (ruleEvents != null) {
            ruleEvents.close();
            ruleQueues.close();
        }
        pollers.forEach(StreamPoller::close);
        gateway.close();
        lambda.close();
        if (dynamo != null) {
            dynamo.close();
        }
        streamClients.forEach(DynamoDbStreamsClient::close);
    }
}
