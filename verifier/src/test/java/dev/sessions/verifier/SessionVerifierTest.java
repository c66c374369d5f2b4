package dev.sessions.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionService;
import dev.sessions.domain.SessionToken;
import dev.sessions.testing.InMemoryCacheReplica;
import dev.sessions.testing.InMemorySessionStore;
import dev.sessions.testing.MutableClock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The decision GET /sessions/current makes, as a call, on in-memory backends. */
class SessionVerifierTest {

    private static final SessionPolicy POLICY = SessionPolicy.defaults();
    private static final SessionCookie COOKIE = SessionCookie.of(true, "Lax", "");
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final InMemorySessionStore store = new InMemorySessionStore(POLICY);
    private final InMemoryCacheReplica cache = new InMemoryCacheReplica();
    private final SessionService sessions = new SessionService(store, POLICY, clock).withCache(cache);
    private final SessionVerifier verifier = new SessionVerifier(sessions, COOKIE);

    private IssuedSession created(String principal, Map<String, Object> data) {
        return sessions.create(new SessionService.NewSession(principal, data, Optional.empty()),
                UUID.randomUUID().toString()).issued();
    }

    private Verdict bearer(SessionToken token) {
        return verifier.verify(Map.of("Authorization", "Bearer " + token.value()), List.of(), TokenSource.ANY);
    }

    private Verdict cookie(SessionToken token) {
        return verifier.verify(Map.of(), List.of(COOKIE.name() + "=" + token.value()), TokenSource.ANY);
    }

    private static Verdict.Reason refusal(Verdict verdict) {
        return assertInstanceOf(Verdict.Refused.class, verdict).reason();
    }

    @Test
    void givenALiveSession_whenItsTokenIsPresentedEitherWay_thenLiveWithItsIdPrincipalExpiryAndData() {
        IssuedSession issued = created("alice", Map.of("theme", "dark"));

        for (Verdict verdict : List.of(bearer(issued.token()), cookie(issued.token()), verifier.verify(issued.token().value()))) {
            LiveSession live = assertInstanceOf(Verdict.Live.class, verdict).session();
            assertEquals(issued.session().id(), live.id());
            assertEquals("alice", live.principal());
            assertEquals(issued.session().expiresAt(), live.expiresAt());
            assertEquals(Map.of("theme", "dark"), live.data());
        }
    }

    @Test
    void givenBothABearerAndACookie_whenVerified_thenTheBearerDecides() {
        IssuedSession live = created("bob", Map.of());
        IssuedSession ended = created("carol", Map.of());
        sessions.end(ended.token());

        Verdict bearerWins = verifier.verify(Map.of("authorization", "Bearer " + ended.token().value()),
                List.of(COOKIE.name() + "=" + live.token().value()), TokenSource.ANY);

        assertEquals(Verdict.Reason.NO_SESSION, refusal(bearerWins));
    }

    @Test
    void givenRequestsWithoutOneUsableToken_whenVerified_thenEachRefusedForItsReason() {
        SessionToken a = created(null, Map.of()).token();
        SessionToken b = created(null, Map.of()).token();

        assertEquals(Verdict.Reason.NO_TOKEN, refusal(verifier.verify(Map.of(), List.of(), TokenSource.ANY)));
        assertEquals(Verdict.Reason.NO_TOKEN, refusal(verifier.verify(Map.of(), List.of("sid=" + a.value()),
                TokenSource.ANY)), "a cookie of another name is never read");
        assertEquals(Verdict.Reason.MALFORMED, refusal(verifier.verify(Map.of("Authorization", "Basic dXNlcg=="),
                List.of(), TokenSource.ANY)));
        assertEquals(Verdict.Reason.MALFORMED, refusal(verifier.verify("not-a-token")));
        assertEquals(Verdict.Reason.AMBIGUOUS, refusal(verifier.verify(Map.of(), List.of(COOKIE.name() + "=" + a.value(),
                COOKIE.name() + "=" + b.value()), TokenSource.ANY)));
        assertEquals(Verdict.Reason.NO_SESSION, refusal(verifier.verify(SessionToken.generate().value())));
    }

    @Test
    void givenASessionEndedRotatedOrExpired_whenItsOldTokenIsPresented_thenRefusedAtOnce() {
        IssuedSession ended = created("dave", Map.of());
        IssuedSession rotated = created("erin", Map.of());
        IssuedSession idle = created("frank", Map.of());

        sessions.end(ended.token());
        IssuedSession moved = sessions.rotate(rotated.token(), UUID.randomUUID().toString());

        assertEquals(Verdict.Reason.NO_SESSION, refusal(bearer(ended.token())));
        assertEquals(Verdict.Reason.NO_SESSION, refusal(bearer(rotated.token())));
        assertTrue(bearer(moved.token()).allowed(), "the rotation's new token passes");
        clock.advance(POLICY.idleTimeout());
        assertEquals(Verdict.Reason.NO_SESSION, refusal(bearer(idle.token())));
    }

    @Test
    void givenATombstoneInTheReplica_whenTheTableStillHoldsTheSession_thenRefused() {
        IssuedSession issued = created("gina", Map.of());
        cache.evict(issued.session().id(), clock.instant().plusSeconds(60), clock.instant());

        assertEquals(Verdict.Reason.NO_SESSION, refusal(bearer(issued.token())));
    }

    @Test
    void givenAReadAfterTheTouchInterval_whenVerified_thenTheIdleWindowSlidesAsAReadSlidesIt() {
        IssuedSession issued = created("hal", Map.of());
        clock.advance(POLICY.touchInterval().plusSeconds(1));

        LiveSession live = assertInstanceOf(Verdict.Live.class, bearer(issued.token())).session();

        Session stored = store.find(issued.session().id(), clock.instant(), true).orElseThrow();
        assertEquals(clock.instant().truncatedTo(ChronoUnit.MILLIS), stored.lastAccessedAt());
        assertTrue(live.expiresAt().isAfter(issued.session().expiresAt()), "the answer carries the slid expiry");
    }

    @Test
    void givenATokenSourceOfOnePlace_whenTheTokenIsInTheOther_thenNotRead() {
        IssuedSession issued = created("ivan", Map.of());
        String bearer = "Bearer " + issued.token().value();
        String jar = COOKIE.name() + "=" + issued.token().value();

        assertEquals(Verdict.Reason.NO_TOKEN, refusal(verifier.verify(Map.of("authorization", bearer), List.of(),
                TokenSource.COOKIE)));
        assertEquals(Verdict.Reason.NO_TOKEN, refusal(verifier.verify(Map.of(), List.of(jar), TokenSource.AUTHORIZATION)));
        assertEquals(Verdict.Reason.NO_TOKEN, refusal(verifier.verify(Map.of("cookie", jar), List.of(),
                TokenSource.AUTHORIZATION)), "nor from a cookie header");
        assertTrue(verifier.verify(Map.of("authorization", "Bearer " + SessionToken.generate().value()), List.of(jar),
                TokenSource.COOKIE).allowed(), "the cookie decides, whatever bearer comes along");
    }
}
