package dev.sessions.testing;

import dev.sessions.adapter.sqs.SqsDeadLetters;
import dev.sessions.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** A fresh SQS queue on the emulator, as the stream functions' dead-letter queue, and what arrived in it. */
public final class QueueFixture implements AutoCloseable {

    private final SqsClient sqs;
    private final String url;

    public QueueFixture(AwsEndpoint aws) {
        this.sqs = SqsClient.builder().endpointOverride(aws.uri()).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        this.url = sqs.createQueue(b -> b.queueName("dead-letters-" + UUID.randomUUID().toString().substring(0, 8)))
                .queueUrl();
    }

    public String url() {
        return url;
    }

    /** The dead letters as a function sends them, to this queue, through the emulator. */
    public SqsDeadLetters deadLetters() {
        return new SqsDeadLetters(url, () -> sqs);
    }

    /** Every message in the queue now, each parsed as JSON (the queue is read, not emptied for good). */
    public List<Map<String, Object>> messages() {
        List<Map<String, Object>> messages = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            var batch = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(30)).messages();
            if (batch.isEmpty()) {
                break;
            }
            batch.forEach(m -> messages.add(Json.parseObject(m.body(), 8)));
        }
        return messages;
    }

    @Override
    public void close() {
        sqs.deleteQueue(b -> b.queueUrl(url));
        sqs.close();
    }
}
