package dev.sessions.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TallyTest {

    @Test
    void givenNewSession_whenTallied_thenCreatedActiveAndItsFirstVisits() {
        assertEquals(new Tally(1, 1, 1), Tally.of(Tally.Change.INSERT, false, 0, 1));
    }

    @Test
    void givenRotation_whenInsertAndRemoveTallied_thenNothingButActiveNetsZero() {
        Tally insert = Tally.of(Tally.Change.INSERT, true, 0, 7);
        Tally remove = Tally.of(Tally.Change.REMOVE, false, 7, 0);

        assertEquals(new Tally(0, 0, 1), insert);
        assertEquals(Tally.NONE, insert.plus(remove));
    }

    @Test
    void givenModify_whenTallied_thenOnlyTheVisitsItAdded() {
        assertEquals(new Tally(2, 0, 0), Tally.of(Tally.Change.MODIFY, false, 3, 5));
        assertTrue(Tally.of(Tally.Change.MODIFY, false, 5, 5).isEmpty(), "a touch or patch counts nothing");
        assertTrue(Tally.of(Tally.Change.MODIFY, false, 5, 4).isEmpty(), "never negative visits");
    }
}
