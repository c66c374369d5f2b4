package dev.sessions.local.streams;

import dev.sessions.json.Json;
import dev.sessions.local.template.StreamMapping;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The on-failure destination of stream mappings, in the shape Lambda sends (the batch's position in
 * the stream, never its records): to the template's SQS queue the destination names, sent as the
 * function's role sends it (on AWS the mapping uses the function's execution role), so that the
 * queue's grant and its alarm are exercised; to a JSON-lines file {@code <dir>/<name>.jsonl} for a
 * destination the template has no queue for (SNS, or another account's).
 */
public final class DeadLetters {

    /** Sends a message to a queue with a function's credentials. */
    @FunctionalInterface
    public interface QueueSender {
        /** @throws RuntimeException when the queue refuses it (IAM, unreachable) */
        void send(String functionId, String queueUrl, String body);
    }

    private final Path directory;
    private final String region;
    private final PrintStream log;
    private final Map<String, String> queueUrlsByArn;
    private final QueueSender sender;

    /** Every destination to a file. */
    public DeadLetters(Path directory, String region, PrintStream log) {
        this(directory, region, log, Map.of(), null);
    }

    /**
     * @param queueUrlsByArn the template's queues: their URLs by the ARN a destination names
     * @param sender how a function's message reaches a queue
     */
    public DeadLetters(Path directory, String region, PrintStream log, Map<String, String> queueUrlsByArn,
                       QueueSender sender) {
        this.directory = directory;
        this.region = region;
        this.log = log;
        this.queueUrlsByArn = Map.copyOf(queueUrlsByArn);
        this.sender = sender;
    }

    /** The file a destination writes to: its name after the last ':' or '/' of its ARN or URL. */
    public Path fileOf(String destination) {
        String name = destination.substring(Math.max(destination.lastIndexOf(':'), destination.lastIndexOf('/')) + 1);
        return directory.resolve(name + ".jsonl");
    }

    synchronized void send(StreamMapping mapping, String streamArn, String shardId, List<Record> records,
                           String condition, int invokeCount) {
        if (mapping.onFailureDestination() == null) {
            log.println("error: " + mapping.functionId() + " dropped " + records.size() + " record(s) (" + condition
                    + "); its mapping has no on-failure destination");
            return;
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("requestId", UUID.randomUUID().toString());
        context.put("functionArn", "arn:aws:lambda:" + region + ":123456789012:function:" + mapping.functionId());
        context.put("condition", condition);
        context.put("approximateInvokeCount", invokeCount);
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("shardId", shardId);
        batch.put("startSequenceNumber", records.getFirst().dynamodb().sequenceNumber());
        batch.put("endSequenceNumber", records.getLast().dynamodb().sequenceNumber());
        batch.put("approximateArrivalOfFirstRecord", arrival(records.getFirst()));
        batch.put("approximateArrivalOfLastRecord", arrival(records.getLast()));
        batch.put("batchSize", records.size());
        batch.put("streamArn", streamArn);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("requestContext", context);
        message.put("responseContext", Map.of("statusCode", 200, "executedVersion", "$LATEST", "functionError", "Unhandled"));
        message.put("version", "1.0");
        message.put("timestamp", Instant.now().toString());
        message.put("DDBStreamBatchInfo", batch);
        String queueUrl = queueUrlsByArn.get(mapping.onFailureDestination());
        if (queueUrl != null && sender != null) {
            try {
                sender.send(mapping.functionId(), queueUrl, Json.write(message));
                log.println("sent " + records.size() + " record(s) of " + mapping.functionId() + " to " + queueUrl
                        + " (" + condition + ")");
            } catch (RuntimeException refused) {
                // as on AWS: the batch is lost, and only the mapping's own error says so
                log.println("error: " + mapping.functionId() + " could not send " + records.size() + " record(s) to its"
                        + " on-failure destination " + queueUrl + ": " + refused.getMessage());
            }
            return;
        }
        Path file = fileOf(mapping.onFailureDestination());
        try {
            Files.createDirectories(directory);
            Files.writeString(file, Json.write(message) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        log.println("sent " + records.size() + " record(s) of " + mapping.functionId() + " to " + file + " (" + condition + ")");
    }

    private static String arrival(Record record) {
        Instant at = record.dynamodb().approximateCreationDateTime();
        return at == null ? null : at.toString();
    }
}
