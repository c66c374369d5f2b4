package dev.sessions.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import dev.sessions.adapter.dynamodb.DynamoDbCounterStore;
import dev.sessions.domain.Tally;
import dev.sessions.testing.AwsEndpoint;
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
import org.junit.jupiter.params.ParameterizedTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(LocalServices.class)
class StatsHandlerIT {

    private final RequestCounter requests = new RequestCounter();
    private DynamoDbClient dynamo;
    private String counters;
    private DynamoDbCounterStore store;

    @BeforeEach
    void start(AwsEndpoint aws) {
        dynamo = aws.dynamoDb(requests);
        counters = SessionsTableFixture.create(dynamo, SessionsTableFixture.countersTable("stats"));
        store = new DynamoDbCounterStore(dynamo, counters, 8);
    }

    @AfterEach
    void stop() {
        dynamo.deleteTable(b -> b.tableName(counters));
        dynamo.close();
    }

    @ParameterizedTest
    @Event(value = "events/stats.json", type = APIGatewayV2HTTPEvent.class)
    void givenCountedChanges_whenStatsRequested_thenTotalsInOneRead(APIGatewayV2HTTPEvent event) {
        for (int i = 0; i < 5; i++) {
            store.addOnce("change-" + i, new Tally(3, 1, 1), Instant.now());
        }
        store.addOnce("gone", new Tally(0, 0, -1), Instant.now());
        requests.reset();

        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        APIGatewayV2HTTPResponse response = new StatsHandler(store, "Sessions", new PrintStream(logs, true))
                .handleRequest(event, null);
        LogAssertions.assertEveryLineWellFormed(logs.toString(), List.of());

        assertEquals(200, response.getStatusCode());
        assertEquals("{\"visits\":15,\"sessionsCreated\":5,\"activeSessions\":4}", response.getBody());
        assertEquals(List.of("BatchGetItem"), requests.operations());
    }
}
