package dev.sessions.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.testing.InMemorySessionStore;
import dev.sessions.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionServiceTest {

    private static final SessionPolicy POLICY = SessionPolicy.defaults();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00.123456Z"));
    private final InMemorySessionStore store = new InMemorySessionStore(POLICY);
    private final SessionService service = new SessionService(store, POLICY, clock);

    @Test
    void givenNoToken_whenVisited_thenNewSessionWithOneVisitAndItsToken() {
        SessionService.Visit visit = service.visit(Optional.empty());

        assertEquals(1, visit.session().visits());
        assertEquals(visit.newToken().orElseThrow().id(), visit.session().id());
        assertEquals(Instant.parse("2026-11-27T10:00:00.123Z"), visit.session().createdAt(), "millisecond precision");
    }

    @Test
    void givenLiveToken_whenVisitedTwice_thenCountedWithoutNewToken() {
        SessionToken token = service.visit(Optional.empty()).newToken().orElseThrow();

        SessionService.Visit second = service.visit(Optional.of(token));
        SessionService.Visit third = service.visit(Optional.of(token));

        assertEquals(3, third.session().visits());
        assertTrue(second.newToken().isEmpty());
    }

    @Test
    void givenExpiredToken_whenVisited_thenAFreshSessionStartsAtOne() {
        SessionToken token = service.visit(Optional.empty()).newToken().orElseThrow();
        clock.advance(POLICY.idleTimeout());

        SessionService.Visit visit = service.visit(Optional.of(token));

        assertEquals(1, visit.session().visits());
        assertNotEquals(token, visit.newToken().orElseThrow());
    }

    @Test
    void givenRead_whenTouchIntervalPassed_thenIdleWindowSlidesElseNot() {
        IssuedSession issued = service.create("erin", Map.of(), 0);
        clock.advance(Duration.ofSeconds(30));

        assertEquals(issued.session().expiresAt(), service.get(issued.token(), false).expiresAt());

        clock.advance(Duration.ofSeconds(30));
        assertEquals(issued.session().expiresAt().plusSeconds(60), service.get(issued.token(), false).expiresAt());
    }

    @Test
    void givenInvalidPrincipal_whenCreated_thenRefusedAndNothingStored() {
        assertThrows(InvalidData.class, () -> service.create("a/b", Map.of(), 0));
        assertThrows(InvalidData.class, () -> service.create("..", Map.of(), 0));
        assertThrows(InvalidData.class, () -> service.create("x".repeat(129), Map.of(), 0));
        assertTrue(store.listByPrincipal("a/b", clock.instant()).isEmpty());
    }

    @Test
    void givenRotation_whenOldTokenUsed_thenNotFound() {
        IssuedSession issued = service.create(null, Map.of("k", "v"), 0);

        IssuedSession rotated = service.rotate(issued.token());

        assertThrows(SessionNotFound.class, () -> service.get(issued.token(), true));
        assertEquals(Map.of("k", "v"), service.get(rotated.token(), true).data());
    }
}
