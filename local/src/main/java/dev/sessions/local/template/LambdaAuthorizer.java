package dev.sessions.local.template;

import java.util.List;

/**
 * A route's Lambda authorizer (type REQUEST), as API Gateway's HTTP API configures one: the
 * function it invokes, the event and response formats, the identity sources whose values must be
 * there (and key the cache), and how long an answer is cached.
 *
 * @param name the authorizer's name in the template (the security scheme's, or SAM's)
 * @param functionArn the function's ARN, qualified when the authorizer names an alias or version
 * @param payloadFormatVersion {@code 2.0} or {@code 1.0}
 * @param simpleResponses whether it answers {@code {"isAuthorized": …}} (2.0 only) rather than an IAM policy
 * @param identitySources such as {@code $request.header.Cookie}; none when the cache is off
 * @param ttlSeconds how long an answer is kept for the same identity source values (0: not at all)
 */
public record LambdaAuthorizer(String name, String functionArn, String payloadFormatVersion, boolean simpleResponses,
                               List<String> identitySources, int ttlSeconds) {

    public LambdaAuthorizer {
        identitySources = List.copyOf(identitySources);
    }

    /** The authorizer's id in execute-api ARNs ({@code .../authorizers/<id>}): stable per API and name. */
    public String id(String apiId) {
        return Integer.toHexString((apiId + "/" + name).hashCode() & 0xfffffff);
    }
}
