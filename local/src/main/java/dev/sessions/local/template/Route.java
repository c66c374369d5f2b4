package dev.sessions.local.template;

/**
 * An HttpApi route of the template.
 *
 * @param functionId the logical id of the function it invokes
 * @param apiId the logical id of its HttpApi
 * @param method an HTTP method in capitals, or {@code ANY}; {@code null} for the {@code $default} route
 * @param path such as {@code /sessions/{id}} or {@code /files/{proxy+}}; {@code null} for {@code $default}
 * @param payloadFormatVersion {@code 2.0} or {@code 1.0}
 * @param iamAuthorization whether the route needs AWS_IAM
 * @param timeoutMillis the integration timeout (HTTP API's limit is 30 s)
 * @param jwt the route's JWT authorizer, or {@code null} for none
 * @param lambdaAuthorizer the route's Lambda authorizer, or {@code null} for none
 */
public record Route(String functionId, String apiId, String method, String path, String payloadFormatVersion,
                    boolean iamAuthorization, int timeoutMillis, JwtAuthorizer jwt, LambdaAuthorizer lambdaAuthorizer) {

    /** A route without a Lambda authorizer. */
    public Route(String functionId, String apiId, String method, String path, String payloadFormatVersion,
                 boolean iamAuthorization, int timeoutMillis, JwtAuthorizer jwt) {
        this(functionId, apiId, method, path, payloadFormatVersion, iamAuthorization, timeoutMillis, jwt, null);
    }

    /** A route without an authorizer. */
    public Route(String functionId, String apiId, String method, String path, String payloadFormatVersion,
                 boolean iamAuthorization, int timeoutMillis) {
        this(functionId, apiId, method, path, payloadFormatVersion, iamAuthorization, timeoutMillis, null, null);
    }

    /** As API Gateway writes it: {@code GET /hello}, {@code ANY /x}, or {@code $default}. */
    public String routeKey() {
        return path == null ? "$default" : method + " " + path;
    }
}
