package dev.sessions.local.template;

/**
 * An EventBridge rule that invokes a function (a function's {@code Type: EventBridgeRule} event).
 *
 * @param functionId the function it invokes
 * @param eventName the event's name under the function's Events
 * @param busName the bus the rule is on (EventBusName; {@code default} when it names none)
 * @param pattern the rule's event pattern, as JSON text
 * @param maxRetryAttempts RetryPolicy.MaximumRetryAttempts (EventBridge's default: 185)
 */
public record RuleSubscription(String functionId, String eventName, String busName, String pattern,
                               int maxRetryAttempts) {
}
