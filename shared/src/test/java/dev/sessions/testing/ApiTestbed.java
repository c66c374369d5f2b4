package dev.sessions.testing;

import dev.sessions.adapter.dynamodb.DynamoDbSessionStore;
import dev.sessions.adapter.lambda.FunctionSettings;
import dev.sessions.adapter.lambda.SessionComponents;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a handler test needs around a handler: a fresh sessions table on the emulator, the
 * components built on it with a clock the test moves, sessions seeded under known tokens (the
 * demo tokens of events/), the log lines the handler wrote, and the table's items.
 */
public final class ApiTestbed implements AutoCloseable {

    /** The demo tokens the events/ files carry. */
    public static final String TOKEN_A = "tEsT0aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA";
    public static final String TOKEN_B = "tEsT1bBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbB";

    private final AwsEndpoint aws;
    private final DynamoDbClient dynamo;
    private final RequestCounter requests = new RequestCounter();
    private final String table;
    private final String idempotencyTable;
    private final Map<String, String> env;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(logs, true, StandardCharsets.UTF_8);
    private final SessionComponents components;

    /**
     * @param env extra settings, as the template would set them (REDIS_URL, MAX_BODY_BYTES, ...)
     */
    public ApiTestbed(AwsEndpoint aws, Map<String, String> env) {
        this.aws = aws;
        this.dynamo = aws.dynamoDb(requests);
        this.table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("api"));
        this.idempotencyTable = SessionsTableFixture.create(dynamo, SessionsTableFixture.idempotencyTable("idempotency"));
        this.env = new HashMap<>(env);
        this.env.put("SESSIONS_TABLE", table);
        this.env.put("IDEMPOTENCY_TABLE", idempotencyTable);
        this.components = SessionComponents.of(FunctionSettings.fromEnvironment(this.env), dynamo, clock);
        requests.reset(); // count what the test does, not the table's creation
    }

    /**
     * The same components on another DynamoDB client (one through a fault-injecting endpoint in
     * front of the emulator, say), with the testbed's tables, settings and clock.
     *
     * @param extraEnv settings to add or replace
     */
    public SessionComponents componentsOn(DynamoDbClient other, Map<String, String> extraEnv) {
        return componentsOn(other, extraEnv, clock);
    }

    /** As {@link #componentsOn(DynamoDbClient, Map)}, on another clock (the system's, where a deadline must pass). */
    public SessionComponents componentsOn(DynamoDbClient other, Map<String, String> extraEnv, java.time.Clock on) {
        Map<String, String> settings = new HashMap<>(env);
        settings.putAll(extraEnv);
        return SessionComponents.of(FunctionSettings.fromEnvironment(settings), other, on);
    }

    /** The components, with a store that lists a principal's sessions {@code pageSize} to a page. */
    public SessionComponents componentsWithPageSize(int pageSize) {
        SessionService paging = new SessionService(new DynamoDbSessionStore(dynamo, table, components.settings().policy(),
                pageSize), components.settings().policy(), clock);
        return new SessionComponents(components.settings(), dynamo, paging, components.cookie(), clock);
    }

    /** The sessions table's name. */
    public String table() {
        return table;
    }

    /** The client the testbed reads and writes the tables with. */
    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public SessionComponents components() {
        return components;
    }

    /** Counts the DynamoDB requests sent since construction (seeding and {@link #items()} included). */
    public RequestCounter requests() {
        return requests;
    }

    public MutableClock clock() {
        return clock;
    }

    public PrintStream out() {
        return out;
    }

    /** Creates a session under {@code token} (one of the demo tokens, or any 43-character token). */
    public IssuedSession seed(String token, String principal, Map<String, Object> data) {
        SessionToken fixed = SessionToken.parse(token).orElseThrow();
        SessionService seeding = new SessionService(new DynamoDbSessionStore(dynamo, table,
                components.settings().policy()), components.settings().policy(), clock).withTokens(() -> fixed);
        return seeding.create(new SessionService.NewSession(principal, data, java.util.Optional.empty()),
                "seed-" + fixed.id()).issued();
    }

    /**
     * Waits until an eventually consistent read sees {@code token}'s session: DynamoDB's lagging
     * replicas (the harness's lagging copy) have caught up with its creation, so that a stale read
     * would now return it rather than miss it.
     */
    public void awaitEventualReads(String token) {
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS(SessionToken.parse(token).orElseThrow().id()));
        Poll.until(aws.readLag().multipliedBy(10).plusSeconds(1), "an eventually consistent read of the session",
                () -> !dynamo.getItem(b -> b.tableName(table).key(key)).item().isEmpty());
    }

    /** Every item of the table, as JSON text, for "nothing changed" checks. */
    public List<String> items() {
        List<String> items = new ArrayList<>();
        for (Map<String, AttributeValue> item : dynamo.scan(b -> b.tableName(table).consistentRead(true)).items()) {
            items.add(new java.util.TreeMap<>(item).toString());
        }
        items.sort(null);
        return items;
    }

    /** The table's session items (not rotations' forward pointers), as JSON text. */
    public List<String> sessionItems() {
        return items().stream().filter(item -> !item.contains("movedTo=")).toList();
    }

    /** The lines the handlers logged so far, each parsed as JSON. */
    public List<Map<String, Object>> logLines() {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(Json.parseObject(line, 16));
            }
        }
        return lines;
    }

    /** The raw log text. */
    public String logText() {
        return logs.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        dynamo.deleteTable(b -> b.tableName(table));
        dynamo.deleteTable(b -> b.tableName(idempotencyTable));
        dynamo.close();
    }
}
