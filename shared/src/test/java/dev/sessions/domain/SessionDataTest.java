package dev.sessions.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sessions.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionDataTest {

    private static final SessionPolicy POLICY = SessionPolicy.defaults();

    private static void validate(String json) {
        SessionData.validate(Json.parseObject(json, 64), POLICY);
    }

    @Test
    void givenData_whenValidated_thenSizeIsItsCompactUtf8Length() {
        assertEquals("{\"é\":[1,true]}".getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                SessionData.validate(Json.parseObject("{ \"é\" : [ 1 , true ] }", 8), POLICY));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"\":1}| data has an empty key",
        "{\"a\\u0000\":1}| data has a key with a control or format character",
        "{\"a\\u200Bb\":1}| data has a key with a control or format character",
        "{\"e\\u0301\":1}| data has a key that is not in Unicode NFC: send keys normalized",
        "{\"n\":{\"x\":1E-131}}| data.n.x is outside the storable range 1E-130 to 9.99...E+125",
    })
    void givenBadData_whenValidated_thenRefusedSayingWhereAndWhy(String json, String message) {
        InvalidData error = assertThrows(InvalidData.class, () -> validate(json));

        assertEquals(message, error.getMessage());
    }

    @Test
    void givenKeyOverTheLimit_whenValidated_thenRefused() {
        assertThrows(InvalidData.class, () -> SessionData.validate(Map.of("k".repeat(256), 1), POLICY));
        SessionData.validate(Map.of("k".repeat(255), 1), POLICY);
    }

    @Test
    void givenUnpairedSurrogateInAValue_whenValidated_thenRefused() {
        assertThrows(InvalidData.class, () -> SessionData.validate(Map.of("k", "a\ud800"), POLICY));
    }

    @Test
    void givenDataExactlyAtTheLimit_whenValidated_thenAcceptedAndOneMoreByteRefused() {
        String filler = "x".repeat(POLICY.maxDataBytes() - "{\"k\":\"\"}".length());
        SessionData.validate(Map.of("k", filler), POLICY);

        DataTooLarge error = assertThrows(DataTooLarge.class, () -> SessionData.validate(Map.of("k", filler + "x"), POLICY));

        assertEquals(POLICY.maxDataBytes() + 1, error.size());
    }
}
