package dev.sessions.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The level Lambda reads from a line, and what LoggingConfig's levels keep. */
class LogLevelFilterTest {

    private static final String AT = "2026-11-27T09:00:00.123Z";

    @Test
    void givenLines_whenRead_thenTheirLevelOrInfoWhereLambdaCannotTell() {
        assertEquals("WARN", LogLevelFilter.levelOf("{\"timestamp\":\"" + AT + "\",\"level\":\"WARN\"}"));
        assertEquals("DEBUG", LogLevelFilter.levelOf("{\"timestamp\":\"" + AT + "\",\"level\":\"debug\"}"));
        assertEquals("INFO", LogLevelFilter.levelOf("{\"timestamp\":\"" + AT + "\"}"), "no level");
        assertEquals("INFO", LogLevelFilter.levelOf("{\"timestamp\":\"" + AT + "\",\"level\":\"LOUD\"}"), "not a level");
        assertEquals("INFO", LogLevelFilter.levelOf("{\"time\":\"" + AT + "\",\"level\":\"ERROR\"}"), "no timestamp");
        assertEquals("INFO", LogLevelFilter.levelOf("{\"timestamp\":\"yesterday\",\"level\":\"ERROR\"}"), "not RFC 3339");
        assertEquals("INFO", LogLevelFilter.levelOf("plain text"));
    }

    @Test
    void givenLevels_whenFiltering_thenBelowEachDroppedAndTextFormatKeepsAll() {
        LogLevelFilter warn = new LogLevelFilter("WARN", "WARN");

        assertFalse(warn.keeps("{\"timestamp\":\"" + AT + "\",\"level\":\"INFO\"}"));
        assertTrue(warn.keeps("{\"timestamp\":\"" + AT + "\",\"level\":\"ERROR\"}"));
        assertFalse(warn.keepsPlatform("INFO"), "platform.report is INFO");
        assertTrue(new LogLevelFilter(null, null).keeps("{\"timestamp\":\"" + AT + "\",\"level\":\"TRACE\"}"));
    }
}
