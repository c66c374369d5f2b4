package dev.sessions.adapter.sqs;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.adapter.lambda.DeadLetters;
import dev.sessions.adapter.lambda.PoisonRecord;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The dead-letter queue in SQS. The client is built on first use, not at init: a poison record is
 * rare, and a stream function should not pay for SQS at every cold start.
 */
public final class SqsDeadLetters implements DeadLetters {

    private final String queueUrl;
    private final Supplier<SqsClient> clients;
    private volatile SqsClient client;

    public SqsDeadLetters(String queueUrl, Supplier<SqsClient> clients) {
        this.queueUrl = queueUrl;
        this.clients = clients;
    }

    /** For a function's environment: the queue at {@code queueUrl}, a client as the DynamoDB one is built. */
    public static SqsDeadLetters fromEnvironment(String queueUrl, Map<String, String> env) {
        return new SqsDeadLetters(queueUrl, () -> {
            SqsClientBuilder builder = SqsClient.builder()
                    .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                            .socketTimeout(Duration.ofSeconds(5)).build())
                    .region(Region.of(first(env, "AWS_REGION", first(env, "AWS_DEFAULT_REGION", "us-east-1"))))
                    .credentialsProvider(DynamoDbClients.credentials(env))
                    .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(10)));
            String endpoint = first(env, "AWS_ENDPOINT_URL_SQS", first(env, "AWS_ENDPOINT_URL", null));
            if (endpoint != null) {
                builder.endpointOverride(URI.create(endpoint));
            }
            return builder.build();
        });
    }

    @Override
    public void setAside(PoisonRecord record) {
        try {
            client().sendMessage(b -> b.queueUrl(queueUrl).messageBody(record.toJson()));
        } catch (SdkException e) {
            throw new Unavailable("the dead-letter queue could not take the record", e);
        }
    }

    private SqsClient client() {
        SqsClient built = client;
        if (built == null) {
            synchronized (this) {
                if (client == null) {
                    client = clients.get();
                }
                built = client;
            }
        }
        return built;
    }

    private static String first(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
