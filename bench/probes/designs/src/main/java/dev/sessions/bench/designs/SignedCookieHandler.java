package dev.sessions.bench.designs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpApiPayload;
import dev.sessions.adapter.apigw.HttpRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The visit counter with its state in the client: the count travels in a signed cookie
 * ({@link SignedState}), and the function stays as stateless as {@code GET /hello}.
 *
 * <p>{@code GET /signed} counts a visit ({@code ?pad=N} carries N more bytes of session data, to
 * find the size limit of client state); {@code DELETE /signed} asks the browser to drop the cookie,
 * which is all a server without state can do: a copy of the cookie stays valid until it expires.
 */
public final class SignedCookieHandler implements RequestStreamHandler {

    static final String COOKIE = "state";
    static final Duration LIFETIME = Duration.ofHours(1);

    private final SignedState signer;
    private final Clock clock;
    private final SessionIds ids = new SessionIds();

    public SignedCookieHandler() {
        this(Base64.getDecoder().decode(System.getenv("STATE_SIGNING_KEY")), Clock.systemUTC());
    }

    SignedCookieHandler(byte[] key, Clock clock) {
        this.signer = new SignedState(key);
        this.clock = clock;
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        HttpRequest request = HttpApiPayload.readRequest(event);
        ApiResponse answer = switch (request.method()) {
            case "GET" -> visit(request);
            case "DELETE" -> ApiResponse.status(204).cookie(Cookies.set(COOKIE, "", 0));
            default -> ApiResponse.methodNotAllowed(request, "GET, DELETE");
        };
        HttpApiPayload.writeResponse(answer, response);
    }

    private ApiResponse visit(HttpRequest request) {
        Instant now = clock.instant();
        Optional<SignedState.Value> presented = Cookies.find(request, COOKIE).flatMap(c -> signer.read(c, now));
        int pad;
        try {
            pad = Integer.parseInt(request.queryParameter("pad").orElse("0"));
        } catch (NumberFormatException e) {
            pad = -1;
        }
        if (pad < 0 || pad > 1 << 20) {
            return ApiResponse.text(400, "pad is a number of bytes from 0 to 1048576");
        }
        String id = presented.map(SignedState.Value::sessionId).orElseGet(ids::next);
        long count = presented.map(SignedState.Value::visits).orElse(0L) + 1;
        String data = pad > 0 ? "x".repeat(pad) : presented.map(SignedState.Value::data).orElse("");
        String cookie = signer.write(new SignedState.Value(id, count, now.plus(LIFETIME), data));
        return ApiResponse.text(200, "You have visited " + count + " times.")
                .cookie(Cookies.set(COOKIE, cookie, LIFETIME.toSeconds()));
    }
}
