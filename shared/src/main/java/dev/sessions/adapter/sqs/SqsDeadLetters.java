package dev.sessions.adapter.sqs;

import dev.sessions.adapter.lambda.DeadLetters;
import dev.sessions.adapter.lambda.PoisonRecord;
import dev.sessions.adapter.lambda.ServiceClients;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

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
        return new SqsDeadLetters(queueUrl, () -> ServiceClients.build(SqsClient.builder(), env, "AWS_ENDPOINT_URL_SQS"));
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
}
