package dev.sessions.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GetRecords is authorized against the stream its iterator reads, learnt from earlier answers. */
class ShardIteratorsTest {

    private static final String STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/s/stream/2026-01-01T00:00:00.000";

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void givenAnIteratorFromGetShardIteratorAndItsSuccessors_whenGetRecordsIsRead_thenItNamesTheStream() {
        ShardIterators iterators = new ShardIterators();
        iterators.answered("GetShardIterator", bytes("{\"StreamArn\":\"" + STREAM + "\",\"ShardId\":\"s1\"}"),
                bytes("{\"ShardIterator\":\"it-1\"}"));
        iterators.answered("GetRecords", bytes("{\"ShardIterator\":\"it-1\"}"),
                bytes("{\"Records\":[],\"NextShardIterator\":\"it-2\"}"));

        for (String iterator : List.of("it-1", "it-2")) {
            assertEquals(List.of(new ActionRequest.Check("dynamodb:GetRecords", STREAM)),
                    ActionRequest.of("DynamoDBStreams_20120810.GetRecords", bytes("{\"ShardIterator\":\"" + iterator + "\"}"),
                            "eu-west-1", "123456789012", iterators::streamOf).checks());
        }
    }

    @Test
    void givenAnIteratorNoAnswerGave_whenGetRecordsIsRead_thenTheResourceIsUnknown() {
        ShardIterators iterators = new ShardIterators();
        iterators.answered("GetRecords", bytes("{\"ShardIterator\":\"unknown\"}"), bytes("{\"NextShardIterator\":\"it-9\"}"));

        assertNull(iterators.streamOf("it-9"));
        assertEquals(List.of(new ActionRequest.Check("dynamodb:GetRecords", "*")),
                ActionRequest.of("DynamoDBStreams_20120810.GetRecords", bytes("{\"ShardIterator\":\"unknown\"}"),
                        "eu-west-1", "123456789012", iterators::streamOf).checks());
    }
}
