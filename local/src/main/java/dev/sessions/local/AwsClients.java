package dev.sessions.local;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The clients the local runtime itself uses (bootstrap, stream pollers), for the same AWS its functions see. */
final class AwsClients {

    private AwsClients() {
    }

    /** @param aws AWS_REGION, AWS_ENDPOINT_URL and credentials, as the functions get them */
    static DynamoDbClient dynamoDb(Map<String, String> aws) {
        return DynamoDbClients.fromEnvironment(aws);
    }

    static SqsClient sqs(Map<String, String> aws) {
        return configured(SqsClient.builder(), aws).build();
    }

    static software.amazon.awssdk.services.eventbridge.EventBridgeClient events(Map<String, String> aws) {
        return configured(software.amazon.awssdk.services.eventbridge.EventBridgeClient.builder(), aws).build();
    }

    static DynamoDbStreamsClient streams(Map<String, String> aws) {
        return configured(DynamoDbStreamsClient.builder(), aws).build();
    }

    /** A client of any service on the functions' region, credentials and endpoint. */
    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configured(
            B builder, Map<String, String> aws) {
        builder.httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(aws.getOrDefault("AWS_REGION", "us-east-1")))
                .credentialsProvider(DynamoDbClients.credentials(aws));
        String endpoint = aws.get("AWS_ENDPOINT_URL");
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder;
    }
}
