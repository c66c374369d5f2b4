package dev.sessions.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.sessions.testing.Executables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The stream batch codec the sync functions use, held to the Java events library's reading of the same batches. */
class StreamPayloadTest {

    private static DynamodbEvent read(String json) throws IOException {
        return StreamPayload.readEvent(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @TestFactory
    Stream<DynamicTest> givenEveryStreamEventFile_whenRead_thenTheSameBatchAsTheEventsLibraryGives() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(Executables.projectRoot().resolve("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String text = Files.readString(file);
                if (!text.contains("\"aws:dynamodb\"")) {
                    continue; // an HTTP request
                }
                tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> assertEquals(
                        EventLoader.loadDynamoDbEvent(file.toString()), read(text))));
            }
        }
        assertFalse(tests.isEmpty(), "no stream batches in events/");
        return tests.stream();
    }

    @Test
    void givenEveryAttributeType_whenRead_thenEachValueKept() throws IOException {
        DynamodbEvent batch = read("""
                {"Records":[{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1795774530.5,
                "NewImage":{"s":{"S":"é"},"n":{"N":"-1.5E+3"},"b":{"B":"AAEC"},"t":{"BOOL":true},"z":{"NULL":true},
                "ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AA=="]},"m":{"M":{"l":{"L":[{"N":"1"},{"M":{}}]}}}}}}]}""");

        Map<String, AttributeValue> image = batch.getRecords().getFirst().getDynamodb().getNewImage();
        assertEquals(1_795_774_530_500L, batch.getRecords().getFirst().getDynamodb().getApproximateCreationDateTime().getTime());
        assertEquals("é", image.get("s").getS());
        assertEquals("-1.5E+3", image.get("n").getN(), "numbers stay as written");
        assertEquals(ByteBuffer.wrap(new byte[] {0, 1, 2}), image.get("b").getB());
        assertEquals(Boolean.TRUE, image.get("t").getBOOL());
        assertEquals(Boolean.TRUE, image.get("z").getNULL());
        assertEquals(List.of("a", "b"), image.get("ss").getSS());
        assertEquals(List.of("1", "2"), image.get("ns").getNS());
        assertEquals(List.of(ByteBuffer.wrap(new byte[] {0})), image.get("bs").getBS());
        assertEquals("1", image.get("m").getM().get("l").getL().get(0).getN());
        assertEquals(Map.of(), image.get("m").getM().get("l").getL().get(1).getM());
    }

    @Test
    void givenFailures_whenResponseWritten_thenLambdasPartialBatchShape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        StreamPayload.writeResponse(new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure("42"))), out);

        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"42\"}]}", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void givenSomethingElse_whenRead_thenAClearError() {
        for (String bad : List.of("nope", "{}", "{\"Records\":{}}", "{\"Records\":[{\"dynamodb\":{\"NewImage\":{\"a\":{}}}}]}",
                "{\"Records\":[{\"dynamodb\":{\"NewImage\":{\"a\":{\"X\":\"1\"}}}}]}",
                "{\"Records\":[{\"dynamodb\":{\"NewImage\":{\"a\":{\"B\":\"***\"}}}}]}",
                "{\"Records\":[{\"eventID\":7}]}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(bad), bad);
            assertTrue(e.getMessage().startsWith("not a DynamoDB stream batch: "), e.getMessage());
        }
    }
}
