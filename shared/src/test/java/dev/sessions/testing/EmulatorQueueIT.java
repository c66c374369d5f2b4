package dev.sessions.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * SQS long polling on the test endpoint, as SQS does it: a poll waiting on an empty queue holds up
 * no other request, and a message sent while it waits is what it returns. (The project's moto server
 * applies requests one at a time; a poll waiting inside that order would hold every other client
 * up for its whole wait, and never end under a shifted clock.)
 */
@ExtendWith(LocalServices.class)
class EmulatorQueueIT {

    @Test
    void givenALongPollOnAnEmptyQueue_whenOtherRequestsAndThenAMessageArrive_thenTheyGoOnAndThePollReturnsIt(AwsEndpoint aws)
            throws Exception {
        ExecutorService poller = Executors.newSingleThreadExecutor();
        try (SqsClient sqs = SqsClient.builder().endpointOverride(aws.uri()).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
            String polled = sqs.createQueue(b -> b.queueName("polled-" + UUID.randomUUID().toString().substring(0, 8)))
                    .queueUrl();
            String other = sqs.createQueue(b -> b.queueName("other-" + UUID.randomUUID().toString().substring(0, 8)))
                    .queueUrl();
            try {
                Future<List<Message>> poll = poller.submit(() -> sqs.receiveMessage(b -> b.queueUrl(polled)
                        .waitTimeSeconds(20)).messages());

                sqs.sendMessage(b -> b.queueUrl(other).messageBody("meanwhile"));
                List<Message> meanwhile = sqs.receiveMessage(b -> b.queueUrl(other).waitTimeSeconds(0)).messages();
                assertFalse(poll.isDone(), "the poll still waits while another queue is served");
                assertEquals("meanwhile", meanwhile.getFirst().body());

                sqs.sendMessage(b -> b.queueUrl(polled).messageBody("arrived"));
                List<Message> received = poll.get(15, TimeUnit.SECONDS); // well before its 20 s wait is over

                assertEquals(List.of("arrived"), received.stream().map(Message::body).toList());
            } finally {
                sqs.deleteQueue(b -> b.queueUrl(polled));
                sqs.deleteQueue(b -> b.queueUrl(other));
            }
        } finally {
            poller.shutdownNow();
        }
    }
}
