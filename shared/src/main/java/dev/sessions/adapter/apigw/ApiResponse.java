package dev.sessions.adapter.apigw;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP API response (payload format 2.0) as a route builds it: status, headers, cookies,
 * body. Every response says {@code Cache-Control: no-store} unless told otherwise: session
 * responses carry tokens and private data. Mutable while a route builds it; {@link HttpApiPayload}
 * writes it.
 */
public final class ApiResponse {

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> cookies = new ArrayList<>();
    private String body;

    private ApiResponse(int status) {
        this.status = status;
        headers.put("cache-control", "no-store");
    }

    public static ApiResponse status(int status) {
        return new ApiResponse(status);
    }

    public static ApiResponse text(int status, String text) {
        return status(status).header("content-type", "text/plain; charset=utf-8").body(text);
    }

    public static ApiResponse json(int status, String json) {
        return status(status).header("content-type", "application/json").body(json);
    }

    /** The problem+json answer; a 503 says when to retry. */
    public static ApiResponse problem(Problem problem, String requestId) {
        ApiResponse response = status(problem.status()).header("content-type", "application/problem+json")
                .body(problem.toJson(requestId));
        if (problem.status() == 503) {
            response.header("retry-after", "1");
        }
        return response;
    }

    /** 404 for a path no route of the function serves. */
    public static ApiResponse notFound(HttpRequest request) {
        return problem(Problem.notFound(request.path()), request.apiRequestId());
    }

    /** 405 for a method the path does not take, with the {@code Allow} header listing those it does. */
    public static ApiResponse methodNotAllowed(HttpRequest request, String allow) {
        return problem(Problem.methodNotAllowed(request.method(), request.path()), request.apiRequestId())
                .header("allow", allow);
    }

    public ApiResponse header(String lowerCaseName, String value) {
        headers.put(lowerCaseName, value);
        return this;
    }

    public ApiResponse cookie(String setCookie) {
        cookies.add(setCookie);
        return this;
    }

    public ApiResponse body(String text) {
        this.body = text;
        return this;
    }

    public int statusCode() {
        return status;
    }

    /** The headers, by lower-case name (read-only). */
    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }

    /** The {@code Set-Cookie} values, in order (read-only). */
    public List<String> cookies() {
        return Collections.unmodifiableList(cookies);
    }

    /** The body, or {@code null} for none. */
    public String body() {
        return body;
    }
}
