package dev.sessions.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.Map;

/**
 * {@code GET /hello}: the stateless service. It reads nothing, stores nothing and needs no
 * SDK, so any instance answers any request and its cold start is the floor of this system.
 */
public final class HelloHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String GREETING = "Hello, World!";

    // A constant body: the only thing this function can get wrong is the method.
    private static final String METHOD_NOT_ALLOWED = """
            {"type":"about:blank","title":"Method Not Allowed","status":405,\
            "detail":"GET /hello is the only method served here."}""";

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String method = event == null || event.getRequestContext() == null || event.getRequestContext().getHttp() == null
                ? "GET"
                : event.getRequestContext().getHttp().getMethod();
        if (!"GET".equalsIgnoreCase(method)) {
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(405)
                    .withHeaders(Map.of("content-type", "application/problem+json", "allow", "GET"))
                    .withBody(METHOD_NOT_ALLOWED)
                    .build();
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(200)
                .withHeaders(Map.of("content-type", "text/plain; charset=utf-8"))
                .withBody(GREETING)
                .build();
    }
}
