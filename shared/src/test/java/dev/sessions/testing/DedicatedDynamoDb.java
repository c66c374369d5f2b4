package dev.sessions.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A DynamoDB fidelity proxy of a test's own, with the timings the test sets (a transaction held for
 * seconds, an index that trails by seconds), in front of the harness's emulator, in a region nobody
 * else uses ({@link #REGION}) with its copies in three more. One at a time: each starts by making
 * its copies' regions match its region's tables.
 */
public final class DedicatedDynamoDb implements AutoCloseable {

    /** The region a dedicated proxy's clients sign for. */
    public static final Region REGION = Region.CA_WEST_1;
    private static final List<String> COPIES = List.of("ap-south-2", "ap-southeast-3", "ap-southeast-4");

    private final ServerProcess process;
    private final AwsEndpoint endpoint;
    private final DynamoDbClient dynamo;

    private DedicatedDynamoDb(ServerProcess process, AwsEndpoint endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.dynamo = endpoint.dynamoDb();
    }

    /** In front of the emulator behind the harness's {@code aws}. */
    public static DedicatedDynamoDb start(AwsEndpoint aws, DynamoDbFidelity.Settings settings) {
        return startBehind(aws.emulatorIn(REGION).uri(), settings);
    }

    /** In front of {@code upstream} (a fault proxy in front of the emulator, say). */
    public static DedicatedDynamoDb startBehind(URI upstream, DynamoDbFidelity.Settings settings) {
        AwsEndpoint behind = new AwsEndpoint(upstream, REGION, true);
        ServerProcess process = DynamoDbFidelity.start(behind, settings, COPIES,
                Path.of("target", "services", "dedicated-dynamodb-" + UUID.randomUUID() + ".log").toAbsolutePath());
        return new DedicatedDynamoDb(process, DynamoDbFidelity.endpointOf(process, behind, settings));
    }

    /** Where its clients go: give it to an {@link ApiTestbed}, say. */
    public AwsEndpoint endpoint() {
        return endpoint;
    }

    /** A client of it. */
    public DynamoDbClient dynamo() {
        return dynamo;
    }

    /** A number of its status: {@code held}, {@code conflicts}, {@code ttlDeleted}... */
    public long status(String name) {
        return DynamoDbFidelity.statusNumber(endpoint.uri(), name);
    }

    @Override
    public void close() {
        dynamo.close();
        process.close();
    }
}
