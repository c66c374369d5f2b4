package dev.sessions.verifier;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The session authorizer's context, both ways: what the authorizer hands API Gateway for a live
 * session ({@link #of}), and, for a Java integration behind a protected route, the session read
 * back from the event API Gateway passes on ({@link #fromEvent}, {@link #read}). In payload
 * format 2.0 the context is at {@code requestContext.authorizer.lambda}:
 *
 * <pre>{"id": "…", "principal": "alice", "expiresAt": "2026-12-06T10:30:00Z", "data": {"theme": "dark"}}</pre>
 *
 * {@code principal} is absent for an anonymous session; {@code data} holds only the keys the stack
 * names ({@code SessionAuthorizerDataKeys}), never a token. Nothing here needs the AWS SDK.
 */
public final class AuthorizerContext {

    static final String ID = "id";
    static final String PRINCIPAL = "principal";
    static final String EXPIRES_AT = "expiresAt";
    static final String DATA = "data";

    private AuthorizerContext() {
    }

    /**
     * The context for a live session: its id, principal and expiry, and of its data only
     * {@code dataKeys} (those it has).
     */
    public static Map<String, Object> of(LiveSession session, List<String> dataKeys) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (String key : dataKeys) {
            if (session.data().containsKey(key)) {
                data.put(key, session.data().get(key));
            }
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put(ID, session.id());
        if (session.principal() != null) {
            context.put(PRINCIPAL, session.principal());
        }
        context.put(EXPIRES_AT, session.expiresAt().toString());
        context.put(DATA, data);
        return context;
    }

    /**
     * The session an integration's event carries at {@code requestContext.authorizer.lambda} (payload
     * 2.0), as a parsed JSON object (any JSON library's maps and lists, or the events library's
     * {@code APIGatewayV2HTTPEvent} turned into one).
     *
     * @return empty when the event has no session authorizer's context (a route without the
     *     authorizer, or a function invoked directly): treat the caller as unknown
     */
    public static Optional<LiveSession> fromEvent(Map<?, ?> event) {
        Object lambda = path(event, "requestContext", "authorizer", "lambda");
        return lambda instanceof Map<?, ?> context ? read(context) : Optional.empty();
    }

    /**
     * The session a context holds ({@code requestContext.authorizer.lambda} itself, as
     * {@code APIGatewayV2HTTPEvent.getRequestContext().getAuthorizer().getLambda()} gives it).
     *
     * @return empty when it is not a session authorizer's context
     */
    public static Optional<LiveSession> read(Map<?, ?> context) {
        if (!(context.get(ID) instanceof String id) || id.isBlank()
                || !(context.get(EXPIRES_AT) instanceof String expires)) {
            return Optional.empty();
        }
        Instant expiresAt;
        try {
            expiresAt = Instant.parse(expires);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        if (context.get(DATA) instanceof Map<?, ?> values) {
            values.forEach((key, value) -> data.put(String.valueOf(key), value));
        }
        Object principal = context.get(PRINCIPAL);
        return Optional.of(new LiveSession(id, principal instanceof String p && !p.isEmpty() ? p : null, expiresAt,
                data));
    }

    private static Object path(Map<?, ?> from, String... names) {
        Object at = from;
        for (String name : names) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(name);
        }
        return at;
    }
}
