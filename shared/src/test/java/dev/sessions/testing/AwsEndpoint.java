package dev.sessions.testing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB-and-Streams endpoint for integration tests: the moto server the harness started,
 * or whatever {@code AWS_ENDPOINT_URL} names (LocalStack, another emulator, or AWS itself). In
 * front of an emulator the harness puts {@code scripts/dynamodb_fidelity.py}, so that eventually
 * consistent reads and index queries trail the writes, and transactions and TTL act, as DynamoDB's do.
 *
 * @param uri the endpoint
 * @param region the region to sign for
 * @param emulated true when the endpoint is an emulator, which takes any credentials
 * @param readLag how far eventually consistent reads trail the writes at least: the emulation's
 *     lag, or zero where nothing emulates it (AWS itself lags by its own, unbounded, amount)
 * @param emulator the emulator itself, behind the harness's DynamoDB fidelity proxy ({@code uri}
 *     where there is none): what a test that runs a proxy of its own puts it in front of
 */
public record AwsEndpoint(URI uri, Region region, boolean emulated, Duration readLag, URI emulator) {

    /** An endpoint with nothing of the harness's in front of it. */
    public AwsEndpoint(URI uri, Region region, boolean emulated, Duration readLag) {
        this(uri, region, emulated, readLag, uri);
    }

    /** An endpoint whose reads lag by nothing this harness controls. */
    public AwsEndpoint(URI uri, Region region, boolean emulated) {
        this(uri, region, emulated, Duration.ZERO);
    }

    /** The same endpoint reached at {@code other} (a fault proxy in front of it, say). */
    public AwsEndpoint at(URI other) {
        return new AwsEndpoint(other, region, emulated, readLag, emulator);
    }

    /** The emulator itself, in {@code region}: DynamoDB as the emulator has it, nothing in front. */
    public AwsEndpoint emulatorIn(Region region) {
        return new AwsEndpoint(emulator, region, emulated, Duration.ZERO, emulator);
    }

    /**
     * Waits until eventually consistent reads and index queries see every write made before the
     * call (the copies have them all); at once where reads do not lag here. Polls with a bound.
     */
    public void awaitReadsCaughtUp() {
        if (!readLag.isZero()) {
            DynamoDbFidelity.awaitCaughtUp(uri, readLag.multipliedBy(10).plusSeconds(5));
        }
    }

    /**
     * The service's time, from the Date header of a DynamoDB answer, to the second: what TTL runs
     * on. A test that writes an expiry for TTL to act on takes its time from here, not from its own
     * clock, which may be off (scripts/test-shifted moves it a year ahead; AWS's never is).
     */
    public java.time.Instant serviceTime() {
        try (DynamoDbClient dynamo = dynamoDb()) {
            String date = dynamo.listTables(b -> b.limit(1)).sdkHttpResponse().firstMatchingHeader("Date")
                    .orElseThrow(() -> new IllegalStateException(uri + " answered without a Date header"));
            return java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        }
    }

    public AwsCredentialsProvider credentials() {
        return emulated && System.getenv("AWS_ACCESS_KEY_ID") == null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))
                : DefaultCredentialsProvider.builder().build();
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb(null);
    }

    /** A client whose requests {@code interceptor} sees, or a plain one when it is null. */
    public DynamoDbClient dynamoDb(software.amazon.awssdk.core.interceptor.ExecutionInterceptor interceptor) {
        return DynamoDbClient.builder()
                .overrideConfiguration(c -> {
                    if (interceptor != null) {
                        c.addExecutionInterceptor(interceptor);
                    }
                })
                .endpointOverride(uri)
                .region(region)
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    public DynamoDbStreamsClient streams() {
        return DynamoDbStreamsClient.builder()
                .endpointOverride(uri)
                .region(region)
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** The REMOVE records of {@code table}'s stream so far, every shard read from its start. */
    public List<Record> streamRemovals(String table) {
        try (DynamoDbStreamsClient streams = streams(); DynamoDbClient dynamo = dynamoDb()) {
            String arn = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
            List<Record> removals = new ArrayList<>();
            for (var shard : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
                String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                        .shardIterator();
                streams.getRecords(b -> b.shardIterator(iterator).limit(1000)).records().stream()
                        .filter(r -> "REMOVE".equals(r.eventNameAsString())).forEach(removals::add);
            }
            return removals;
        }
    }
}
