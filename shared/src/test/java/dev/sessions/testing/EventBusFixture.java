package dev.sessions.testing;

import dev.sessions.adapter.eventbridge.EventBridgeSessionEvents;
import dev.sessions.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A fresh EventBridge bus on the emulator with a rule that sends every lifecycle event (source
 * {@code dev.sessions}) to a fresh SQS queue: what a consumer's rule and queue are, and what reached
 * them. Or a rule on a bus that exists already ({@link #subscribe}), as a consumer of a stack's bus.
 */
public final class EventBusFixture implements AutoCloseable {

    private final EventBridgeClient events;
    private final SqsClient sqs;
    private final String bus;
    private final boolean ownBus;
    private final String rule;
    private final String queueUrl;

    private EventBusFixture(AwsEndpoint aws, String bus, boolean ownBus) {
        this.events = EventBridgeClient.builder().endpointOverride(aws.uri()).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        this.sqs = SqsClient.builder().endpointOverride(aws.uri()).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        this.bus = bus;
        this.ownBus = ownBus;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        if (ownBus) {
            events.createEventBus(b -> b.name(bus));
        }
        this.queueUrl = sqs.createQueue(b -> b.queueName("lifecycle-" + suffix)).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        this.rule = "lifecycle-" + suffix;
        events.putRule(b -> b.name(rule).eventBusName(bus).eventPattern("{\"source\":[\""
                + EventBridgeSessionEvents.SOURCE + "\"]}"));
        events.putTargets(b -> b.rule(rule).eventBusName(bus).targets(t -> t.id("queue").arn(queueArn)));
    }

    /** A bus of its own, with the rule and queue. */
    public static EventBusFixture create(AwsEndpoint aws) {
        return new EventBusFixture(aws, "sessions-events-" + UUID.randomUUID().toString().substring(0, 8), true);
    }

    /** A rule and queue on {@code bus}, which someone else made (a stack's). */
    public static EventBusFixture subscribe(AwsEndpoint aws, String bus) {
        return new EventBusFixture(aws, bus, false);
    }

    public String bus() {
        return bus;
    }

    /** The bus as a function publishes to it. */
    public EventBridgeSessionEvents publisher() {
        return new EventBridgeSessionEvents(events, bus);
    }

    /** The bus as a function publishes to it through {@code endpoint} (a fault proxy in front of the emulator). */
    public EventBridgeSessionEvents publisherVia(java.net.URI endpoint, AwsEndpoint aws) {
        return new EventBridgeSessionEvents(EventBridgeClient.builder().endpointOverride(endpoint).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD))
                .build(), bus);
    }

    /**
     * The events that reached the queue since the last call, in the queue's order, each as
     * EventBridge delivers it ({@code detail-type}, {@code source}, {@code detail}...), and deleted.
     */
    public List<Map<String, Object>> received() {
        List<Map<String, Object>> received = new ArrayList<>();
        for (int round = 0; round < 100; round++) {
            var batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0))
                    .messages();
            if (batch.isEmpty()) {
                break;
            }
            for (var message : batch) {
                received.add(Json.parseObject(message.body(), 8));
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return received;
    }

    /** Puts an event as {@link #received()} gave it onto the bus again: a second delivery of it, as EventBridge may make. */
    public void republish(Map<String, Object> event) {
        events.putEvents(b -> b.entries(e -> e.eventBusName(bus).source(String.valueOf(event.get("source")))
                .detailType(String.valueOf(event.get("detail-type"))).detail(Json.write(event.get("detail")))));
    }

    /** The {@code detail} of each event, as {@link #received()} gives them. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> details(List<Map<String, Object>> events) {
        return events.stream().map(e -> (Map<String, Object>) e.get("detail")).toList();
    }

    @Override
    public void close() {
        events.removeTargets(b -> b.rule(rule).eventBusName(bus).ids("queue"));
        events.deleteRule(b -> b.name(rule).eventBusName(bus));
        if (ownBus) {
            events.deleteEventBus(b -> b.name(bus));
        }
        sqs.deleteQueue(b -> b.queueUrl(queueUrl));
        events.close();
        sqs.close();
    }
}
