package dev.sessions.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.domain.CounterStore;
import dev.sessions.domain.Tally;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.FaultyEndpoint;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.SessionsTableFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The sharded counters' reads against a real DynamoDB endpoint. */
@ExtendWith(LocalServices.class)
class DynamoDbCounterStoreIT {

    private static final int SHARDS = 4;

    @Test
    void givenDeferredKeys_whenTotalsRead_thenRetriedWithBackoffAsDynamoDbAsks(AwsEndpoint aws) {
        try (DynamoDbClient dynamo = aws.dynamoDb()) {
            String table = SessionsTableFixture.create(dynamo, SessionsTableFixture.countersTable("counters"));
            try {
                new DynamoDbCounterStore(dynamo, table, SHARDS).addOnce(List.of(new CounterStore.Change("event-1",
                        new Tally(3, 1, 1))), Instant.now());
                // the first three reads have every key deferred, as a throttled table answers
                try (FaultyEndpoint faulty = FaultyEndpoint.start(aws.uri()).fail("BatchGetItem", 0, 3,
                        new FaultyEndpoint.Answer(200, null, allDeferred(table)));
                     DynamoDbClient through = aws.at(faulty.uri()).dynamoDb()) {

                    new DynamoDbCounterStore(through, table, SHARDS).totals();

                    assertEquals(3, faulty.gaps("BatchGetItem").size(), "three deferrals, then the read that answered");
                    for (Duration gap : faulty.gaps("BatchGetItem")) {
                        assertTrue(gap.toMillis() >= 25, "retried after " + gap.toMillis() + " ms: no backoff");
                    }
                }
                // totals are eventually consistent, and a transaction's items reach the copies one by one: a
                // read a moment after the write may see some counters of it and not others
                aws.awaitReadsCaughtUp();
                assertEquals(new Tally(3, 1, 1), new DynamoDbCounterStore(dynamo, table, SHARDS).totals());
            } finally {
                dynamo.deleteTable(b -> b.tableName(table));
            }
        }
    }

    /** A BatchGetItem answer that defers every key of the totals' read. */
    private static String allDeferred(String table) {
        List<String> keys = new ArrayList<>();
        for (String counter : DynamoDbCounterStore.COUNTERS) {
            for (int shard = 0; shard < SHARDS; shard++) {
                keys.add("{\"pk\":{\"S\":\"" + counter + "#" + shard + "\"}}");
            }
        }
        return "{\"Responses\":{\"" + table + "\":[]},\"UnprocessedKeys\":{\"" + table + "\":{\"Keys\":["
                + String.join(",", keys) + "]}}}";
    }
}
