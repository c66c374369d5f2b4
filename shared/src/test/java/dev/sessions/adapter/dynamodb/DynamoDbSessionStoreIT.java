package dev.sessions.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionStore;
import dev.sessions.domain.SessionStoreContract;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.Poll;
import dev.sessions.testing.RequestCounter;
import dev.sessions.testing.SessionsTableFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store contract, and its request budget, against a real DynamoDB endpoint (moto by default). */
@ExtendWith(LocalServices.class)
class DynamoDbSessionStoreIT extends SessionStoreContract {

    private static final RequestCounter COUNTER = new RequestCounter();
    private static DynamoDbClient dynamo;
    private static String table;

    @BeforeAll
    static void createTable(AwsEndpoint aws) {
        dynamo = aws.dynamoDb(COUNTER);
        table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("sessions"));
    }

    @AfterAll
    static void deleteTable() {
        dynamo.deleteTable(b -> b.tableName(table));
        dynamo.close();
    }

    @Override
    protected SessionStore store() {
        return new DynamoDbSessionStore(dynamo, table, POLICY);
    }

    @Override
    protected SessionStore storeWithPageSize(int pageSize) {
        return new DynamoDbSessionStore(dynamo, table, POLICY, pageSize);
    }

    @Override
    protected List<Session> listWhenIndexed(SessionStore store, String principal, Instant now, int expected) {
        // the byPrincipal index is eventually consistent on DynamoDB itself
        return Poll.until(Duration.ofSeconds(10), expected + " indexed sessions of " + principal,
                () -> store.listByPrincipal(principal, now), listed -> listed.size() >= expected);
    }

    private Session stored() {
        Session session = new Session(SessionToken.generate().id(), null, Map.of("a", "b"), 0, 1, 1, T0, T0,
                POLICY.idleExpiry(T0), POLICY.absoluteExpiry(T0));
        store().create(session, request());
        COUNTER.reset();
        return session;
    }

    /** A session created at T0 and last used at {@code lastUsed}, still live then. */
    private Session usedUntil(Instant lastUsed) {
        Session session = new Session(SessionToken.generate().id(), null, Map.of("a", "b"), 0, 1, 1, T0, lastUsed,
                POLICY.idleExpiry(lastUsed), POLICY.absoluteExpiry(T0));
        store().create(session, request());
        return session;
    }

    @Test
    void givenSession_whenVisited_thenExactlyOneUpdateItem() {
        Session session = stored();

        store().recordVisit(session.id(), T0, request());

        assertEquals(List.of("UpdateItem"), COUNTER.operations());
    }

    @Test
    void givenTheLastIdleWindowBeforeTheAbsoluteExpiry_whenVisitedOrPatched_thenTheTtlIsTheAbsoluteExpiry() {
        Instant late = POLICY.absoluteExpiry(T0).minus(POLICY.idleTimeout()).plusSeconds(60);
        Session visited = usedUntil(late.minusSeconds(60));
        Session patched = usedUntil(late.minusSeconds(60));

        store().recordVisit(visited.id(), late, request());
        store().patch(patched.id(), new MergePatch(json("{\"x\":1}")), Optional.empty(), late, request());

        // DynamoDB's TTL deletes by this attribute: past the absolute expiry, it would keep the dead
        for (Session session : List.of(visited, patched)) {
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item = dynamo.getItem(b -> b
                    .tableName(table).key(SessionItem.key(session.id())).consistentRead(true)).item();
            assertEquals(item.get("absoluteExpiresAt").n(), item.get("expiresAt").n());
        }
    }

    @Test
    void givenSession_whenFound_thenExactlyOneGetItem() {
        Session session = stored();

        store().find(session.id(), T0, false);

        assertEquals(List.of("GetItem"), COUNTER.operations());
    }

    @Test
    void givenSession_whenPatchedBelowTheLimit_thenExactlyOneUpdateItem() {
        Session session = stored();

        store().patch(session.id(), new MergePatch(json("{\"x\":{},\"y\":[1,2],\"a\":null}")), Optional.of(1L), T0, request());

        assertEquals(List.of("UpdateItem"), COUNTER.operations());
    }

    @Test
    void givenTouchDue_whenTouched_thenExactlyOneUpdateItem() {
        Session session = stored();

        store().touch(session, T0.plus(POLICY.touchInterval()));

        assertEquals(List.of("UpdateItem"), COUNTER.operations());
    }
}
