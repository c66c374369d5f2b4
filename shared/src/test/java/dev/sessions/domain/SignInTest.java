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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Signing in renews the token (OWASP: a new id at every sign-in, the old one destroyed): a
 * visitor's session is taken over, another user's session on the device ends; and a user's own
 * sessions, listed and ended one at a time or all but the current one. On in-memory backends.
 */
class SignInTest {

    private static final SessionPolicy POLICY = SessionPolicy.defaults();
    private static final Device FIREFOX = new Device("Firefox 132 on Linux", "203.0.113.10");
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    private final InMemorySessionStore store = new InMemorySessionStore(POLICY, 2);
    private final InMemoryCacheReplica cache = new InMemoryCacheReplica();
    private final SessionService service = new SessionService(store, POLICY, clock).withCache(cache)
            .withIdempotency(new InMemoryIdempotencyRecords());

    private static String request() {
        return UUID.randomUUID().toString();
    }

    private SessionService.Created signIn(String principal, Map<String, Object> data, SessionToken presented) {
        return service.create(new SessionService.NewSession(principal, data, Optional.empty(),
                Optional.ofNullable(presented), FIREFOX), request());
    }

    private SessionToken visitor() {
        SessionToken token = service.visit(Optional.empty(), request()).newToken().orElseThrow();
        service.visit(Optional.of(token), request());
        service.patch(token, new MergePatch(Map.of("cart", List.of(1, 2), "theme", "dark")), Optional.empty(), request());
        return token;
    }

    private boolean live(SessionToken token) {
        try {
            service.read(token, false);
            return true;
        } catch (SessionNotFound gone) {
            return false;
        }
    }

    @Test
    void givenAVisitorsSession_whenItSignsIn_thenTakenOverWithItsDataAndVisitsAndTheOldTokenEndsAtOnce() {
        SessionToken anonymous = visitor();
        cache.put(service.read(anonymous, true).session(), clock.instant()); // a cached copy, as the stream writes it

        Map<String, Object> body = new HashMap<>(Map.of("theme", "light"));
        body.put("cart", null);
        SessionService.Created signedIn = signIn("alice", body, anonymous);

        Session session = signedIn.issued().session();
        assertEquals(SessionService.Succession.TOOK_OVER, signedIn.succession());
        assertEquals(anonymous.id(), signedIn.previousId());
        assertEquals("alice", session.principal());
        assertEquals(Map.of("theme", "light"), session.data(), "the body merged in: its keys win, null removes");
        assertEquals(2, session.visits(), "the visits carry");
        assertEquals(1, session.version());
        assertEquals(FIREFOX, session.device());
        assertFalse(live(anonymous), "the visitor's token stops at once, its cached copy too");
        assertEquals(Optional.of(session.id()), store.findCurrent(anonymous.id(), clock.instant()).map(Session::id),
                "a forward pointer leads from the old id, as a rotation's does");
        assertTrue(live(signedIn.issued().token()));
    }

    @Test
    void givenTheSamePrincipalsSession_whenItSignsInAgain_thenTakenOverUnderANewToken() {
        SessionToken first = signIn("alice", Map.of("a", 1), null).issued().token();

        SessionService.Created again = signIn("alice", Map.of("b", 2), first);

        assertEquals(SessionService.Succession.TOOK_OVER, again.succession());
        assertEquals(Map.of("a", 1, "b", 2), again.issued().session().data());
        assertFalse(live(first));
    }

    @Test
    void givenAnotherPrincipalsSession_whenSomeoneElseSignsInOnTheDevice_thenItEndsAndNothingOfItCarries() {
        SessionToken alices = signIn("alice", Map.of("secret", "alice's"), null).issued().token();

        SessionService.Created bob = signIn("bob", Map.of(), alices);

        assertEquals(SessionService.Succession.REPLACED, bob.succession());
        assertEquals(alices.id(), bob.previousId());
        assertEquals(Map.of(), bob.issued().session().data(), "nothing of alice's session");
        assertEquals(0, bob.issued().session().visits());
        assertFalse(live(alices), "alice's session on this device ended with bob's sign-in");
        assertTrue(store.findCurrent(alices.id(), clock.instant()).isEmpty(), "ended, not moved");
    }

    @Test
    void givenAPresentedTokenThatIsNotLive_whenSignedIn_thenAPlainCreate() {
        SessionToken ended = visitor();
        service.end(ended);

        SessionService.Created created = signIn("alice", Map.of("x", 1), ended);

        assertEquals(SessionService.Succession.NONE, created.succession());
        assertEquals(null, created.previousId());
        assertEquals(Map.of("x", 1), created.issued().session().data());
    }

    @Test
    void givenDataTheMergeWouldMakeTooLarge_whenSignedIn_thenRefusedAndTheVisitorsSessionLives() {
        SessionToken anonymous = visitor();
        service.patch(anonymous, new MergePatch(Map.of("big", "x".repeat(POLICY.maxDataBytes() - 100))), Optional.empty(),
                request());

        assertThrows(DataTooLarge.class, () -> signIn("alice", Map.of("more", "y".repeat(200)), anonymous));

        assertTrue(live(anonymous), "nothing was written");
    }

    @Test
    void givenAnIdempotentSignIn_whenRepeated_thenOneTakeOverAndTheRepeatGetsTheSameSession() {
        SessionToken anonymous = visitor();
        SessionService.NewSession asked = new SessionService.NewSession("alice", Map.of(), IdempotencyKey.parse(
                "sign-in-0123456789abcdef"), Optional.of(anonymous), FIREFOX);

        SessionService.Created first = service.create(asked, request());
        SessionService.Created repeat = service.create(asked, request());

        assertEquals(SessionService.Succession.TOOK_OVER, first.succession());
        assertTrue(repeat.replayed());
        assertEquals(2, repeat.issued().session().visits(), "the same session, under a fresh token");
        assertFalse(live(first.issued().token()), "the first answer's token was rotated away by the repeat");
        assertEquals(1, store.listByPrincipal("alice", clock.instant()).size());
    }

    @Test
    void givenASessionLimit_whenAVisitorSignsIn_thenTheLimitHoldsAndTheTakenOverSessionCounts() {
        SessionService limited = new SessionService(store, POLICY, clock).withCache(cache).withMaxSessionsPerPrincipal(2);
        signIn("carol", Map.of(), null);
        clock.advance(Duration.ofSeconds(1));
        signIn("carol", Map.of(), null);
        clock.advance(Duration.ofSeconds(1));

        SessionService.Created third = limited.create(new SessionService.NewSession("carol", Map.of(), Optional.empty(),
                Optional.of(visitor()), FIREFOX), request());

        assertEquals(1, third.revoked(), "the least recently used one made room");
        assertEquals(2, store.listByPrincipal("carol", clock.instant()).size());
    }

    @Test
    void givenAUsersSessionsOnThreeDevices_whenListedFromOne_thenEachWithItsDeviceAndTheCurrentOneMarked() {
        SessionToken laptop = signIn("dave", Map.of(), null).issued().token();
        clock.advance(Duration.ofSeconds(1));
        SessionToken phone = signIn("dave", Map.of(), null).issued().token();
        clock.advance(Duration.ofSeconds(1));
        SessionToken tablet = signIn("dave", Map.of(), null).issued().token();
        signIn("erin", Map.of(), null);

        SessionService.OwnSessions first = service.ownSessions(phone, null, 2);
        SessionService.OwnSessions second = service.ownSessions(phone, first.page().next(), 2);

        List<String> listed = new java.util.ArrayList<>();
        first.page().sessions().forEach(s -> listed.add(s.id()));
        second.page().sessions().forEach(s -> listed.add(s.id()));
        assertEquals(List.of(laptop.id(), phone.id(), tablet.id()), listed, "oldest first, another user's never");
        assertEquals(phone.id(), first.currentId());
        assertEquals(FIREFOX, first.page().sessions().getFirst().device());
    }

    @Test
    void givenAVisitorsSession_whenListed_thenOnlyItself() {
        SessionToken anonymous = visitor();
        signIn("frank", Map.of(), null);

        SessionService.OwnSessions own = service.ownSessions(anonymous, null, 100);

        assertEquals(List.of(anonymous.id()), own.page().sessions().stream().map(Session::id).toList());
        assertEquals(null, own.page().next());
    }

    @Test
    void givenAnotherDevicesSession_whenEndedByItsId_thenItEndsButAStrangersIdEndsNothing() {
        SessionToken laptop = signIn("gina", Map.of(), null).issued().token();
        SessionToken phone = signIn("gina", Map.of(), null).issued().token();
        SessionToken strangers = signIn("hank", Map.of(), null).issued().token();

        assertFalse(service.endOwn(phone, strangers.id()), "a stranger's id: nothing ended, nothing told");
        assertTrue(live(strangers));
        assertFalse(service.endOwn(phone, "unknown-id-0123456789012345678901234567890"));
        assertTrue(service.endOwn(phone, laptop.id()));
        assertFalse(live(laptop));
        assertTrue(live(phone));
    }

    @Test
    void givenADeviceThatRotated_whenEndedByTheIdTheListingShowed_thenTheMoveIsFollowed() {
        SessionToken laptop = signIn("ivy", Map.of(), null).issued().token();
        SessionToken phone = signIn("ivy", Map.of(), null).issued().token();
        SessionToken rotated = service.rotate(laptop, request()).token();

        assertTrue(service.endOwn(phone, laptop.id()), "the old id leads to where the session moved");

        assertFalse(live(rotated));
    }

    @Test
    void givenSessionsOnManyDevices_whenEveryOtherIsEnded_thenOnlyTheCurrentOneLivesEvenUnderAnOldId() {
        SessionToken current = signIn("jack", Map.of(), null).issued().token();
        current = service.rotate(current, request()).token(); // its old id is a pointer to it, in the index
        Map<SessionToken, Boolean> others = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            others.put(signIn("jack", Map.of(), null).issued().token(), true);
        }
        SessionToken strangers = signIn("kate", Map.of(), null).issued().token();

        SessionService.Revocation ended = service.endOthers(current, Instant.MAX);

        assertEquals(new SessionService.Revocation(5, true), ended);
        assertTrue(live(current), "the current one is spared, though its old id led to it");
        others.keySet().forEach(token -> assertFalse(live(token)));
        assertTrue(live(strangers));
        assertNotEquals(0, store.listByPrincipal("jack", clock.instant()).size());
    }
}
