package dev.sessions.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.domain.Tally;
import dev.sessions.telemetry.LogSettings;
import dev.sessions.testing.ApiEvent;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.HandlerResponse;
import dev.sessions.testing.Invoke;
import dev.sessions.testing.LocalServices;
import dev.sessions.testing.LogAssertions;
import dev.sessions.testing.RequestCounter;
import dev.sessions.testing.SessionsTableFixture;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(LocalServices.class)
class StatsHandlerIT {

    private final RequestCounter requests = new RequestCounter();
    private DynamoDbClient dynamo;
    private String counters;
    private DynamoDbCounterStore store;

    private AwsEndpoint aws;

    @BeforeEach
    void start(AwsEndpoint aws) {
        this.aws = aws;
        dynamo = aws.dynamoDb(requests);
        counters = SessionsTableFixture.create(dynamo, SessionsTableFixture.countersTable("stats"));
        store = new DynamoDbCounterStore(dynamo, counters, 8);
    }

    @AfterEach
    void stop() {
        dynamo.deleteTable(b -> b.tableName(counters));
        dynamo.close();
    }

    @Test
    void givenCountedChanges_whenStatsRequested_thenTotalsInOneRead() {
        for (int i = 0; i < 5; i++) {
            store.addOnce("change-" + i, new Tally(3, 1, 1), Instant.now());
        }
        store.addOnce("gone", new Tally(0, 0, -1), Instant.now());
        aws.awaitReadsCaughtUp(); // /stats is eventually consistent: the counts once its reads see them
        requests.reset();

        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        HandlerResponse response = Invoke.http(new StatsHandler(store, "Sessions", LogSettings.INFO,
                new PrintStream(logs, true)), ApiEvent.load("stats.json"));
        LogAssertions.assertEveryLineWellFormed(logs.toString(), List.of());

        assertEquals(200, response.statusCode());
        assertEquals("{\"visits\":15,\"sessionsCreated\":5,\"activeSessions\":4}", response.body());
        assertEquals(List.of("BatchGetItem"), requests.operations());
    }
}
