package dev.sessions.local.streams;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.StreamMapping;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * One DynamoDB stream event source mapping, run locally through the Streams API of the endpoint
 * with Lambda's semantics: shards read in order (a parent before its children), FilterCriteria
 * applied before batching, batches up to BatchSize or the batching window, and on failure:
 * {@code ReportBatchItemFailures} (resume from the lowest failed sequence number),
 * BisectBatchOnFunctionError (halves, which do not count as retries), MaximumRetryAttempts,
 * MaximumRecordAgeInSeconds, and the on-failure destination. A throttled invocation (the function
 * at its concurrency) is no function error: the same batch is tried again, no retry spent, unsplit.
 */
public final class StreamPoller implements AutoCloseable {

    /** Lambda polls each shard about four times a second. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    /** How long a throttled invocation waits before the same batch is tried again. */
    static final Duration THROTTLE_BACKOFF = Duration.ofMillis(200);
    /**
     * How deep a record's JSON may nest: an item nests 32 levels (DynamoDB's limit), each two JSON
     * levels in a stream record, inside the record's own envelope.
     */
    static final int RECORD_MAX_DEPTH = 2 * 32 + 16;

    private final StreamMapping mapping;
    private final String tableName;
    private final DynamoDbClient dynamo;
    private final DynamoDbStreamsClient streams;
    private final LocalLambda lambda;
    private final DeadLetters deadLetters;
    private final PrintStream log;
    private final EventFilter filter;
    private final String region;
    private final Thread thread;
    private volatile boolean running = true;

    private final Map<String, ShardReader> readers = new LinkedHashMap<>();
    private final Set<String> finishedShards = new HashSet<>();

    public StreamPoller(StreamMapping mapping, String tableName, DynamoDbClient dynamo, DynamoDbStreamsClient streams,
                        LocalLambda lambda, DeadLetters deadLetters, String region, PrintStream log) {
        this.mapping = mapping;
        this.tableName = tableName;
        this.dynamo = dynamo;
        this.streams = streams;
        this.lambda = lambda;
        this.deadLetters = deadLetters;
        this.region = region;
        this.log = log;
        try {
            this.filter = EventFilter.of(mapping.filterPatterns());
        } catch (IllegalArgumentException refused) {
            // at start, in one line, as Lambda refuses the mapping: never a poller that silently stops
            throw new dev.sessions.local.template.TemplateException("the stream mapping of " + mapping.functionId()
                    + " has a FilterCriteria pattern that cannot be used: " + refused.getMessage());
        }
        this.thread = Thread.ofPlatform().daemon().name("stream-" + mapping.functionId()).unstarted(this::run);
    }

    /** Starts polling in the background. */
    public StreamPoller start() {
        thread.start();
        return this;
    }

    private void run() {
        String streamArn = null;
        while (running) {
            try {
                if (streamArn == null) {
                    streamArn = dynamo.describeTable(b -> b.tableName(tableName)).table().latestStreamArn();
                    if (streamArn == null) {
                        log.println("error: table " + tableName + " has no stream; " + mapping.functionId()
                                + "'s " + mapping.eventName() + " event gets no records");
                        return;
                    }
                }
                refreshShards(streamArn);
                boolean readAny = false;
                for (ShardReader reader : List.copyOf(readers.values())) {
                    readAny |= reader.poll();
                    if (reader.finished()) {
                        readers.remove(reader.shardId);
                        finishedShards.add(reader.shardId);
                    }
                }
                if (!readAny) {
                    Thread.sleep(POLL_INTERVAL);
                }
            } catch (InterruptedException e) {
                return;
            } catch (SdkException e) {
                if (running) {
                    log.println("error: polling " + tableName + "'s stream for " + mapping.functionId() + ": "
                            + e.getMessage());
                    pause(Duration.ofSeconds(1));
                }
            } catch (RuntimeException e) {
                // a poller that stops leaves its function without records for the rest of the run: say so
                log.println("error: " + mapping.functionId() + "'s " + mapping.eventName() + " event stopped: " + e);
                throw e;
            }
        }
    }

    private void refreshShards(String streamArn) {
        List<Shard> shards = new ArrayList<>();
        String start = null;
        do {
            String from = start;
            StreamDescription description = streams.describeStream(b -> b.streamArn(streamArn)
                    .exclusiveStartShardId(from)).streamDescription();
            shards.addAll(description.shards());
            start = description.lastEvaluatedShardId();
        } while (start != null);
        Set<String> known = new HashSet<>();
        shards.forEach(s -> known.add(s.shardId()));
        for (Shard shard : shards) {
            if (readers.containsKey(shard.shardId()) || finishedShards.contains(shard.shardId())) {
                continue;
            }
            String parent = shard.parentShardId();
            boolean parentPending = parent != null && known.contains(parent) && !finishedShards.contains(parent);
            if (!parentPending) {
                // a child shard holds records after its parent's: always read it from its start
                boolean child = parent != null && finishedShards.contains(parent);
                readers.put(shard.shardId(), new ShardReader(streamArn, shard.shardId(), child));
            }
        }
    }

    /** Reads one shard and delivers its records, in order, batch by batch. */
    private final class ShardReader {
        private final String streamArn;
        private final String shardId;
        private final boolean fromStart;
        private String iterator;
        private String lastRead;
        private boolean closed;
        private final List<Pending> pending = new ArrayList<>();
        private long firstPendingNanos;

        ShardReader(String streamArn, String shardId, boolean fromStart) {
            this.streamArn = streamArn;
            this.shardId = shardId;
            this.fromStart = fromStart;
        }

        boolean finished() {
            return closed && pending.isEmpty();
        }

        /** Reads once and delivers what is due; returns whether records arrived. */
        boolean poll() throws InterruptedException {
            boolean arrived = false;
            if (!closed) {
                if (iterator == null) {
                    iterator = newIterator();
                }
                GetRecordsResponse response;
                try {
                    String current = iterator;
                    response = streams.getRecords(b -> b.shardIterator(current).limit(1000));
                } catch (ExpiredIteratorException e) {
                    iterator = null;
                    return false;
                }
                iterator = response.nextShardIterator();
                closed = iterator == null;
                for (Record record : response.records()) {
                    arrived = true;
                    Map<String, Object> lambdaRecord = StreamRecords.toLambda(record, streamArn, region);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> asJson = (Map<String, Object>) Json.parse(Json.write(lambdaRecord),
                            RECORD_MAX_DEPTH);
                    if (filter.passes(asJson)) {
                        if (pending.isEmpty()) {
                            firstPendingNanos = System.nanoTime();
                        }
                        pending.add(new Pending(record, asJson));
                    }
                    lastRead = record.dynamodb().sequenceNumber(); // filtered records are passed over too
                }
            }
            while (!pending.isEmpty() && running) {
                boolean full = pending.size() >= mapping.batchSize();
                boolean windowOver = System.nanoTime() - firstPendingNanos
                        >= Duration.ofSeconds(mapping.maxBatchingWindowSeconds()).toNanos();
                if (!full && !windowOver && !closed) {
                    break;
                }
                List<Pending> batch = new ArrayList<>(pending.subList(0, Math.min(mapping.batchSize(), pending.size())));
                deliver(batch);
                pending.subList(0, batch.size()).clear();
                firstPendingNanos = System.nanoTime();
            }
            return arrived;
        }

        private String newIterator() {
            ShardIteratorType type;
            if (lastRead != null) {
                type = ShardIteratorType.AFTER_SEQUENCE_NUMBER;
            } else if (fromStart || mapping.startingPosition().equals("TRIM_HORIZON")) {
                type = ShardIteratorType.TRIM_HORIZON;
            } else {
                type = ShardIteratorType.LATEST;
            }
            String after = lastRead;
            return streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId).shardIteratorType(type)
                    .sequenceNumber(after)).shardIterator();
        }

        private void deliver(List<Pending> batch) throws InterruptedException {
            Deque<Attempt> work = new ArrayDeque<>();
            work.push(new Attempt(batch, 0));
            while (!work.isEmpty() && running) {
                Attempt attempt = work.pop();
                if (tooOld(attempt.records())) {
                    deadLetters.send(mapping, streamArn, shardId, records(attempt.records()), "RecordAgeExceeded",
                            attempt.retries() + 1);
                    continue;
                }
                InvocationResult result = lambda.invoke(mapping.functionId(), event(attempt.records()));
                if (result.throttled()) {
                    // not a function error (services-dynamodb-errors): the same batch again, later, with
                    // no retry spent and no split
                    Thread.sleep(THROTTLE_BACKOFF.toMillis());
                    work.push(attempt);
                    continue;
                }
                List<Pending> failed = failedRecords(attempt.records(), result);
                if (failed.isEmpty()) {
                    continue;
                }
                boolean partial = !result.failed(); // a reported failure resumes at its checkpoint, unsplit
                if (mapping.bisectOnError() && !partial && failed.size() > 1) {
                    int half = failed.size() / 2;
                    work.push(new Attempt(failed.subList(half, failed.size()), attempt.retries()));
                    work.push(new Attempt(failed.subList(0, half), attempt.retries()));
                    continue;
                }
                int retries = attempt.retries() + 1;
                if (mapping.maxRetryAttempts() >= 0 && retries > mapping.maxRetryAttempts()) {
                    log.println("error: " + mapping.functionId() + " gave up on " + failed.size() + " record(s) of "
                            + shardId + " after " + mapping.maxRetryAttempts() + " retries");
                    deadLetters.send(mapping, streamArn, shardId, records(failed), "RetryAttemptsExhausted", retries);
                    continue;
                }
                Thread.sleep(Math.min(2000, 50L << Math.min(retries, 6)));
                work.push(new Attempt(failed, retries));
            }
        }

        private boolean tooOld(List<Pending> records) {
            if (mapping.maxRecordAgeSeconds() < 0) {
                return false;
            }
            Instant oldest = records.getFirst().record().dynamodb().approximateCreationDateTime();
            return oldest != null && oldest.isBefore(Instant.now().minusSeconds(mapping.maxRecordAgeSeconds()));
        }

        private byte[] event(List<Pending> records) {
            List<Map<String, Object>> lambdaRecords = new ArrayList<>(records.size());
            records.forEach(p -> lambdaRecords.add(p.json()));
            return Json.write(StreamRecords.event(lambdaRecords)).getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The records to retry: none on success; from the lowest reported sequence number on, with
     * ReportBatchItemFailures; the whole batch on a function error or a malformed report.
     */
    List<Pending> failedRecords(List<Pending> batch, InvocationResult result) {
        if (result.failed()) {
            return batch;
        }
        if (!mapping.reportBatchItemFailures()) {
            return List.of();
        }
        Object response;
        try {
            response = Json.parse(result.payloadText());
        } catch (JsonException e) {
            return List.of(); // not a partial response: Lambda counts the batch as a success
        }
        if (!(response instanceof Map<?, ?> map) || !(map.get("batchItemFailures") instanceof List<?> failures)
                || failures.isEmpty()) {
            return List.of();
        }
        BigInteger lowest = null;
        for (Object failure : failures) {
            if (!(failure instanceof Map<?, ?> item) || !(item.get("itemIdentifier") instanceof String id) || id.isEmpty()) {
                return batch;
            }
            BigInteger sequence;
            try {
                sequence = new BigInteger(id);
            } catch (NumberFormatException e) {
                return batch;
            }
            lowest = lowest == null || sequence.compareTo(lowest) < 0 ? sequence : lowest;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (new BigInteger(batch.get(i).record().dynamodb().sequenceNumber()).equals(lowest)) {
                return batch.subList(i, batch.size());
            }
        }
        return batch; // an identifier that is not in the batch: treated as the whole batch failing
    }

    private static List<Record> records(List<Pending> pending) {
        return pending.stream().map(Pending::record).toList();
    }

    /** A record waiting for delivery, with its Lambda JSON form. */
    record Pending(Record record, Map<String, Object> json) {
    }

    private record Attempt(List<Pending> records, int retries) {
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
