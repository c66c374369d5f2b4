package dev.sessions.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void givenEveryValueType_whenParsedAndWritten_thenTextRoundTrips() {
        String text = "{\"s\":\"a\\\"b\\\\c\\n\",\"n\":-12.5e3,\"i\":0,\"t\":true,\"f\":false,\"z\":null,"
                + "\"a\":[1,[],{}],\"o\":{\"k\":\"v\"}}";

        Object value = Json.parse(text);

        assertEquals("{\"s\":\"a\\\"b\\\\c\\n\",\"n\":-1.25E+4,\"i\":0,\"t\":true,\"f\":false,\"z\":null,"
                + "\"a\":[1,[],{}],\"o\":{\"k\":\"v\"}}", Json.write(value));
    }

    @Test
    void givenThirtyEightDigitNumber_whenParsed_thenEveryDigitKept() {
        Object value = Json.parse("12345678901234567890123456789012345678.5");

        assertEquals(new BigDecimal("12345678901234567890123456789012345678.5"), value);
    }

    @Test
    void givenNonBmpTextAndEscapedPair_whenParsed_thenSameCodePoints() {
        assertEquals("👋é", Json.parse("\"👋\\u00e9\""));
        assertEquals("👋", Json.parse("\"\\ud83d\\udc4b\""));
    }

    @Test
    void givenObject_whenParsed_thenKeyOrderKeptAndResultUnmodifiable() {
        Map<String, Object> map = Json.parseObject("{\"b\":1,\"a\":2}", 4);

        assertEquals(List.of("b", "a"), List.copyOf(map.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> map.put("c", 3));
    }

    @Test
    void givenControlCharacters_whenWritten_thenEscapedAsUnicode() {
        assertEquals("\"\\u0001\\u2028x\"", Json.write("\u0001\u2028x"));
    }

    @Test
    void givenMapWithNullValue_whenWritten_thenNullLiteral() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("k", null);
        assertEquals("{\"k\":null}", Json.write(map));
    }

    @Test
    void givenDepthAtLimit_whenParsed_thenAccepted() {
        String nested = "[".repeat(31) + "1" + "]".repeat(31);
        Json.parse(nested, 31);
    }

    @Test
    void givenDepthOverLimit_whenParsed_thenRefusedWithReason() {
        String nested = "[".repeat(32) + "1" + "]".repeat(32);

        JsonException error = assertThrows(JsonException.class, () -> Json.parse(nested, 31));

        assertEquals("nesting deeper than 31 levels at offset 31", error.getMessage());
    }

    @Test
    void givenDuplicateKey_whenParsed_thenRefused() {
        JsonException error = assertThrows(JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));

        assertTrue(error.getMessage().startsWith("duplicate key \"a\""), error.getMessage());
    }

    @Test
    void givenArrayWhereObjectBelongs_whenParsedAsObject_thenRefusedNamingType() {
        JsonException error = assertThrows(JsonException.class, () -> Json.parseObject("[1]", 4));

        assertTrue(error.getMessage().startsWith("expected a JSON object, found array"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "[1,]", "{\"a\":}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru",
        "\"abc", "\"\\x\"", "\"\\ud83d\"", "\"\\udc4b\"", "\"\\u12\"", "\"a\u0001\"", "[1] [2]", "NaN", "'a'",
        "{\"a\":1,}", "1e999999999999"})
    void givenInvalidText_whenParsed_thenJsonException(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void givenLoneSurrogateInRawText_whenParsed_thenRefused() {
        char[] chars = {'"', '\ud83d', '"'};
        assertThrows(JsonException.class, () -> Json.parse(new String(chars)));
    }

    @Test
    void givenDeeplyNestedInput_whenParsedWithDefaultLimit_thenRefusedWithoutStackOverflow() {
        char[] open = new char[100_000];
        Arrays.fill(open, '[');
        assertThrows(JsonException.class, () -> Json.parse(new String(open)));
    }

    @Test
    void givenDoubleAndLong_whenWritten_thenPlainNumbers() {
        assertEquals("[1.5,7,null]", Json.write(Arrays.asList(1.5d, 7L, null)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    }

    private static Object limited(String literal) {
        return Json.parse(literal, 4, Json.NumberLimits.DYNAMODB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1E+126", "-1E+126", "1E-131", "0.00000000000000000000000000000000000000000000000000000000"
        + "0000000000000000000000000000000000000000000000000000000000000000000000000000001", "1e999999999999",
        "123456789012345678901234567890123456789", "1.234567890123456789012345678901234567891"})
    void givenLiteralBeyondDynamoDbsNumbers_whenParsedUnderItsLimits_thenAnUnrepresentableNumberNotAnError(String literal) {
        Object value = limited(literal);

        UnrepresentableNumber refused = assertInstanceOf(UnrepresentableNumber.class, value, literal);
        assertTrue(refused.problem().startsWith("has more than 38") || refused.problem().startsWith("is outside"),
                refused.problem());
    }

    @Test
    void givenLiteralsOfSixtyThousandDigits_whenParsedUnderLimits_thenJudgedFromTheirDigitsAlone() {
        String zeros = "0".repeat(60_000);

        assertInstanceOf(UnrepresentableNumber.class, limited("1" + zeros), "1E+60000");
        assertInstanceOf(UnrepresentableNumber.class, limited("1" + "7".repeat(60_000)), "60,001 significant digits");
        assertEquals(new BigDecimal("1"), limited("1." + zeros), "trailing zeros are not digits: it is 1");
        assertEquals(new BigDecimal("1E+9"), limited("1" + zeros + "e-59991"));
        assertEquals(BigDecimal.ZERO, limited("0." + zeros));
    }

    @ParameterizedTest
    @CsvSource({"100,100", "-1.50,-1.5", "0.00123,0.00123", "1.5e3,1.5E+3", "12345678901234567890123456789012345678,"
        + "12345678901234567890123456789012345678", "9.9999999999999999999999999999999999999E+125,"
        + "9.9999999999999999999999999999999999999E+125", "1E-130,1E-130", "-0.0,0"})
    void givenLiteralWithinDynamoDbsNumbers_whenParsedUnderItsLimits_thenItsValueWithoutTrailingFractionZeros(
            String literal, String expected) {
        assertEquals(new BigDecimal(expected), limited(literal));
        assertEquals(expected, Json.write(limited(literal)));
    }
}
