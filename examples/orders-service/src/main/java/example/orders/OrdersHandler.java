package example.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.verifier.AuthorizerContext;
import dev.sessions.verifier.LiveSession;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code GET /orders} and {@code POST /orders}, behind the sessions stack's session authorizer. The
 * authorizer has decided before this runs; the handler only reads who is calling from its context
 * ({@link AuthorizerContext}), never a token, and acts as that principal. Read the caller, act, answer.
 */
public final class OrdersHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final int MAX_ITEM = 100;
    private static final int MAX_QUANTITY = 99;

    private final Orders orders;
    private final Clock clock;

    public OrdersHandler() {
        this(Orders.fromEnvironment(System.getenv()), Clock.systemUTC());
    }

    OrdersHandler(Orders orders, Clock clock) {
        this.orders = orders;
        this.clock = clock;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Optional<LiveSession> caller = callerOf(event);
        if (caller.isEmpty()) {
            // invoked around the authorizer (directly, or from a route without it): nobody is known
            return problem(401, "no-session", "These routes are behind the session authorizer, which gave no session.");
        }
        String principal = caller.get().principal();
        if (principal == null) {
            return problem(403, "sign-in-required", "Orders belong to a principal: sign in (a session with a principal).");
        }
        try {
            return switch (event.getRequestContext().getHttp().getMethod()) {
                case "GET" -> json(200, Map.of("principal", principal, "orders", orders.of(principal).stream()
                        .map(OrdersHandler::write).toList()));
                case "POST" -> place(principal, caller.get().id(), event.getBody(), event.getIsBase64Encoded());
                default -> problem(405, "method-not-allowed", "GET or POST.");
            };
        } catch (SdkException e) {
            // the table failed (throttled, unreachable): nothing was placed that the caller was not told of
            context.getLogger().log("{\"level\":\"ERROR\",\"message\":\"orders table: " + e.getClass().getSimpleName()
                    + "\"}");
            return problem(503, "unavailable", "The orders table could not be reached; retry after a moment.");
        }
    }

    private static Optional<LiveSession> callerOf(APIGatewayV2HTTPEvent event) {
        var authorizer = event.getRequestContext() == null ? null : event.getRequestContext().getAuthorizer();
        return authorizer == null || authorizer.getLambda() == null ? Optional.empty()
                : AuthorizerContext.read(authorizer.getLambda());
    }

    private APIGatewayV2HTTPResponse place(String principal, String sessionId, String body, boolean base64) {
        Map<String, Object> request;
        try {
            String text = body == null ? "" : base64 ? new String(java.util.Base64.getDecoder().decode(body),
                    java.nio.charset.StandardCharsets.UTF_8) : body;
            request = Json.parseObject(text, 4);
        } catch (JsonException | IllegalArgumentException e) {
            return problem(400, "invalid-body", "The body must be a JSON object: {\"item\": \"...\", \"quantity\": n}.");
        }
        if (!(request.get("item") instanceof String item) || item.isBlank() || item.length() > MAX_ITEM) {
            return problem(400, "invalid-body", "item must be a string of 1 to " + MAX_ITEM + " characters.");
        }
        if (!(request.get("quantity") instanceof java.math.BigDecimal quantity) || quantity.scale() > 0
                || quantity.compareTo(java.math.BigDecimal.ONE) < 0
                || quantity.compareTo(java.math.BigDecimal.valueOf(MAX_QUANTITY)) > 0) {
            return problem(400, "invalid-body", "quantity must be a whole number from 1 to " + MAX_QUANTITY + ".");
        }
        if (request.keySet().stream().anyMatch(k -> !List.of("item", "quantity").contains(k))) {
            return problem(400, "invalid-body", "Only item and quantity may be sent.");
        }
        Order order = orders.place(principal, item, quantity.intValueExact(), sessionId, clock.instant());
        return json(201, write(order));
    }

    private static Map<String, Object> write(Order order) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", order.id());
        json.put("item", order.item());
        json.put("quantity", order.quantity());
        json.put("placedAt", order.placedAt().toString());
        json.put("sessionId", order.sessionId());
        return json;
    }

    private static APIGatewayV2HTTPResponse json(int status, Map<String, Object> body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(Map.of("content-type", "application/json")).withBody(Json.write(body)).build();
    }

    /** An RFC 9457 problem, as the sessions API answers its own. */
    private static APIGatewayV2HTTPResponse problem(int status, String slug, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:orders:problem:" + slug);
        body.put("status", status);
        body.put("detail", detail);
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(Map.of("content-type", "application/problem+json")).withBody(Json.write(body)).build();
    }
}
