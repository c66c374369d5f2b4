package dev.sessions.adapter.lambda;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * A client of a service other than DynamoDB (SQS, EventBridge) as a function builds it from its
 * environment, the way its DynamoDB client is built: url-connection, short connection and socket
 * timeouts, the region and credentials of the environment, and {@code AWS_ENDPOINT_URL_<SERVICE>}
 * or {@code AWS_ENDPOINT_URL} when set (an emulator, the local runtime's IAM proxy).
 */
public final class ServiceClients {

    private ServiceClients() {
    }

    /** @param serviceEndpoint the service's own endpoint variable, such as {@code AWS_ENDPOINT_URL_SQS} */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(
            B builder, Map<String, String> env, String serviceEndpoint) {
        builder.httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(5)).build())
                .region(Region.of(first(env, "AWS_REGION", first(env, "AWS_DEFAULT_REGION", "us-east-1"))))
                .credentialsProvider(DynamoDbClients.credentials(env))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(10)));
        String endpoint = first(env, serviceEndpoint, first(env, "AWS_ENDPOINT_URL", null));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    private static String first(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
