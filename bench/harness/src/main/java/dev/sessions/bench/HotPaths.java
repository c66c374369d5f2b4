package dev.sessions.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.IfMatch;
import dev.sessions.adapter.apigw.JsonBody;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.Responses;
import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.adapter.apigw.SessionJson;
import dev.sessions.adapter.apigw.SyntheticRequests;
import dev.sessions.adapter.dynamodb.JsonAttributes;
import dev.sessions.adapter.dynamodb.SessionItem;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import dev.sessions.telemetry.Metric;
import dev.sessions.sessions.SessionsHandler;
import dev.sessions.telemetry.RequestLog;
import dev.sessions.testing.InMemorySessionStore;
import dev.sessions.visits.VisitsHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The handlers' own work on a warm path, without I/O: what a request costs besides the store's
 * round trip, whole (visitHandler, readHandler: the handler on an in-memory store) and by part.
 * Sample time, so that medians and p99 come out, in microseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotPaths {

    static final String TOKEN = "tEsT0aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA";
    static final String PATCH = "{\"theme\":\"light\",\"cart\":null,\"prefs\":{\"newsletter\":true,\"locale\":\"en-GB\"},"
            + "\"recent\":[\"/a\",\"/b\",\"/c\"],\"score\":12.5}";

    private final APIGatewayV2HTTPEvent patchEvent = SyntheticRequests.request("PATCH", "/sessions/current",
            Map.of("content-type", "application/merge-patch+json", "if-match", "\"3\"", "user-agent", "bench",
                    "accept", "application/json"), PATCH);
    private final Session session;
    private final Map<String, AttributeValue> item;
    private final SessionToken token = SessionToken.parse(TOKEN).orElseThrow();
    private final SessionCookie cookie = new SessionCookie(true);
    private final PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());

    // whole handlers on an in-memory store: everything a warm request does but the store's round trip
    private final VisitsHandler visits;
    private final SessionsHandler sessions;
    // the events/ files as API Gateway sends them, carrying TOKEN (bench/run runs JMH from the project root)
    private final byte[] visitEvent = event("events/visits-returning.json");
    private final byte[] readEvent = event("events/sessions-current.json");

    public HotPaths() {
        patchEvent.setCookies(List.of("sid=" + TOKEN, "theme=dark"));
        Instant now = Instant.parse("2026-11-27T10:15:30.123Z");
        session = new Session(token.id(), "alice@example.com", Json.parseObject(OwnJson.DOCUMENT_DATA, 32), 42, 3, 57,
                now, now, now.plusSeconds(1800), now.plusSeconds(43200));
        item = SessionItem.toItem(session, 180);

        FunctionSettings settings = FunctionSettings.fromEnvironment(Map.of("SESSIONS_TABLE", "bench"));
        SessionPolicy policy = settings.policy();
        Clock clock = Clock.systemUTC();
        SessionService service = new SessionService(new InMemorySessionStore(policy), policy, clock, () -> token);
        service.create("alice@example.com", Json.parseObject(OwnJson.DOCUMENT_DATA, 32), 0);
        SessionComponents components = new SessionComponents(settings, null, service, Optional.empty(),
                new SessionCookie(true), clock);
        visits = new VisitsHandler(components, nowhere);
        sessions = new SessionsHandler(components, nowhere);
    }

    /** GET / end to end in the handler, as Lambda calls it: the event's JSON in, visit counted, response JSON and log line out. */
    @Benchmark
    public int visitHandler() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(512);
        visits.handleRequest(new ByteArrayInputStream(visitEvent), response, null);
        return response.size();
    }

    /** GET /sessions/current end to end in the handler, the session read from the store. */
    @Benchmark
    public int readHandler() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(1024);
        sessions.handleRequest(new ByteArrayInputStream(readEvent), response, null);
        return response.size();
    }

    /** Reading a PATCH: the event's fields, the token, If-Match and the JSON body with its checks. */
    @Benchmark
    public Object parseRequest() {
        HttpRequest request = HttpRequest.of(patchEvent);
        PresentedToken.of(request).require();
        IfMatch.parse(request.header("if-match"));
        return JsonBody.object(request, Set.of("application/merge-patch+json"), 65_536, 40);
    }

    /** A session to DynamoDB attribute values and back. */
    @Benchmark
    public Object marshalSession() {
        return SessionItem.toSession(SessionItem.toItem(session, 180));
    }

    /** Data alone to attribute values and back. */
    @Benchmark
    public Object marshalData() {
        return JsonAttributes.fromAttributes(JsonAttributes.toAttributes(session.data()));
    }

    /** The session id of a token: SHA-256 and base64url. */
    @Benchmark
    public String hashToken() {
        return token.id();
    }

    /** A session response: its JSON, ETag, cookie and the payload format 2.0 object. */
    @Benchmark
    public Object buildResponse() {
        return Responses.json(200, SessionJson.write(session)).header("etag", "\"3\"").header("x-cache", "hit")
                .cookie(cookie.issue(token, 1800)).build();
    }

    /** The request's log line with two embedded metrics, written to nowhere. */
    @Benchmark
    public void logLine() {
        new RequestLog("SessionsFunction", "Sessions", nowhere).field("requestId", "KlTqXjxxIAMEVhQ=")
                .field("route", "GET /sessions/current").field("sessionId", session.id()).field("cache", "hit")
                .count(Metric.CACHE_HITS).count(Metric.VISITS).emit(200);
    }

    /**
     * The baseline: what the bare SDK does on its own per store call, build an UpdateItem request
     * for a visit (the project's handlers add their work to this).
     */
    @Benchmark
    public Object baselineSdkRequest() {
        return software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest.builder().tableName("sessions")
                .key(Map.of("id", AttributeValue.fromS(session.id())))
                .updateExpression("SET lastAccessedAt = :now, expiresAt = :exp ADD visits :one, revision :one")
                .conditionExpression("attribute_exists(id) AND expiresAt > :nowS")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN("1795774530123"),
                        ":exp", AttributeValue.fromN("1795776330"), ":one", AttributeValue.fromN("1"),
                        ":nowS", AttributeValue.fromN("1795774530")))
                .build();
    }

    /** The item the store reads, once more from a stored map (what a GetItem's answer costs to read). */
    @Benchmark
    public Object readItem() {
        return SessionItem.toSession(item);
    }

    private static byte[] event(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("run from the project root (bench/run does): " + e.getMessage(), e);
        }
    }

    /** The sample session document the probes use. */
    static final class OwnJson {
        static final String DOCUMENT_DATA = "{\"theme\":\"dark\",\"cart\":[{\"sku\":\"A-1\",\"qty\":2,\"price\":12.50},"
                + "{\"sku\":\"B-7\",\"qty\":1,\"price\":3.99}],\"prefs\":{\"newsletter\":true,\"locale\":\"en-GB\",\"tz\":null}}";
    }
}
