package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * What {@code scripts/dynamodb_fidelity.py} makes happen that emulators skip, each against a proxy
 * of the test's own (its copies in regions of their own, its timings long enough to watch) in
 * front of the harness's emulator: copies that converge whatever happened to the answers, reads
 * that go back, indexes that trail item by item, transactions that hold their items, TTL deletes
 * with DynamoDB's service identity on the stream.
 */
@ExtendWith(LocalServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbAsAwsIT {

    private AwsEndpoint harness;

    @BeforeAll
    void harness(AwsEndpoint aws) {
        this.harness = aws;
    }

    private static String table(DedicatedDynamoDb proxy, String name) {
        return SessionsTableFixture.create(proxy.dynamo(), SessionsTableFixture.sessionsTable(name));
    }

    private static List<Map<String, AttributeValue>> byPrincipal(DedicatedDynamoDb proxy, String table,
                                                                 String principal) {
        return proxy.dynamo().query(b -> b.tableName(table).indexName("byPrincipal")
                .keyConditionExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)))).items();
    }

    private static final DynamoDbFidelity.Settings QUIET = new DynamoDbFidelity.Settings(Duration.ofMillis(300), null,
            null, Duration.ZERO, null);

    @Test
    void givenWritesWhoseAnswersWereLost_whenTheResendIsRefused_thenTheCopiesAndTheIndexStillConverge() {
        try (FaultyEndpoint lossy = FaultyEndpoint.start(harness.emulator());
             DedicatedDynamoDb proxy = DedicatedDynamoDb.startBehind(lossy.uri(), QUIET)) {
            String table = table(proxy, "converge");
            // every other PutItem is applied and its answer lost: a client's resend is refused by the condition the
            // first attempt met (the copies' own puts are idempotent, and retried until they go through)
            lossy.failEvery("PutItem", 2, new FaultyEndpoint.LoseAnswer());
            String principal = "p-" + UUID.randomUUID();
            int refused = 0;

            for (int i = 0; i < 10; i++) {
                Map<String, AttributeValue> item = item("s" + i + "-" + UUID.randomUUID(), principal);
                try {
                    proxy.dynamo().putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(id)"));
                } catch (ConditionalCheckFailedException firstAttemptApplied) {
                    refused++;
                }
            }

            assertTrue(refused > 0, "some writes were resent after their answers were lost");
            assertEquals(10, proxy.dynamo().scan(b -> b.tableName(table).consistentRead(true)).count());
            proxy.endpoint().awaitReadsCaughtUp();
            assertEquals(10, byPrincipal(proxy, table, principal).size(), "the index holds what the table holds");
            assertEquals(10, proxy.dynamo().scan(b -> b.tableName(table)).count(), "so do the eventual reads");
        }
    }

    @Test
    void givenAnItemWrittenTwice_whenReadEventuallyAgainAndAgain_thenANewerValueCanBeFollowedByAnOlderOne() {
        // copies at 3 s and 1.5 s: between the two, an eventual read sees either value
        try (DedicatedDynamoDb proxy = DedicatedDynamoDb.start(harness, QUIET.withReadLag(Duration.ofSeconds(3), null, null))) {
            String table = table(proxy, "goes-back");
            Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS(UUID.randomUUID().toString()));
            proxy.dynamo().putItem(b -> b.tableName(table).item(Map.of("id", key.get("id"), "v", AttributeValue.fromN("1"))));
            proxy.endpoint().awaitReadsCaughtUp();

            proxy.dynamo().putItem(b -> b.tableName(table).item(Map.of("id", key.get("id"), "v", AttributeValue.fromN("2"))));

            List<String> seen = new ArrayList<>();
            Poll.until(Duration.ofSeconds(10), "an eventual read of 2 followed by one of 1", () -> {
                Map<String, AttributeValue> item = proxy.dynamo().getItem(b -> b.tableName(table).key(key)).item();
                seen.add(item.get("v").n());
                return String.join("", seen).contains("21");
            });
        }
    }

    @Test
    void givenATransactionMovingAnItemOutOfAnIndexAndAnotherIn_whenTheIndexIsQueried_thenItCanShowNeither() {
        try (DedicatedDynamoDb proxy = DedicatedDynamoDb.start(harness, QUIET.withReadLag(Duration.ofMillis(300),
                Duration.ofMillis(200), Duration.ofSeconds(3)))) {
            String table = table(proxy, "trail");
            String principal = "p-" + UUID.randomUUID();
            String old = "old-" + UUID.randomUUID();
            proxy.dynamo().putItem(b -> b.tableName(table).item(item(old, principal)));
            proxy.endpoint().awaitReadsCaughtUp();
            assertEquals(1, byPrincipal(proxy, table, principal).size());

            // the old item leaves the index (no principal any more), a new one enters it: one transaction
            proxy.dynamo().transactWriteItems(b -> b.transactItems(
                    t -> t.put(p -> p.tableName(table).item(item("new-" + UUID.randomUUID(), principal))),
                    t -> t.put(p -> p.tableName(table).item(Map.of("id", AttributeValue.fromS(old))))));

            Poll.until(Duration.ofSeconds(10), "the index to show neither item",
                    () -> byPrincipal(proxy, table, principal).isEmpty());
            Poll.until(Duration.ofSeconds(10), "the index to show the new item", () -> {
                List<Map<String, AttributeValue>> listed = byPrincipal(proxy, table, principal);
                return listed.size() == 1 && listed.getFirst().get("id").s().startsWith("new-");
            });
        }
    }

    @Test
    void givenATransactionInFlight_whenItsItemsAreWrittenOrTransactedMeanwhile_thenDynamoDbsConflictAnswers()
            throws Exception {
        try (DedicatedDynamoDb proxy = DedicatedDynamoDb.start(harness, QUIET.withTransactionHold(Duration.ofSeconds(2)))) {
            String table = table(proxy, "conflict");
            Map<String, AttributeValue> x = Map.of("id", AttributeValue.fromS("x-" + UUID.randomUUID()));
            Map<String, AttributeValue> y = Map.of("id", AttributeValue.fromS("y-" + UUID.randomUUID()));
            proxy.dynamo().putItem(b -> b.tableName(table).item(Map.of("id", x.get("id"), "v", AttributeValue.fromN("1"))));

            CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> proxy.dynamo().transactWriteItems(b ->
                    b.transactItems(t -> t.update(u -> u.tableName(table).key(x).updateExpression("SET v = :two")
                                    .expressionAttributeValues(Map.of(":two", AttributeValue.fromN("2")))),
                            t -> t.put(p -> p.tableName(table).item(Map.of("id", y.get("id")))))));
            Poll.until(Duration.ofSeconds(10), "the transaction to hold its items",
                    () -> proxy.status("held") == 2);

            DynamoDbException write = assertThrows(TransactionConflictException.class, () -> proxy.dynamo().updateItem(b -> b
                    .tableName(table).key(x).updateExpression("SET v = :three")
                    .expressionAttributeValues(Map.of(":three", AttributeValue.fromN("3")))));
            String token = UUID.randomUUID().toString();
            org.junit.jupiter.api.function.Executable otherTransaction = () -> proxy.dynamo().transactWriteItems(b -> b
                    .clientRequestToken(token).transactItems(
                            t -> t.put(p -> p.tableName(table).item(Map.of("id", AttributeValue.fromS("free")))),
                            t -> t.delete(d -> d.tableName(table).key(y))));
            TransactionCanceledException other = assertThrows(TransactionCanceledException.class, otherTransaction);
            TransactionCanceledException read = assertThrows(TransactionCanceledException.class,
                    () -> proxy.dynamo().transactGetItems(b -> b.transactItems(t -> t.get(g -> g.tableName(table).key(x)))));
            String during = proxy.dynamo().getItem(b -> b.tableName(table).key(x).consistentRead(true)).item().get("v").n();
            inFlight.get();
            // its token was spent on the cancellation: the same call within 10 minutes gets the same answer
            TransactionCanceledException again = assertThrows(TransactionCanceledException.class, otherTransaction);

            assertEquals(400, write.statusCode());
            assertEquals(List.of("None", "TransactionConflict"), again.cancellationReasons().stream()
                    .map(r -> r.code()).toList(), "the cancelled transaction's token answers as it did");
            assertEquals(List.of("None", "TransactionConflict"), other.cancellationReasons().stream()
                    .map(r -> r.code()).toList());
            assertEquals("TransactionConflict", read.cancellationReasons().getFirst().code());
            assertEquals("1", during, "a plain read is not held up: it sees the item before the transaction");
            assertEquals("2", proxy.dynamo().getItem(b -> b.tableName(table).key(x).consistentRead(true)).item().get("v").n(),
                    "the transaction applied; the conflicting writes did not");
            assertTrue(proxy.dynamo().getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS("free")))
                    .consistentRead(true)).item().isEmpty(), "the cancelled transaction wrote none of its items");
            assertEquals(3, proxy.status("conflicts"));
        }
    }

    @Test
    void givenItemsPastTheirTtl_whenTheHarnessRuns_thenTheyAreDeletedWithDynamoDbsIdentityOnTheStream() {
        DynamoDbClient dynamo = harness.dynamoDb();
        String table = SessionsTableFixture.create(dynamo, SessionsTableFixture.sessionsTable("ttl"));
        dynamo.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(t -> t.enabled(true)
                .attributeName("expiresAt")));
        long now = harness.serviceTime().getEpochSecond(); // TTL's clock, which this JVM's may not agree with
        Map<String, AttributeValue> expired = expiring("expired", now - 10);
        Map<String, AttributeValue> live = expiring("live", now + 3600);
        Map<String, AttributeValue> ancient = expiring("ancient", now - 6L * 365 * 24 * 3600);
        Map<String, AttributeValue> deleted = expiring("deleted", now + 3600);
        for (Map<String, AttributeValue> item : List.of(expired, live, ancient, deleted)) {
            dynamo.putItem(b -> b.tableName(table).item(item));
        }
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of("id", deleted.get("id"))));

        Poll.until(Duration.ofSeconds(30), "TTL to delete the expired item", () -> dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("id", expired.get("id"))).consistentRead(true)).item().isEmpty());

        for (Map<String, AttributeValue> kept : List.of(live, ancient)) {
            assertFalse(dynamo.getItem(b -> b.tableName(table).key(Map.of("id", kept.get("id"))).consistentRead(true))
                    .item().isEmpty(), "not expired, or expired more than five years ago (DynamoDB skips those)");
        }
        List<Record> removals = harness.streamRemovals(table);
        Record ttl = removals.stream().filter(r -> r.dynamodb().keys().get("id").equals(expired.get("id"))).findFirst()
                .orElseThrow();
        Record user = removals.stream().filter(r -> r.dynamodb().keys().get("id").equals(deleted.get("id"))).findFirst()
                .orElseThrow();
        assertEquals("Service", ttl.userIdentity().type());
        assertEquals("dynamodb.amazonaws.com", ttl.userIdentity().principalId());
        assertEquals(expired, ttl.dynamodb().oldImage());
        assertEquals(null, user.userIdentity(), "a delete by a caller carries no identity");
        dynamo.deleteTable(b -> b.tableName(table));
    }

    private static Map<String, AttributeValue> expiring(String name, long expiresAt) {
        return Map.of("id", AttributeValue.fromS(name + "-" + UUID.randomUUID()),
                "expiresAt", AttributeValue.fromN(Long.toString(expiresAt)));
    }

    private static Map<String, AttributeValue> item(String id, String principal) {
        return Map.of("id", AttributeValue.fromS(id), "principal", AttributeValue.fromS(principal),
                "createdAt", AttributeValue.fromN("1"));
    }
}
