package dev.sessions.bench.designs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpApiPayload;
import dev.sessions.adapter.apigw.HttpRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The visit counter as a classic stateful server keeps it: sessions in the server's memory, keyed
 * by a cookie. On Lambda "the server" is one execution environment, and there is no sticky
 * routing: a client's next request goes to whichever environment is free, which holds another
 * count or none, and an environment that is recycled takes its sessions with it. That is what the
 * designs benchmark measures; the product keeps this state in DynamoDB instead.
 *
 * <p>{@code GET /memory} counts a visit; {@code DELETE /memory} ends the session, in this
 * environment's memory only. Each answer names the environment that served it
 * ({@code x-environment}), so a client can see its count split.
 */
public final class MemoryCounterHandler implements RequestStreamHandler {

    static final String COOKIE = "msid";
    private static final long MAX_AGE_SECONDS = 3600;

    private final SessionIds ids = new SessionIds();
    // this environment's sessions: the state the design keeps in the server
    private final Map<String, Long> visits = new ConcurrentHashMap<>();
    private final String environment = UUID.randomUUID().toString();

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        HttpRequest request = HttpApiPayload.readRequest(event);
        ApiResponse answer = switch (request.method()) {
            case "GET" -> visit(Cookies.find(request, COOKIE));
            case "DELETE" -> end(Cookies.find(request, COOKIE));
            default -> ApiResponse.methodNotAllowed(request, "GET, DELETE");
        };
        HttpApiPayload.writeResponse(answer.header("x-environment", environment), response);
    }

    private ApiResponse visit(Optional<String> presented) {
        // an id this environment does not hold starts a new session, as a servlet container does
        String id = presented.filter(visits::containsKey).orElseGet(ids::next);
        long count = visits.merge(id, 1L, Long::sum);
        return ApiResponse.text(200, "You have visited " + count + " times.")
                .cookie(Cookies.set(COOKIE, id, MAX_AGE_SECONDS));
    }

    private ApiResponse end(Optional<String> presented) {
        presented.ifPresent(visits::remove); // other environments keep their copy: nothing tells them
        return ApiResponse.status(204).cookie(Cookies.set(COOKIE, "", 0));
    }
}
