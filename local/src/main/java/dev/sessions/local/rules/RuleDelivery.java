package dev.sessions.local.rules;

import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.RuleSubscription;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An EventBridge rule whose target is a function of the run, as EventBridge delivers to it: the
 * rule (its bus, its pattern) is made in the emulator with a queue of the run's own as its target,
 * since the emulator cannot invoke the run's functions; each event that reaches the queue is the
 * function's asynchronous invocation, tried again on failure until RetryPolicy's
 * MaximumRetryAttempts, then dropped with a line (where AWS would send it to the rule's dead-letter
 * queue). Stopped by {@link #close()}, which takes the rule and the queue away.
 */
public final class RuleDelivery implements AutoCloseable {

    /** How long a failed event waits before it is tried again (EventBridge backs off; this keeps tests short). */
    private static final int RETRY_AFTER_SECONDS = 1;

    private final RuleSubscription subscription;
    private final LocalLambda lambda;
    private final EventBridgeClient events;
    private final SqsClient sqs;
    private final PrintStream log;
    private final String rule;
    private final String queueUrl;
    private final Thread poller;
    private volatile boolean running = true;

    private RuleDelivery(RuleSubscription subscription, LocalLambda lambda, EventBridgeClient events, SqsClient sqs,
                         PrintStream log) {
        this.subscription = subscription;
        this.lambda = lambda;
        this.events = events;
        this.sqs = sqs;
        this.log = log;
        String stack = lambda.template().settings().stackName();
        this.rule = (stack + "-" + subscription.functionId() + "-" + subscription.eventName()).replaceAll(
                "[^A-Za-z0-9._-]", "-");
        String queue = ("local-rule-" + Integer.toHexString(rule.hashCode()) + "-" + rule);
        this.queueUrl = sqs.createQueue(b -> b.queueName(queue.length() > 80 ? queue.substring(0, 80) : queue)).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        events.putRule(b -> b.name(rule).eventBusName(subscription.busName()).eventPattern(subscription.pattern()));
        events.putTargets(b -> b.rule(rule).eventBusName(subscription.busName())
                .targets(t -> t.id(subscription.functionId()).arn(queueArn)));
        this.poller = Thread.ofVirtual().name("rule-" + rule).start(this::deliver);
    }

    /** Makes the rule and starts delivering. */
    public static RuleDelivery start(RuleSubscription subscription, LocalLambda lambda, EventBridgeClient events,
                                     SqsClient sqs, PrintStream log) {
        return new RuleDelivery(subscription, lambda, events, sqs, log);
    }

    public RuleSubscription subscription() {
        return subscription;
    }

    private void deliver() {
        while (running) {
            try {
                for (Message message : sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                        .messages()) {
                    invoke(message);
                }
            } catch (SdkException e) {
                if (running) {
                    log.println("rule " + rule + ": the queue could not be read: " + e.getMessage());
                    pause();
                }
            }
        }
    }

    private void invoke(Message message) {
        InvocationResult result = lambda.invoke(subscription.functionId(), message.body().getBytes(StandardCharsets.UTF_8));
        int attempt = Integer.parseInt(message.attributes().getOrDefault(
                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
        if (!result.failed()) {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            return;
        }
        if (attempt > subscription.maxRetryAttempts()) {
            log.println("rule " + rule + ": " + subscription.functionId() + " failed the event " + attempt
                    + " times; dropped (on AWS: the rule's dead-letter queue): " + result.payloadText());
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            return;
        }
        log.println("rule " + rule + ": " + subscription.functionId() + " failed the event (attempt " + attempt
                + "); tried again: " + result.payloadText());
        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                .visibilityTimeout(RETRY_AFTER_SECONDS));
    }

    private static void pause() {
        try {
            Thread.sleep(1000); // a broken endpoint: not a busy loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            events.removeTargets(b -> b.rule(rule).eventBusName(subscription.busName()).ids(subscription.functionId()));
            events.deleteRule(b -> b.name(rule).eventBusName(subscription.busName()));
            sqs.deleteQueue(b -> b.queueUrl(queueUrl));
        } catch (SdkException e) {
            log.println("rule " + rule + ": not taken away: " + e.getMessage());
        }
    }

    /** For tests: what the delivery is named by. */
    Map<String, String> names() {
        return Map.of("rule", rule, "queue", queueUrl);
    }
}
