package dev.sessions.local.template;

/**
 * An SQS queue of the template, as the local runtime creates it in the endpoint.
 *
 * @param logicalId its logical id
 * @param name the queue name it gets ({@code <stack>-<logicalId>} unless QueueName is set)
 * @param url its URL as the functions' environments see it
 */
public record Queue(String logicalId, String name, String url) {
}
