package dev.sessions.domain;

/**
 * What one change of the sessions table adds to the aggregates (docs/design.md, "Counters table"):
 * {@code sessionsCreated} +1 per new session (not per rotation), {@code visits} += the visits a
 * new session starts with or a change adds, {@code activeSessions} +1 per session item created and
 * -1 per one removed or turned into a rotation's forward pointer (a rotation, an insert and that
 * change, nets zero; the pointer's own removal later counts nothing).
 */
public record Tally(long visits, long sessionsCreated, long activeSessions) {

    public static final Tally NONE = new Tally(0, 0, 0);

    /** A session item turned into a forward pointer by a rotation: it leaves the active count. */
    public static final Tally MOVED_AWAY = new Tally(0, 0, -1);

    /** What kind of change a stream record is. */
    public enum Change { INSERT, MODIFY, REMOVE }

    /**
     * The tally of one change.
     *
     * @param rotated whether the new item was born of a rotation (it carries {@code rotatedFrom})
     * @param oldVisits the visits before the change (0 for an INSERT)
     * @param newVisits the visits after it (0 for a REMOVE)
     */
    public static Tally of(Change change, boolean rotated, long oldVisits, long newVisits) {
        return switch (change) {
            case INSERT -> rotated ? new Tally(0, 0, 1) : new Tally(Math.max(0, newVisits), 1, 1);
            case MODIFY -> new Tally(Math.max(0, newVisits - oldVisits), 0, 0);
            case REMOVE -> new Tally(0, 0, -1);
        };
    }

    public boolean isEmpty() {
        return visits == 0 && sessionsCreated == 0 && activeSessions == 0;
    }

    public Tally plus(Tally other) {
        return new Tally(visits + other.visits, sessionsCreated + other.sessionsCreated,
                activeSessions + other.activeSessions);
    }
}
