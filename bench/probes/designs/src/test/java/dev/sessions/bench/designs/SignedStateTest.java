package dev.sessions.bench.designs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignedStateTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final SignedState state = new SignedState("k".repeat(32).getBytes(StandardCharsets.UTF_8));
    private final SignedState.Value value = new SignedState.Value("s1", 7, NOW.plusSeconds(60), "a|b");

    @Test
    void givenItsOwnCookie_whenRead_thenTheValueBack() {
        assertEquals(Optional.of(value), state.read(state.write(value), NOW));
    }

    @Test
    void givenAnotherKeysCookie_whenRead_thenNothing() {
        SignedState other = new SignedState("x".repeat(32).getBytes(StandardCharsets.UTF_8));

        assertTrue(state.read(other.write(value), NOW).isEmpty());
    }

    @Test
    void givenATamperedCount_whenRead_thenNothing() {
        String cookie = state.write(value);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("s1|700|" + NOW.plusSeconds(60).getEpochSecond() + "|a|b").getBytes(StandardCharsets.UTF_8))
                + cookie.substring(cookie.indexOf('.'));

        assertTrue(state.read(forged, NOW).isEmpty());
    }

    @Test
    void givenAnExpiredCookie_whenRead_thenNothing() {
        assertTrue(state.read(state.write(value), NOW.plusSeconds(60)).isEmpty());
    }

    @Test
    void givenGarbage_whenRead_thenNothing() {
        assertTrue(state.read("not a cookie", NOW).isEmpty());
        assertTrue(state.read("%%%.%%%", NOW).isEmpty());
        assertTrue(state.read(".", NOW).isEmpty());
    }

    @Test
    void givenAnOldCookieOfItsOwn_whenRead_thenAcceptedAsCurrent() {
        // the design's gap: a copy of an earlier cookie is as valid as the latest one
        String old = state.write(value);
        state.write(new SignedState.Value("s1", 8, NOW.plusSeconds(60), "a|b"));

        assertEquals(7, state.read(old, NOW).orElseThrow().visits());
    }

    @Test
    void givenAShortKey_whenBuilt_thenRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SignedState(new byte[16]));
    }
}
