package dev.sessions.adapter.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds HTTP API responses (payload format 2.0). Every response says {@code Cache-Control:
 * no-store} by default: session responses carry tokens and private data.
 */
public final class Responses {

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> cookies = new ArrayList<>();
    private String body;

    private Responses(int status) {
        this.status = status;
        headers.put("cache-control", "no-store");
    }

    public static Responses status(int status) {
        return new Responses(status);
    }

    public static Responses text(int status, String text) {
        return status(status).header("content-type", "text/plain; charset=utf-8").body(text);
    }

    public static Responses json(int status, String json) {
        return status(status).header("content-type", "application/json").body(json);
    }

    public static Responses problem(Problem problem, String requestId) {
        Responses response = status(problem.status()).header("content-type", "application/problem+json")
                .body(problem.toJson(requestId));
        if (problem.status() == 503) {
            response.header("retry-after", "1");
        }
        return response;
    }

    public Responses header(String lowerCaseName, String value) {
        headers.put(lowerCaseName, value);
        return this;
    }

    public Responses cookie(String setCookie) {
        cookies.add(setCookie);
        return this;
    }

    public Responses body(String text) {
        this.body = text;
        return this;
    }

    public int statusCode() {
        return status;
    }

    public APIGatewayV2HTTPResponse build() {
        APIGatewayV2HTTPResponse response = APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(headers)
                .withBody(body)
                .withIsBase64Encoded(false)
                .build();
        if (!cookies.isEmpty()) {
            response.setCookies(cookies);
        }
        return response;
    }
}
