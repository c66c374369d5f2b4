package dev.sessions.domain;

import static dev.sessions.testing.JsonAssertions.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.testing.Poll;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} must do. Each backend's test extends this; time is passed
 * explicitly, so expiry is tested at the exact instant.
 */
public abstract class SessionStoreContract {

    protected static final SessionPolicy POLICY = SessionPolicy.defaults();
    /**
     * The contract's "now", on whole seconds (expiry is stored in seconds): today's, not a fixed
     * date, because the DynamoDB run writes these times into a real table, whose TTL acts on them.
     */
    protected static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    /** A fresh, empty store with {@link #POLICY}. */
    protected abstract SessionStore store();

    /** The same, listing a principal's ids {@code pageSize} to a page. */
    protected abstract SessionStore storeWithPageSize(int pageSize);

    /** A new request's id: each write in the contract is its own request unless it repeats one. */
    protected static String request() {
        return "request-" + java.util.UUID.randomUUID();
    }

    /** Waits, where the backend's principal index is eventually consistent, until {@code expected} sessions are listed. */
    protected List<Session> listWhenIndexed(SessionStore store, String principal, Instant now, int expected) {
        return store.listByPrincipal(principal, now);
    }

    protected static Session newSession(String principal, Map<String, Object> data, Instant now) {
        SessionToken token = SessionToken.generate();
        return new Session(token.id(), principal, data, 0, 1, 1, now, now, POLICY.idleExpiry(now),
                POLICY.absoluteExpiry(now));
    }

    protected static Map<String, Object> json(String text) {
        return Json.parseObject(text, 64);
    }

    private static Session created(SessionStore store, String principal, String data, Instant now) {
        Session session = newSession(principal, json(data), now);
        store.create(session, request());
        return session;
    }

    @Test
    void givenCreateRepeatedByTheSameRequest_whenCreated_thenTheFirstAttemptsSessionAndNoError() {
        SessionStore store = store();
        Session session = newSession("alice", json("{\"a\":1}"), T0);
        String request = request();

        assertEquals(session, store.create(session, request));
        assertEquals(session.id(), store.create(session, request).id(), "a repeat finds its own first attempt");

        assertThrows(IdTaken.class, () -> store.create(session, request()), "another request: the id is taken");
    }

    @Test
    void givenVisitRepeatedByTheSameRequest_whenRecorded_thenCountedOnce() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        String request = request();

        Session first = store.recordVisit(session.id(), T0, request);
        Session repeat = store.recordVisit(session.id(), T0.plusMillis(5), request);

        assertEquals(1, first.visits());
        assertEquals(1, repeat.visits(), "the repeat answers as the first attempt did");
        assertEquals(1, store.find(session.id(), T0, true).orElseThrow().visits());
        assertEquals(2, store.recordVisit(session.id(), T0, request()).visits());
    }

    @Test
    void givenConditionalPatchRepeatedByTheSameRequest_whenApplied_thenAppliedOnceAndTheRepeatAnswersTheSame() {
        SessionStore store = store();
        Session session = created(store, null, "{\"n\":1}", T0);
        String request = request();

        Session first = store.patch(session.id(), new MergePatch(json("{\"n\":2}")), Optional.of(1L), T0, request);
        Session repeat = store.patch(session.id(), new MergePatch(json("{\"n\":2}")), Optional.of(1L), T0, request);

        assertEquals(2, first.version());
        assertEquals(first.version(), repeat.version(), "no 412 for the request's own first attempt");
        assertEquals(2, store.find(session.id(), T0, true).orElseThrow().version());
    }

    @Test
    void givenRotationRepeatedByTheSameRequest_whenRotated_thenTheFirstAttemptsSession() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        String newId = SessionToken.generate().id();
        String request = request();

        Session first = store.rotate(session.id(), newId, T0, request);
        Session repeat = store.rotate(session.id(), newId, T0, request);

        assertEquals(first.id(), repeat.id());
        assertTrue(store.find(session.id(), T0, true).isEmpty());
        assertEquals(1, store.find(newId, T0, true).orElseThrow().version());
    }

    @Test
    void givenCreatedSession_whenFound_thenEveryFieldReadsBack() {
        SessionStore store = store();
        Session session = created(store, "alice", "{\"cart\":[1,2],\"theme\":\"dark\"}", T0);

        Session found = store.find(session.id(), T0, true).orElseThrow();

        assertEquals(session.id(), found.id());
        assertEquals("alice", found.principal());
        assertJsonEquals(session.data(), found.data());
        assertEquals(0, found.visits());
        assertEquals(1, found.version());
        assertEquals(T0, found.createdAt());
        assertEquals(T0, found.lastAccessedAt());
        assertEquals(T0.plus(Duration.ofMinutes(30)), found.expiresAt());
        assertEquals(T0.plus(Duration.ofHours(12)), found.absoluteExpiresAt());
    }

    @Test
    void givenNoSession_whenFound_thenEmpty() {
        assertTrue(store().find(SessionToken.generate().id(), T0, true).isEmpty());
    }

    @Test
    void givenIdleSession_whenFoundAtItsExpiry_thenAbsentThoughStillStored() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        Instant expiry = T0.plus(POLICY.idleTimeout());

        assertTrue(store.find(session.id(), expiry.minusMillis(1), true).isPresent());
        assertTrue(store.find(session.id(), expiry, true).isEmpty());
        assertTrue(store.find(session.id(), expiry.minusMillis(1), true).isPresent(), "the item itself is untouched");
    }

    @Test
    void givenVisits_whenRecorded_thenCountedAndIdleWindowSlides() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        Instant later = T0.plus(Duration.ofMinutes(20));

        assertEquals(1, store.recordVisit(session.id(), T0, request()).visits());
        Session second = store.recordVisit(session.id(), later, request());

        assertEquals(2, second.visits());
        assertEquals(later.plus(POLICY.idleTimeout()), second.expiresAt());
        assertEquals(1, second.version(), "visits do not change the data's version");
        assertTrue(store.find(session.id(), T0.plus(Duration.ofMinutes(45)), true).isPresent());
    }

    @Test
    void givenExpiredSession_whenVisited_thenNotFoundAndNothingWritten() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        Instant expired = T0.plus(POLICY.idleTimeout());

        assertThrows(SessionNotFound.class, () -> store.recordVisit(session.id(), expired, request()));

        Session unchanged = store.find(session.id(), T0, true).orElseThrow();
        assertEquals(0, unchanged.visits());
        assertEquals(session.expiresAt(), unchanged.expiresAt());
    }

    @Test
    void givenSessionUsedPastAbsoluteTimeout_whenVisited_thenExpiresAtTheAbsoluteLimit() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        Instant absolute = T0.plus(POLICY.absoluteTimeout());
        Instant nearEnd = absolute.minus(Duration.ofMinutes(5));
        keepAliveUntil(store, session, nearEnd);

        Session visited = store.recordVisit(session.id(), nearEnd, request());

        assertEquals(absolute, visited.expiresAt());
        assertTrue(store.find(session.id(), absolute.minusMillis(1), true).isPresent());
        assertTrue(store.find(session.id(), absolute, true).isEmpty());
        assertThrows(SessionNotFound.class, () -> store.recordVisit(session.id(), absolute, request()));
    }

    @Test
    void givenFiftyConcurrentVisits_whenRecorded_thenExactlyFifty() throws Exception {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);

        List<Session> results = concurrently(50, i -> store.recordVisit(session.id(), T0.plusMillis(i), request()));

        assertEquals(50, store.find(session.id(), T0.plusSeconds(1), true).orElseThrow().visits());
        Set<Long> counts = new HashSet<>();
        results.forEach(s -> counts.add(s.visits()));
        assertEquals(50, counts.size(), "each visit saw its own count");
    }

    @Test
    void givenTouchBeforeInterval_whenTouched_thenNothingChanges() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);

        assertEquals(T0, store.touch(session, T0.plus(POLICY.touchInterval()).minusMillis(1)).lastAccessedAt());
        assertEquals(T0, store.find(session.id(), T0, true).orElseThrow().lastAccessedAt());
    }

    @Test
    void givenTouchDue_whenTouchedTwice_thenSlidesOnceWithinInterval() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        Instant due = T0.plus(POLICY.touchInterval());

        Session touched = store.touch(session, due);

        assertEquals(due, touched.lastAccessedAt());
        assertEquals(due.plus(POLICY.idleTimeout()), touched.expiresAt());
        assertEquals(touched, store.touch(session, due.plusMillis(10)), "a second touch within the interval finds the first");
    }

    @Test
    void givenSessionGoneOrExpired_whenTouched_thenNotFound() {
        SessionStore store = store();
        Session deleted = created(store, null, "{}", T0);
        store.delete(deleted.id(), EndReason.SIGNED_OUT);
        Session expiring = created(store, null, "{}", T0);

        assertThrows(SessionNotFound.class, () -> store.touch(deleted, T0.plus(POLICY.touchInterval())));
        assertThrows(SessionNotFound.class, () -> store.touch(expiring, T0.plus(POLICY.idleTimeout())));
    }

    @Test
    void givenTouchNearAbsoluteExpiry_whenTouched_thenNeverBeyondIt() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        Instant absolute = T0.plus(POLICY.absoluteTimeout());
        keepAliveUntil(store, session, absolute.minus(Duration.ofMinutes(10)));
        Session recent = store.recordVisit(session.id(), absolute.minus(Duration.ofMinutes(10)), request());

        Session touched = store.touch(recent, absolute.minus(Duration.ofMinutes(2)));

        assertEquals(absolute, touched.expiresAt());
    }

    @Test
    void givenPatch_whenApplied_thenMergedAsRfc7396AndVersionAdvances() {
        SessionStore store = store();
        Session session = created(store, null, "{\"keep\":1,\"drop\":2,\"nested\":{\"a\":1,\"b\":2},\"list\":[1]}", T0);

        Session patched = store.patch(session.id(), new MergePatch(json(
                "{\"drop\":null,\"nested\":{\"b\":null,\"c\":3},\"list\":[2,3],\"added\":\"x\"}")), Optional.empty(), T0, request());

        assertJsonEquals(json("{\"keep\":1,\"nested\":{\"a\":1,\"c\":3},\"list\":[2,3],\"added\":\"x\"}"), patched.data());
        assertEquals(2, patched.version());
        assertJsonEquals(patched.data(), store.find(session.id(), T0, true).orElseThrow().data());
    }

    @Test
    void givenNestedPatchOverNonObjectOrMissingKey_whenApplied_thenResultIsRfc7396() {
        SessionStore store = store();
        Session session = created(store, null, "{\"n\":5,\"o\":{\"x\":1}}", T0);

        Session patched = store.patch(session.id(), new MergePatch(json(
                "{\"n\":{\"a\":{\"b\":null,\"c\":1}},\"m\":{\"z\":true},\"o\":{},\"e\":{}}")), Optional.empty(), T0, request());

        assertJsonEquals(json("{\"n\":{\"a\":{\"c\":1}},\"o\":{\"x\":1},\"m\":{\"z\":true},\"e\":{}}"), patched.data());
    }

    @Test
    void givenMatchingVersion_whenPatched_thenApplied() {
        SessionStore store = store();
        Session session = created(store, null, "{\"a\":1}", T0);

        Session patched = store.patch(session.id(), new MergePatch(json("{\"a\":2}")), Optional.of(1L), T0, request());

        assertEquals(2, patched.version());
        assertJsonEquals(json("{\"a\":2}"), patched.data());
    }

    @Test
    void givenStaleVersion_whenPatched_thenConflictAndNothingChanges() {
        SessionStore store = store();
        Session session = created(store, null, "{\"a\":1}", T0);
        store.patch(session.id(), new MergePatch(json("{\"a\":2}")), Optional.empty(), T0, request());

        VersionConflict conflict = assertThrows(VersionConflict.class,
                () -> store.patch(session.id(), new MergePatch(json("{\"a\":3}")), Optional.of(1L), T0, request()));

        assertEquals(1, conflict.expected());
        assertEquals(2, conflict.actual());
        Session current = store.find(session.id(), T0, true).orElseThrow();
        assertEquals(2, current.version());
        assertJsonEquals(json("{\"a\":2}"), current.data());
    }

    @Test
    void givenTwentyConcurrentPatchesOfDifferentKeys_whenApplied_thenAllSurvive() throws Exception {
        SessionStore store = store();
        Session session = created(store, null, "{\"base\":true}", T0);

        concurrently(20, i -> store.patch(session.id(), new MergePatch(Map.of("k" + i, BigDecimal.valueOf(i))),
                Optional.empty(), T0, request()));

        Session current = store.find(session.id(), T0, true).orElseThrow();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("base", true);
        for (int i = 0; i < 20; i++) {
            expected.put("k" + i, BigDecimal.valueOf(i));
        }
        assertJsonEquals(expected, current.data());
        assertEquals(21, current.version());
    }

    @Test
    void givenPatchOverSizeLimit_whenApplied_thenRefusedAndNothingWritten() {
        SessionStore store = store();
        String almostFull = "x".repeat(POLICY.maxDataBytes() - 200);
        Session session = created(store, null, "{\"big\":\"" + almostFull + "\"}", T0);

        DataTooLarge error = assertThrows(DataTooLarge.class, () -> store.patch(session.id(),
                new MergePatch(Map.of("more", "y".repeat(300))), Optional.empty(), T0, request()));

        assertTrue(error.size() > POLICY.maxDataBytes());
        Session current = store.find(session.id(), T0, true).orElseThrow();
        assertEquals(1, current.version());
        assertFalse(current.data().containsKey("more"));
    }

    @Test
    void givenRepeatedPatchesOfOneKeyNearTheLimit_whenApplied_thenEachAcceptedWhileTheDataFits() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);
        String value = "v".repeat(POLICY.maxDataBytes() / 2);

        for (int i = 0; i < 5; i++) {
            store.patch(session.id(), new MergePatch(Map.of("same", value + i)), Optional.empty(), T0, request());
        }

        assertEquals(value + 4, store.find(session.id(), T0, true).orElseThrow().data().get("same"));
    }

    @Test
    void givenPatchOfExpiredSession_whenApplied_thenNotFound() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);

        assertThrows(SessionNotFound.class, () -> store.patch(session.id(), new MergePatch(Map.of("a", "b")),
                Optional.empty(), T0.plus(POLICY.idleTimeout()), request()));
    }

    @Test
    void givenSession_whenDeletedTwice_thenGoneAndSecondDeleteIsNoError() {
        SessionStore store = store();
        Session session = created(store, null, "{}", T0);

        assertEquals(session.id(), assertInstanceOf(SessionStore.Removed.class, store.delete(session.id(), EndReason.SIGNED_OUT)).session().id());
        assertInstanceOf(SessionStore.Absent.class, store.delete(session.id(), EndReason.SIGNED_OUT));
        assertTrue(store.find(session.id(), T0, true).isEmpty());
    }

    @Test
    void givenRotatedSession_whenTheOldIdIsDeleted_thenItSaysWhereTheSessionMovedAndEndsNothing() {
        SessionStore store = store();
        Session session = created(store, "bob", "{}", T0);
        String newId = SessionToken.generate().id();
        store.rotate(session.id(), newId, T0, request());

        assertEquals(newId, assertInstanceOf(SessionStore.Moved.class, store.delete(session.id(), EndReason.SIGNED_OUT)).to());
        assertEquals(newId, assertInstanceOf(SessionStore.Moved.class, store.delete(session.id(), EndReason.SIGNED_OUT)).to(),
                "the forward pointer stays");
        assertTrue(store.find(newId, T0, true).isPresent());
    }

    @Test
    void givenSessionRotatedTwice_whenFoundFromItsFirstId_thenTheMovesLeadToItAndNoWriteAppliesToOldIds() {
        SessionStore store = store();
        Session session = created(store, "bob", "{\"a\":1}", T0);
        String second = SessionToken.generate().id();
        String third = SessionToken.generate().id();
        store.rotate(session.id(), second, T0, request());
        store.rotate(second, third, T0, request());

        assertEquals(third, store.findCurrent(session.id(), T0).orElseThrow().id());
        assertEquals(third, store.findCurrent(third, T0).orElseThrow().id());
        assertTrue(store.find(second, T0, true).isEmpty());
        assertThrows(SessionNotFound.class, () -> store.recordVisit(second, T0, request()));
        assertThrows(SessionNotFound.class, () -> store.patch(session.id(), new MergePatch(Map.of("b", 2)),
                Optional.empty(), T0, request()));
        assertThrows(SessionNotFound.class, () -> store.rotate(second, SessionToken.generate().id(), T0, request()));
        store.delete(third, EndReason.SIGNED_OUT);
        assertTrue(store.findCurrent(session.id(), T0).isEmpty(), "the session at the end has ended");
    }

    @Test
    void givenSessionRotatedMoreThanSixtyFourTimes_whenFoundFromItsFirstId_thenFollowedToItsEnd() {
        SessionStore store = store();
        String principal = "dora-" + java.util.UUID.randomUUID();
        Session session = created(store, principal, "{}", T0);
        String at = session.id();
        for (int i = 0; i < 66; i++) { // past the 64 moves the chain once was read to: a live session, never "ended"
            String next = SessionToken.generate().id();
            store.rotate(at, next, T0, request());
            at = next;
        }

        assertEquals(at, store.findCurrent(session.id(), T0).orElseThrow().id());
        assertEquals(at, store.currentUse(session.id(), T0).orElseThrow().id());
    }

    @Test
    void givenPrincipalsSessionRotated_whenListed_thenListedOnceUnderItsNewId() {
        SessionStore store = store();
        String principal = "carol-" + java.util.UUID.randomUUID();
        Session session = created(store, principal, "{}", T0);
        listWhenIndexed(store, principal, T0, 1);
        String newId = SessionToken.generate().id();

        store.rotate(session.id(), newId, T0, request());

        // at once: the index may still name the old id, whose pointer leads to the new one
        assertEquals(List.of(newId), store.listByPrincipal(principal, T0).stream().map(Session::id).toList());
    }

    @Test
    void givenSession_whenRotated_thenSameStateUnderNewIdAndOldIdGone() {
        SessionStore store = store();
        Session session = created(store, "bob", "{\"a\":[1]}", T0);
        store.recordVisit(session.id(), T0, request());
        store.patch(session.id(), new MergePatch(json("{\"b\":2}")), Optional.empty(), T0, request());
        String newId = SessionToken.generate().id();
        Instant later = T0.plus(Duration.ofMinutes(10));

        Session rotated = store.rotate(session.id(), newId, later, request());

        assertEquals(newId, rotated.id());
        assertEquals("bob", rotated.principal());
        assertEquals(1, rotated.visits());
        assertEquals(2, rotated.version());
        assertEquals(T0, rotated.createdAt());
        assertEquals(session.absoluteExpiresAt(), rotated.absoluteExpiresAt());
        assertEquals(later.plus(POLICY.idleTimeout()), rotated.expiresAt());
        assertJsonEquals(json("{\"a\":[1],\"b\":2}"), store.find(newId, later, true).orElseThrow().data());
        assertTrue(store.find(session.id(), later, true).isEmpty());
        assertThrows(SessionNotFound.class, () -> store.recordVisit(session.id(), later, request()));
    }

    @Test
    void givenAVisitorsSession_whenTakenOverAtSignIn_thenTheSuccessorUnderTheNewIdAndTheOldIdLeadsToIt() {
        SessionStore store = store();
        Session visitor = created(store, null, "{\"cart\":[1]}", T0);
        store.recordVisit(visitor.id(), T0, request());
        String newId = SessionToken.generate().id();
        Instant later = T0.plus(Duration.ofMinutes(10));
        Device device = new Device("Firefox 132 on Linux", "203.0.113.10");

        Session signedIn = store.takeOver(visitor.id(), newId, old -> new Session(newId, "dana", old.data(), old.visits(),
                1, old.revision() + 1, later, later, POLICY.idleExpiry(later), POLICY.absoluteExpiry(later), device), later,
                request());

        Session found = store.find(newId, later, true).orElseThrow();
        assertEquals("dana", found.principal());
        assertEquals(1, found.visits());
        assertEquals(later.truncatedTo(ChronoUnit.MILLIS), found.createdAt(), "a new session's times");
        assertEquals(POLICY.absoluteExpiry(later), found.absoluteExpiresAt());
        assertEquals(device, found.device(), "the device recorded, read back");
        assertJsonEquals(json("{\"cart\":[1]}"), found.data());
        assertEquals(signedIn.id(), found.id());
        assertTrue(store.find(visitor.id(), later, true).isEmpty(), "the visitor's id is no session");
        assertEquals(Optional.of(newId), store.findCurrent(visitor.id(), later).map(Session::id));
        assertThrows(SessionNotFound.class, () -> store.recordVisit(visitor.id(), later, request()));
    }

    @Test
    void givenATakeOverRepeatedByTheSameRequest_whenRepeated_thenTheFirstAttemptsSessionAndNoSecondMove() {
        SessionStore store = store();
        Session visitor = created(store, null, "{}", T0);
        String newId = SessionToken.generate().id();
        String request = request();
        java.util.function.UnaryOperator<Session> successor = old -> new Session(newId, "eve", old.data(), old.visits(),
                1, old.revision() + 1, T0, T0, POLICY.idleExpiry(T0), POLICY.absoluteExpiry(T0));

        Session first = store.takeOver(visitor.id(), newId, successor, T0, request);
        Session repeat = store.takeOver(visitor.id(), newId, successor, T0, request);

        assertEquals(first.id(), repeat.id());
        assertEquals("eve", store.find(newId, T0, true).orElseThrow().principal());
        assertThrows(SessionNotFound.class, () -> store.takeOver(visitor.id(), SessionToken.generate().id(), successor,
                T0, request()), "another request finds no visitor's session to take over");
    }

    @Test
    void givenMissingSession_whenRotated_thenNotFound() {
        assertThrows(SessionNotFound.class,
                () -> store().rotate(SessionToken.generate().id(), SessionToken.generate().id(), T0, request()));
    }

    @Test
    void givenSessionsOfPrincipals_whenListed_thenOnlyLiveOnesOfThatPrincipalOldestFirst() {
        SessionStore store = store();
        String principal = "carol-" + SessionToken.generate().id().substring(0, 6);
        Session first = created(store, principal, "{}", T0);
        Session second = created(store, principal, "{}", T0.plusSeconds(1));
        Session expiring = created(store, principal, "{}", T0.minus(Duration.ofMinutes(29)));
        created(store, principal + "x", "{}", T0);
        Instant now = T0.plusSeconds(90);

        List<Session> listed = listWhenIndexed(store, principal, now, 2);

        assertEquals(List.of(first.id(), second.id()), listed.stream().map(Session::id).toList());
        assertTrue(store.find(expiring.id(), now, true).isEmpty());
    }

    @Test
    void givenMoreSessionsThanOnePage_whenIdsOfPrincipalPaged_thenEveryIdOnceInCreationOrder() {
        SessionStore store = storeWithPageSize(3);
        String principal = "dave-" + SessionToken.generate().id().substring(0, 6);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            expected.add(created(store, principal, "{}", T0.plusMillis(i)).id());
        }
        created(store, "someone-else", "{}", T0);
        listWhenIndexed(store, principal, T0, 7);

        List<String> paged = new ArrayList<>();
        int pages = 0;
        String after = null;
        do {
            SessionStore.IdPage page = store.idsOfPrincipal(principal, after);
            assertTrue(page.ids().size() <= 3, "a page holds at most its size");
            paged.addAll(page.ids());
            after = page.next();
            pages++;
        } while (after != null);

        assertEquals(expected, paged);
        assertTrue(pages >= 3, "seven ids in pages of three: " + pages);
    }

    @Test
    void givenMoreSessionsThanALimit_whenPagedBySessions_thenLiveOnesOnceInCreationOrderAndABadCursorRefused() {
        SessionStore store = store();
        String principal = "erin-" + SessionToken.generate().id().substring(0, 6);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add(created(store, principal, "{}", T0.plusMillis(i)).id());
        }
        Session expired = newSession(principal, Map.of(), T0.minus(POLICY.idleTimeout()).minusSeconds(1));
        store.create(expired, request());
        listWhenIndexed(store, principal, T0, 5);

        List<String> paged = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            SessionStore.SessionPage page = store.pageOfPrincipal(principal, after, 2, T0);
            assertTrue(page.sessions().size() <= 2, "a page holds at most its limit");
            page.sessions().forEach(session -> paged.add(session.id()));
            after = page.next();
            pages++;
        } while (after != null && pages < 10);

        assertEquals(expected, paged, "expired ones are left out");
        // DynamoDB may answer a cursor after a full last page, whose next page is then empty
        assertTrue(pages == 3 || pages == 4, "six entries in pages of two: " + pages);
        for (String bad : List.of("", "x", "12/", "1/a b", "1234567890123456789012/abc")) {
            assertThrows(InvalidData.class, () -> store.pageOfPrincipal(principal, bad, 2, T0), bad);
        }
    }

    @Test
    void givenLiveExpiredAndTouchedSessions_whenUsesRead_thenTheLiveOnesWithTheirLastUse() {
        SessionStore store = store();
        String principal = "fay-" + SessionToken.generate().id().substring(0, 6);
        Session first = created(store, principal, "{\"big\":\"" + "x".repeat(1000) + "\"}", T0);
        Session second = created(store, principal, "{}", T0.plusMillis(1));
        store.create(newSession(principal, Map.of(), T0.minus(POLICY.idleTimeout()).minusSeconds(1)), request());
        Instant later = T0.plusSeconds(90);
        Session touched = store.touch(first, later);
        created(store, "someone-else", "{}", T0);
        listWhenIndexed(store, principal, later, 2);

        List<SessionStore.SessionUse> uses = Poll.until(Duration.ofSeconds(10), "the touch indexed",
                () -> store.usesOfPrincipal(principal, later),
                found -> found.stream().anyMatch(use -> use.lastAccessedAt().equals(touched.lastAccessedAt())));

        assertEquals(Set.of(new SessionStore.SessionUse(first.id(), first.createdAt(), touched.lastAccessedAt()),
                new SessionStore.SessionUse(second.id(), second.createdAt(), second.lastAccessedAt())), Set.copyOf(uses));
    }

    @Test
    void givenNastyJson_whenStoredAndRead_thenLossless() {
        SessionStore store = store();
        // data (level 1) holding 30 nested lists holding a scalar: 31 containers, the deepest allowed
        String deepest = "[".repeat(30) + "\"bottom\"" + "]".repeat(30);
        Map<String, Object> data = json("{\"emoji\":\"👋🏽 e\\u0301 ☃ 𝄞\",\"empty\":\"\",\"emptyMap\":{},\"emptyList\":[],"
                + "\"null\":null,\"t\":true,\"f\":false,\"big\":12345678901234567890123456789012345678,"
                + "\"neg\":-0.00000000000000000000000000000000000001,\"sci\":1E+125,\"tiny\":1E-130,"
                + "\"mixed\":[1,\"two\",{\"three\":[3]},null,[]],\"日本語キー\":\"値\",\"deep\":" + deepest + "}");

        Session session = newSession(null, data, T0);
        store.create(session, request());

        assertJsonEquals(data, store.find(session.id(), T0, true).orElseThrow().data());
    }

    @Test
    void givenNumbersDynamoDbCannotHold_whenCreated_thenRefusedNeverRounded() {
        SessionStore store = store();
        for (String number : List.of("123456789012345678901234567890123456789", "1E+126", "1E-131",
                "-1.234567890123456789012345678901234567891")) {
            InvalidData error = assertThrows(InvalidData.class,
                    () -> store.create(newSession(null, json("{\"n\":" + number + "}"), T0), request()), number);
            assertTrue(error.getMessage().startsWith("data.n "), error.getMessage());
        }
        store.create(newSession(null, json("{\"n\":1000000000000000000000000000000000000000000}"), T0), request());
    }

    @Test
    void givenNestingPastTheLimit_whenCreated_thenRefused() {
        String tooDeep = "[".repeat(31) + "1" + "]".repeat(31);

        InvalidData error = assertThrows(InvalidData.class,
                () -> store().create(newSession(null, json("{\"deep\":" + tooDeep + "}"), T0), request()));

        assertTrue(error.getMessage().contains("nests deeper than 32 levels"), error.getMessage());
    }

    @Test
    void givenDataOverTheLimit_whenCreated_thenRefusedAndNothingStored() {
        SessionStore store = store();
        Session session = newSession(null, Map.of("big", "x".repeat(POLICY.maxDataBytes())), T0);

        assertThrows(DataTooLarge.class, () -> store.create(session, request()));

        assertTrue(store.find(session.id(), T0, true).isEmpty());
    }

    /** Visits every 20 minutes from creation until {@code until}, as a user who keeps browsing. */
    private static void keepAliveUntil(SessionStore store, Session session, Instant until) {
        for (Instant t = session.createdAt(); t.isBefore(until); t = t.plus(Duration.ofMinutes(20))) {
            store.recordVisit(session.id(), t, request());
        }
    }

    protected static <T> List<T> concurrently(int count, IndexedTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Callable<T>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                calls.add(() -> task.run(index));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : pool.invokeAll(calls)) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    protected interface IndexedTask<T> {
        T run(int index) throws Exception;
    }
}
