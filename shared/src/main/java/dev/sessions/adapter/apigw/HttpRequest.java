package dev.sessions.adapter.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler reads of an API Gateway HTTP API request (payload format 2.0), with the event's
 * nulls turned into empty values, header names lower-cased and cookies gathered from the
 * {@code cookies} field (or, from clients that do not split them, the {@code cookie} header).
 *
 * @param method the HTTP method, upper case
 * @param path the decoded path
 * @param headers header values by lower-case name
 * @param cookies the request's cookies, each {@code name=value}
 * @param query query parameters (repeated ones joined by commas, as API Gateway joins them)
 * @param pathParameters the route's path variables
 * @param body the body as sent: text, or base64 when {@code base64} is true; {@code null} for none
 * @param base64 whether API Gateway base64-encoded the body
 * @param requestId API Gateway's request id
 * @param caller the IAM caller's ARN on AWS_IAM routes, or {@code null}
 */
public record HttpRequest(String method, String path, Map<String, String> headers, List<String> cookies,
                          Map<String, String> query, Map<String, String> pathParameters, String body, boolean base64,
                          String requestId, String caller) {

    public static HttpRequest of(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        String method = context != null && context.getHttp() != null && context.getHttp().getMethod() != null
                ? context.getHttp().getMethod().toUpperCase(Locale.ROOT) : "GET";
        String path = context != null && context.getHttp() != null && context.getHttp().getPath() != null
                ? context.getHttp().getPath() : event.getRawPath() == null ? "/" : event.getRawPath();
        Map<String, String> headers = new LinkedHashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.merge(name.toLowerCase(Locale.ROOT),
                    value == null ? "" : value, (a, b) -> a + "," + b));
        }
        List<String> cookies = new ArrayList<>();
        if (event.getCookies() != null && !event.getCookies().isEmpty()) {
            cookies.addAll(event.getCookies());
        } else if (headers.containsKey("cookie")) {
            for (String cookie : headers.get("cookie").split(";")) {
                if (!cookie.isBlank()) {
                    cookies.add(cookie.trim());
                }
            }
        }
        String caller = null;
        if (context != null && context.getAuthorizer() != null && context.getAuthorizer().getIam() != null) {
            caller = context.getAuthorizer().getIam().getUserArn();
        }
        return new HttpRequest(method, path, headers, cookies,
                event.getQueryStringParameters() == null ? Map.of() : event.getQueryStringParameters(),
                event.getPathParameters() == null ? Map.of() : event.getPathParameters(),
                event.getBody(), event.getIsBase64Encoded(), context == null ? null : context.getRequestId(), caller);
    }

    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** The body's bytes: decoded from base64 when API Gateway encoded it. */
    public byte[] bodyBytes() {
        if (body == null || body.isEmpty()) {
            return new byte[0];
        }
        if (!base64) {
            return body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new RequestRejected(Problem.malformedRequest("The request body is not valid base64."));
        }
    }
}
