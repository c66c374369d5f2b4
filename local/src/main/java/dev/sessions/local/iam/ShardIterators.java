package dev.sessions.local.iam;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which stream each shard iterator reads. A GetRecords request names only its iterator, yet AWS
 * authorizes it against the stream the iterator belongs to; the proxy learns that from the answers
 * it forwards (GetShardIterator's {@code ShardIterator}, GetRecords' {@code NextShardIterator}).
 * Bounded: an iterator lives 15 minutes on AWS, and the oldest are forgotten first.
 */
final class ShardIterators {

    private static final int CAPACITY = 10_000;

    private final Map<String, String> streams = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The stream {@code iterator} reads, or {@code null} when this proxy never answered it. */
    synchronized String streamOf(String iterator) {
        return streams.get(iterator);
    }

    /** Learns from a successful answer to {@code operation} of the streams API. */
    void answered(String operation, byte[] requestBody, byte[] answer) {
        if (!operation.equals("GetShardIterator") && !operation.equals("GetRecords")) {
            return;
        }
        Map<String, Object> request = parse(requestBody);
        Map<String, Object> response = parse(answer);
        String stream = operation.equals("GetShardIterator")
                ? text(request.get("StreamArn")) : streamOf(text(request.get("ShardIterator")));
        String next = text(response.get(operation.equals("GetShardIterator") ? "ShardIterator" : "NextShardIterator"));
        if (stream != null && next != null) {
            synchronized (this) {
                streams.put(next, stream);
            }
        }
    }

    private static Map<String, Object> parse(byte[] body) {
        try {
            return body.length == 0 ? Map.of() : Json.parseObject(new String(body, StandardCharsets.UTF_8),
                    ActionRequest.MAX_DEPTH);
        } catch (JsonException e) {
            return Map.of();
        }
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }
}
