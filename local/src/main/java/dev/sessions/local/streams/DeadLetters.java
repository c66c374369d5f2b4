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
 * The on-failure destination of stream mappings, locally: one JSON line per abandoned batch in
 * {@code <dir>/<destination name>.jsonl}, in the shape Lambda sends to SQS or SNS (the batch's
 * position in the stream, never its records).
 */
public final class DeadLetters {

    private final Path directory;
    private final String region;
    private final PrintStream log;

    public DeadLetters(Path directory, String region, PrintStream log) {
        this.directory = directory;
        this.region = region;
        this.log = log;
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
