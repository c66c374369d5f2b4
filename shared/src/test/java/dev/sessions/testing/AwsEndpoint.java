package dev.sessions.testing;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB-and-Streams endpoint for integration tests: the moto server the harness started,
 * or whatever {@code AWS_ENDPOINT_URL} names (LocalStack, another emulator, or AWS itself).
 *
 * @param uri the endpoint
 * @param region the region to sign for
 * @param emulated true when the endpoint is an emulator, which takes any credentials
 */
public record AwsEndpoint(URI uri, Region region, boolean emulated) {

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
}
