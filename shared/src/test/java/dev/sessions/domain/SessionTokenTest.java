package dev.sessions.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionTokenTest {

    @Test
    void givenGeneratedTokens_whenCompared_thenEach43Base64UrlCharsAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String value = SessionToken.generate().value();
            assertTrue(value.matches("[A-Za-z0-9_-]{43}"), value);
            assertTrue(seen.add(value));
        }
    }

    @Test
    void givenToken_whenIdComputed_thenBase64UrlOfSha256OfItsText() throws Exception {
        SessionToken token = SessionToken.parse("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ").orElseThrow();

        byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.value().getBytes(StandardCharsets.US_ASCII));

        assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(hash), token.id());
        assertEquals(43, token.id().length());
        assertTrue(token.hasId(token.id()));
        assertFalse(token.hasId(SessionToken.generate().id()));
        assertFalse(token.hasId(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "short", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR",
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO+/", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP=",
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOé", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO Q"})
    void givenTextNotATokenShape_whenParsed_thenEmpty(String text) {
        assertTrue(SessionToken.parse(text).isEmpty());
    }

    @Test
    void givenToken_whenPrinted_thenValueRedacted() {
        SessionToken token = SessionToken.generate();

        assertFalse(token.toString().contains(token.value()));
        assertEquals(token, SessionToken.parse(token.value()).orElseThrow());
        assertNotEquals(token, SessionToken.generate());
    }
}
