package dev.sessions.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.testing.InMemoryCacheReplica;
import dev.sessions.testing.InMemoryIdempotencyRecords;
import dev.sessions.testing.InMemorySessionStore;
import dev.sessions.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The use cases on in-memory backends: read policy, fail-closed revocation, idempotent creates, limits. */
class SessionServiceTest {

    private static final SessionPolicy POLICY = SessionPolicy.defaults();
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .plusNanos(123_456_000));
    private final InMemorySessionStore store = new InMemorySessionStore(POLICY, 3);
    private final InMemoryCacheReplica cache = new InMemoryCacheReplica();
    private final InMemoryIdempotencyRecords keys = new InMemoryIdempotencyRecords();
    private final SessionService service = new SessionService(store, POLICY, clock).withCache(cache).withIdempotency(keys);

    private static String request() {
        return UUID.randomUUID().toString();
    }

    private IssuedSession created(String principal, Map<String, Object> data) {
        return service.create(new SessionService.NewSession(principal, data, Optional.empty()), request()).issued();
    }

    private static Optional<IdempotencyKey> key(String text) {
        return IdempotencyKey.parse(text);
    }

    @Test
    void givenNoToken_whenVisited_thenNewSessionWithOneVisitAndItsToken() {
        SessionService.Visit visit = service.visit(Optional.empty(), request());

        assertEquals(1, visit.session().visits());
        assertEquals(visit.newToken().orElseThrow().id(), visit.session().id());
        assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), visit.session().createdAt(),
                "millisecond precision");
    }

    @Test
    void givenLiveToken_whenVisitedTwice_thenCountedWithoutNewToken() {
        SessionToken token = service.visit(Optional.empty(), request()).newToken().orElseThrow();

        SessionService.Visit second = service.visit(Optional.of(token), request());
        SessionService.Visit third = service.visit(Optional.of(token), request());

        assertEquals(3, third.session().visits());
        assertTrue(second.newToken().isEmpty());
    }

    @Test
    void givenExpiredToken_whenVisited_thenAFreshSessionStartsAtOne() {
        SessionToken token = service.visit(Optional.empty(), request()).newToken().orElseThrow();
        clock.advance(POLICY.idleTimeout());

        SessionService.Visit visit = service.visit(Optional.of(token), request());

        assertEquals(1, visit.session().visits());
        assertNotEquals(token, visit.newToken().orElseThrow());
    }

    @Test
    void givenRead_whenTouchIntervalPassed_thenIdleWindowSlidesElseNot() {
        IssuedSession issued = created("erin", Map.of());
        clock.advance(Duration.ofSeconds(30));

        SessionService.Read early = service.read(issued.token(), false);
        assertEquals(issued.session().expiresAt(), early.session().expiresAt());
        assertFalse(early.slid());

        clock.advance(Duration.ofSeconds(30));
        SessionService.Read due = service.read(issued.token(), false);
        assertEquals(issued.session().expiresAt().plusSeconds(60), due.session().expiresAt());
        assertTrue(due.slid());
    }

    @Test
    void givenLiveCopyInTheReplica_whenRead_thenTheCopyAnswersAndTheStoreIsNotAsked() {
        IssuedSession issued = created(null, Map.of("from", "table"));
        Session copy = withData(issued.session(), Map.of("from", "cache"));
        cache.put(copy, clock.instant());

        SessionService.Read read = service.read(issued.token(), false);

        assertEquals(SessionService.CacheLookup.HIT, read.lookup());
        assertEquals("cache", read.session().data().get("from"));
        assertEquals("table", service.read(issued.token(), true).session().data().get("from"), "a consistent read");
        assertEquals(SessionService.CacheLookup.NOT_ASKED, service.read(issued.token(), true).lookup());
    }

    @Test
    void givenExpiredCopyOrNoneOrReplicaDown_whenRead_thenTheStoreAnswersAndSaysWhy() {
        IssuedSession issued = created(null, Map.of());
        assertEquals(SessionService.CacheLookup.MISS, service.read(issued.token(), false).lookup());

        Session stale = new Session(issued.session().id(), null, Map.of(), 0, 1, 5, clock.instant(), clock.instant(),
                clock.instant().minusSeconds(1), clock.instant().plusSeconds(100));
        cache.put(new Session(stale.id(), null, Map.of(), 0, 1, 5, clock.instant(), clock.instant(),
                clock.instant().plusSeconds(1), clock.instant().plusSeconds(100)), clock.instant());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(SessionService.CacheLookup.EXPIRED_COPY, service.read(issued.token(), false).lookup());

        cache.down(true);
        assertEquals(SessionService.CacheLookup.UNAVAILABLE, service.read(issued.token(), false).lookup());
    }

    @Test
    void givenTombstone_whenRead_thenNotFoundFromTheReplicaItself() {
        IssuedSession issued = created(null, Map.of());
        cache.evict(issued.session().id(), clock.instant().plusSeconds(60), clock.instant());

        SessionNotFound notFound = assertThrows(SessionNotFound.class, () -> service.read(issued.token(), false));

        assertTrue(notFound.revokedInCache());
    }

    @Test
    void givenCachedCopyOfASessionGoneFromTheTable_whenTouchDue_thenNotFoundAndTombstoned() {
        IssuedSession issued = created(null, Map.of());
        cache.put(issued.session(), clock.instant());
        store.delete(issued.session().id(), EndReason.SIGNED_OUT); // ended, its REMOVE not yet replicated
        clock.advance(POLICY.touchInterval());

        assertThrows(SessionNotFound.class, () -> service.read(issued.token(), false));

        assertTrue(cache.tombstoned(issued.session().id()));
    }

    @Test
    void givenReplicaDown_whenEnded_thenCacheUnavailableAndTheSessionUntouched() {
        IssuedSession issued = created(null, Map.of());
        cache.down(true);

        assertThrows(CacheReplica.CacheUnavailable.class, () -> service.end(issued.token()));
        assertThrows(CacheReplica.CacheUnavailable.class, () -> service.rotate(issued.token(), request()));

        assertTrue(store.find(issued.session().id(), clock.instant(), true).isPresent(), "nothing changed");
        cache.down(false);
        assertTrue(service.end(issued.token()).isPresent(), "the retry completes it");
        assertTrue(cache.tombstoned(issued.session().id()));
    }

    @Test
    void givenUnknownToken_whenEnded_thenItsIdIsTombstonedAnyway() {
        SessionToken unknown = SessionToken.generate();

        assertTrue(service.end(unknown).isEmpty());

        assertTrue(cache.tombstoned(unknown.id()), "no cached copy can outlive a DELETE");
    }

    @Test
    void givenTokensNobodyHolds_whenEnded_thenTheirTombstonesStandAMinuteNotASessionsLife() {
        // a stranger's DELETEs with made-up tokens must not fill the replica for hours
        SessionToken unknown = SessionToken.generate();

        service.end(unknown);

        assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plus(SessionService.PROVISIONAL_TOMBSTONE),
                cache.tombstonedUntil(unknown.id()));
    }

    @Test
    void givenALiveSession_whenEndedOrRotated_thenItsTombstoneStandsUntilItsAbsoluteExpiry() {
        IssuedSession ended = created(null, Map.of());
        IssuedSession rotated = created(null, Map.of());
        clock.advance(Duration.ofMinutes(5));

        service.end(ended.token());
        service.rotate(rotated.token(), request());

        assertEquals(ended.session().absoluteExpiresAt(), cache.tombstonedUntil(ended.session().id()));
        assertEquals(rotated.session().absoluteExpiresAt(), cache.tombstonedUntil(rotated.session().id()));
    }

    @Test
    void givenAnEndedSession_whenEndedAgain_thenItsTombstoneIsNotShortened() {
        IssuedSession issued = created(null, Map.of());
        service.end(issued.token());

        service.end(issued.token());

        assertEquals(issued.session().absoluteExpiresAt(), cache.tombstonedUntil(issued.session().id()));
    }

    @Test
    void givenInvalidPrincipal_whenCreated_thenRefusedAndNothingStored() {
        for (String bad : List.of("a/b", "..", "x".repeat(129))) {
            assertThrows(InvalidData.class, () -> created(bad, Map.of()));
        }
        assertTrue(store.listByPrincipal("a/b", clock.instant()).isEmpty());
    }

    @Test
    void givenRotation_whenOldTokenUsed_thenNotFound() {
        IssuedSession issued = created(null, Map.of("k", "v"));

        IssuedSession rotated = service.rotate(issued.token(), request());

        assertThrows(SessionNotFound.class, () -> service.read(issued.token(), true));
        assertEquals(Map.of("k", "v"), service.read(rotated.token(), true).session().data());
    }

    @Test
    void givenTakenIds_whenCreated_thenAnotherTokenIsDrawn() {
        SessionToken taken = created(null, Map.of()).token();
        SessionToken fresh = SessionToken.generate();
        List<SessionToken> draws = new ArrayList<>(List.of(taken, fresh));
        SessionService drawing = service.withTokens(() -> draws.removeFirst());

        IssuedSession issued = drawing.create(new SessionService.NewSession(null, Map.of(), Optional.empty()),
                request()).issued();

        assertEquals(fresh, issued.token());
    }

    @Test
    void givenIdempotencyKey_whenTheSameCreateIsRepeated_thenTheSameSessionUnderAFreshTokenAndTheFirstTokenStops() {
        Map<String, Object> data = new LinkedHashMap<>(Map.of("a", 1, "b", "two"));
        SessionService.NewSession first = new SessionService.NewSession("frank", data, key("0123456789abcdef-key"));
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("b", "two");
        reordered.put("a", new java.math.BigDecimal("1.00"));
        SessionService.NewSession repeat = new SessionService.NewSession("frank", reordered, key("0123456789abcdef-key"));

        SessionService.Created created = service.create(first, request());
        SessionService.Created replayed = service.create(repeat, request());

        assertFalse(created.replayed());
        assertTrue(replayed.replayed(), "the same body in another key order and number spelling is the same request");
        assertNotEquals(created.issued().token(), replayed.issued().token());
        assertEquals(created.issued().session().createdAt(), replayed.issued().session().createdAt());
        assertThrows(SessionNotFound.class, () -> service.read(created.issued().token(), false));
        assertEquals(1, store.listByPrincipal("frank", clock.instant()).size(), "nothing new was created");
    }

    @Test
    void givenAKeyedSessionRotatedSeventyTimes_whenTheCreateIsRepeated_thenItIsFollowedToItsEndNotCalledEnded() {
        SessionService.NewSession create = new SessionService.NewSession("rotor", Map.of(), key("many-moves-0123456789"));
        IssuedSession issued = service.create(create, request()).issued();
        for (int i = 0; i < 70; i++) { // more than the 64 moves the chain once was read to
            issued = service.rotate(issued.token(), request());
        }

        SessionService.Created repeat = service.create(create, request());

        assertTrue(repeat.replayed(), "the session lives: a repeat of its create finds it, however often it moved");
        assertEquals(issued.session().createdAt(), repeat.issued().session().createdAt());
    }

    @Test
    void givenIdempotencyKey_whenUsedWithAnotherBody_thenConflictAndNothingCreated() {
        service.create(new SessionService.NewSession("gina", Map.of("a", 1), key("another-key-0123456789")), request());

        IdempotencyConflict conflict = assertThrows(IdempotencyConflict.class, () -> service.create(
                new SessionService.NewSession("gina", Map.of("a", 2), key("another-key-0123456789")), request()));

        assertEquals(IdempotencyConflict.Reason.OTHER_REQUEST, conflict.reason());
        assertEquals(1, store.listByPrincipal("gina", clock.instant()).size());
    }

    @Test
    void givenIdempotencyKeyOfAnEndedSession_whenRepeated_thenConflict() {
        SessionService.NewSession create = new SessionService.NewSession(null, Map.of(), key("ended-key-0123456789"));
        service.end(service.create(create, request()).issued().token());

        assertEquals(IdempotencyConflict.Reason.SESSION_ENDED,
                assertThrows(IdempotencyConflict.class, () -> service.create(create, request())).reason());
    }

    @Test
    void givenIdempotencyKeyAfterADay_whenUsed_thenANewSession() {
        SessionService.NewSession create = new SessionService.NewSession("hal", Map.of(), key("daily-key-0123456789"));
        service.create(create, request());
        clock.advance(IdempotencyRecords.LIFETIME);

        assertFalse(service.create(create, request()).replayed());
    }

    @Test
    void givenLimitOfTwo_whenAThirdIsCreated_thenTheLeastRecentlyUsedIsRevokedEverywhere() {
        SessionService limited = service.withMaxSessionsPerPrincipal(2);
        IssuedSession oldest = created("ivan", Map.of());
        clock.advance(Duration.ofMinutes(1));
        IssuedSession second = created("ivan", Map.of());
        clock.advance(Duration.ofMinutes(1));
        limited.visit(Optional.of(oldest.token()), request()); // the oldest is now the most recently used
        clock.advance(Duration.ofMinutes(1));

        SessionService.Created third = limited.create(new SessionService.NewSession("ivan", Map.of(), Optional.empty()),
                request());

        assertEquals(1, third.revoked());
        assertThrows(SessionNotFound.class, () -> limited.read(second.token(), true));
        assertTrue(cache.tombstoned(second.session().id()));
        assertEquals(2, store.listByPrincipal("ivan", clock.instant()).size());
    }

    @Test
    void givenMoreSessionsThanAPage_whenRevoked_thenEveryOneEndedAndTombstoned() {
        List<IssuedSession> sessions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sessions.add(created("judy", Map.of()));
        }
        IssuedSession other = created("other", Map.of());

        SessionService.Revocation revocation = service.revokeByPrincipal("judy", clock.instant().plusSeconds(10));

        assertEquals(new SessionService.Revocation(8, true), revocation);
        for (IssuedSession s : sessions) {
            assertTrue(cache.tombstoned(s.session().id()));
        }
        assertTrue(store.find(other.session().id(), clock.instant(), true).isPresent());
    }

    @Test
    void givenNoTimeLeft_whenRevoked_thenIncompleteAndARepeatFinishes() {
        for (int i = 0; i < 4; i++) {
            created("kim", Map.of());
        }

        SessionService.Revocation none = service.revokeByPrincipal("kim", clock.instant());
        SessionService.Revocation rest = service.revokeByPrincipal("kim", clock.instant().plusSeconds(10));

        assertEquals(new SessionService.Revocation(0, false), none);
        assertEquals(new SessionService.Revocation(4, true), rest);
    }

    private static Session withData(Session s, Map<String, Object> data) {
        return new Session(s.id(), s.principal(), data, s.visits(), s.version(), s.revision(), s.createdAt(),
                s.lastAccessedAt(), s.expiresAt(), s.absoluteExpiresAt());
    }
}
