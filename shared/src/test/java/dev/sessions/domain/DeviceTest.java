package dev.sessions.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The short form of a device a session records, within its budget. */
class DeviceTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0|Firefox 132 on Linux",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86|Edge 131 on Windows",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.104 Mobile Safari/537.36|Chrome 131 on Android",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1|Safari 18 on iOS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15|Safari 18 on macOS",
        "curl/8.5.0|curl 8",
        "SomeBot/2.0 (+https://example.com/bot)|SomeBot/2.0 (+https://example.com/bot)",
    })
    void givenAUserAgent_whenShortened_thenItsBrowserAndSystem(String raw, String expected) {
        assertEquals(expected, Device.of(raw, "203.0.113.10").userAgent());
    }

    @Test
    void givenLongOrHostileValues_whenRecorded_thenWithinTheBudgetAndNoAddressThatIsNone() {
        Device device = Device.of("x".repeat(500) + "\u0000\n", "not an address; drop table");

        assertEquals(Device.MAX_USER_AGENT, device.userAgent().length());
        assertNull(device.sourceIp());
        assertNull(Device.of(null, null).userAgent());
        assertEquals("2001:db8::1", Device.of("", "2001:db8::1").sourceIp());
    }
}
