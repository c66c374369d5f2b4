package dev.sessions.bench;

import dev.sessions.adapter.apigw.HttpRequest;
import dev.sessions.adapter.apigw.IfMatch;
import dev.sessions.adapter.apigw.JsonBody;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.HttpApiPayload;
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

    private final byte[] patchEvent = bytes(SyntheticRequests.payload("PATCH", "/sessions/current",
            Map.of("content-type", "application/merge-patch+json", "if-match", "\"3\"", "user-agent", "bench",
                    "accept", "application/json", "cookie", "sid=" + TOKEN + "; theme=dark"), PATCH));
    private final Session session;
    private final Map<String, AttributeValue> item;
    private final SessionToken token = SessionToken.parse(TOKEN).orElseThrow();
    private final SessionCookie cookie = SessionCookie.of(true, "Lax", "");
    private final PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());

    // whole handlers on an in-memory store: everything a warm request does but the store's round trip
    private final VisitsHandler visits;
    private final SessionsHandler sessions;
    // the events/ files as API Gateway sends them, carrying TOKEN (bench/run runs JMH from the project root)
    // each visit is a request of its own: the event carries no API Gateway request id, and each
    // invocation a Lambda request id of its own (a repeated one would be answered as a repeat)
    private final byte[] visitEvent = withoutRequestId(event("events/visits-returning.json"));
    private final byte[] readEvent = event("events/sessions-current.json");
    // POST /sessions with a number DynamoDB cannot hold: 60,000 digits, and a short one, both refused
    private final byte[] longLiteralEvent = createWith("{\"data\":{\"n\":1" + "0".repeat(60_000) + "}}");
    private final byte[] shortLiteralEvent = createWith("{\"data\":{\"n\":1E+127}}");
    private final Invocations invocations = new Invocations();

    public HotPaths() {
        Instant now = Instant.parse("2026-11-27T10:15:30.123Z");
        session = new Session(token.id(), "alice@example.com", Json.parseObject(OwnJson.DOCUMENT_DATA, 32), 42, 3, 57,
                now, now, now.plusSeconds(1800), now.plusSeconds(43200));
        item = SessionItem.toItem(session, 180);

        FunctionSettings settings = FunctionSettings.fromEnvironment(Map.of("SESSIONS_TABLE", "bench"));
        SessionPolicy policy = settings.policy();
        Clock clock = Clock.systemUTC();
        SessionService service = new SessionService(new InMemorySessionStore(policy), policy, clock).withTokens(() -> token);
        service.create(new SessionService.NewSession("alice@example.com", Json.parseObject(OwnJson.DOCUMENT_DATA, 32),
                Optional.empty()), "bench-seed");
        SessionComponents components = new SessionComponents(settings, null, service, settings.cookie(), clock);
        visits = new VisitsHandler(components, nowhere);
        sessions = new SessionsHandler(components, nowhere);
    }

    /** GET / end to end in the handler, as Lambda calls it: the event's JSON in, visit counted, response JSON and log line out. */
    @Benchmark
    public int visitHandler() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(512);
        visits.handleRequest(new ByteArrayInputStream(visitEvent), response, invocations.next());
        return response.size();
    }

    /** GET /sessions/current end to end in the handler, the session read from the store. */
    @Benchmark
    public int readHandler() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(1024);
        sessions.handleRequest(new ByteArrayInputStream(readEvent), response, invocations.next());
        return response.size();
    }

    /**
     * POST /sessions whose data holds a 60,000-digit number literal (inside the 64 KiB body limit),
     * refused with 400 end to end: next to {@link #refuseShortLiteral}, what such a body costs.
     */
    @Benchmark
    public int refuseLongLiteral() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(512);
        sessions.handleRequest(new ByteArrayInputStream(longLiteralEvent), response, invocations.next());
        return response.size();
    }

    /** The same refusal for {@code 1E+127}: the cost of a short literal out of range. */
    @Benchmark
    public int refuseShortLiteral() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(512);
        sessions.handleRequest(new ByteArrayInputStream(shortLiteralEvent), response, invocations.next());
        return response.size();
    }

    /** Reading a PATCH: the event's fields, the token, If-Match and the JSON body with its checks. */
    @Benchmark
    public Object parseRequest() {
        HttpRequest request;
        try {
            request = HttpApiPayload.readRequest(new ByteArrayInputStream(patchEvent));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PresentedToken.of(request, "sid").require();
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try {
            HttpApiPayload.writeResponse(ApiResponse.json(200, SessionJson.write(session)).header("etag", "\"3\"")
                    .header("x-cache", "hit").cookie(cookie.issue(token, 1800)), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The request's log line with two embedded metrics, written to nowhere. */
    @Benchmark
    public void logLine() {
        new RequestLog("SessionsFunction", "Sessions", nowhere).context("awsRequestId", "5f1c6e0e-0c8d-4d8b-9a41-7d0c2c1f3e55")
                .context("apiRequestId", "KlTqXjxxIAMEVhQ=")
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

    private static byte[] bytes(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] createWith(String body) {
        return bytes(SyntheticRequests.payload("POST", "/sessions", Map.of("content-type", "application/json"), body));
    }

    @SuppressWarnings("unchecked")
    private static byte[] withoutRequestId(byte[] event) {
        Map<String, Object> root = new java.util.LinkedHashMap<>(Json.parseObject(new String(event,
                java.nio.charset.StandardCharsets.UTF_8), 16));
        Map<String, Object> context = new java.util.LinkedHashMap<>((Map<String, Object>) root.get("requestContext"));
        context.remove("requestId");
        root.put("requestContext", context);
        return Json.write(root).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] event(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("run from the project root (bench/run does): " + e.getMessage(), e);
        }
    }

    /** Lambda contexts with a request id of their own for each invocation, as Lambda gives them. */
    static final class Invocations {
        private long count;

        com.amazonaws.services.lambda.runtime.Context next() {
            String id = "bench-" + count++;
            return new com.amazonaws.services.lambda.runtime.Context() {
                public String getAwsRequestId() { return id; }
                public String getLogGroupName() { return "bench"; }
                public String getLogStreamName() { return "bench"; }
                public String getFunctionName() { return "bench"; }
                public String getFunctionVersion() { return "$LATEST"; }
                public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:bench"; }
                public com.amazonaws.services.lambda.runtime.CognitoIdentity getIdentity() { return null; }
                public com.amazonaws.services.lambda.runtime.ClientContext getClientContext() { return null; }
                public int getRemainingTimeInMillis() { return 10_000; }
                public int getMemoryLimitInMB() { return 1024; }
                public com.amazonaws.services.lambda.runtime.LambdaLogger getLogger() { return null; }
            };
        }
    }

    /** The sample session document the probes use. */
    static final class OwnJson {
        static final String DOCUMENT_DATA = "{\"theme\":\"dark\",\"cart\":[{\"sku\":\"A-1\",\"qty\":2,\"price\":12.50},"
                + "{\"sku\":\"B-7\",\"qty\":1,\"price\":3.99}],\"prefs\":{\"newsletter\":true,\"locale\":\"en-GB\",\"tz\":null}}";
    }
}
