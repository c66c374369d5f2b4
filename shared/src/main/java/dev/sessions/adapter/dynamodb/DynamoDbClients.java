package dev.sessions.adapter.dynamodb;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * Builds the DynamoDB client of an execution environment, once, from its environment variables.
 * Every choice is explicit so that nothing is discovered at cold start: the url-connection HTTP
 * client, the region from {@code AWS_REGION}, credentials as {@link #credentials} finds them,
 * and the endpoint from {@code AWS_ENDPOINT_URL_DYNAMODB} or {@code AWS_ENDPOINT_URL} when set
 * (an emulator locally; unset on AWS).
 */
public final class DynamoDbClients {

    /** The longest one call can take, its retries included: what a caller with a deadline keeps back. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Bounded retries for a request a person is waiting on. The SDK's DynamoDB default retries a
     * throttled call for tens of seconds; here three attempts with short backoff give up in well
     * under a second, and the API answers 503 with Retry-After instead of hanging. A write refused
     * because a transaction holds its item ({@code TransactionConflictException}) applied nothing,
     * and the transaction is over in milliseconds: it is tried again too, which the SDK does not do
     * by itself (docs/design.md, decision 36).
     */
    static final RetryStrategy RETRIES = AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(3)
            .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(20), Duration.ofMillis(200)))
            .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofMillis(400)))
            .retryOnException(TransactionConflictException.class)
            .build();

    private DynamoDbClients() {
    }

    public static DynamoDbClient fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static DynamoDbClient fromEnvironment(Map<String, String> env) {
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(5))
                        .build())
                .region(Region.of(value(env, "AWS_REGION", value(env, "AWS_DEFAULT_REGION", "us-east-1"))))
                .credentialsProvider(credentials(env))
                .overrideConfiguration(c -> c.retryStrategy(RETRIES).apiCallTimeout(CALL_TIMEOUT));
        String endpoint = value(env, "AWS_ENDPOINT_URL_DYNAMODB", value(env, "AWS_ENDPOINT_URL", null));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    /**
     * Credentials from the given environment: its keys when it has them; else Lambda's container
     * credentials endpoint (how SnapStart functions get them after a restore); else the SDK's
     * default chain.
     */
    public static AwsCredentialsProvider credentials(Map<String, String> env) {
        String key = value(env, "AWS_ACCESS_KEY_ID", null);
        if (key != null) {
            String secret = value(env, "AWS_SECRET_ACCESS_KEY", "");
            String session = value(env, "AWS_SESSION_TOKEN", null);
            return StaticCredentialsProvider.create(session == null ? AwsBasicCredentials.create(key, secret)
                    : AwsSessionCredentials.create(key, secret, session));
        }
        if (value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", null) != null) {
            return ContainerCredentialsProvider.builder().build();
        }
        return DefaultCredentialsProvider.builder().build();
    }

    static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
