package dev.sessions.adapter.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.HashMap;
import java.util.Map;

/** API Gateway events built in code, for priming the request path without real traffic. */
public final class SyntheticRequests {

    private SyntheticRequests() {
    }

    /** A payload format 2.0 request of {@code method} {@code path} with the given headers. */
    public static APIGatewayV2HTTPEvent request(String method, String path, Map<String, String> headers, String body) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        http.setProtocol("HTTP/1.1");
        http.setSourceIp("127.0.0.1");
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setHttp(http);
        context.setRequestId("priming");
        context.setRouteKey(method + " " + path);
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey(method + " " + path);
        event.setRawPath(path);
        event.setHeaders(new HashMap<>(headers));
        event.setRequestContext(context);
        event.setBody(body);
        return event;
    }
}
