package dev.sessions.domain;

import java.util.Optional;

/**
 * Why a session ended, as its lifecycle event says it (docs/events.md). The store records it on
 * the item before the item goes (a rotation's or sign-in's forward pointer carries it; a delete is
 * preceded by a write of it), so that whoever reads the table's stream can tell the reasons apart.
 */
public enum EndReason {
    /** Its user ended it ({@code DELETE /sessions/current}). */
    SIGNED_OUT("signed-out"),
    /** It moved to a new token ({@code POST /sessions/current/rotate}); its successor goes on. */
    ROTATED("rotated"),
    /** A sign-in on its device took it over (a visitor's, or the same user's), or ended it (another user's). */
    REPLACED_AT_SIGN_IN("replaced-at-sign-in"),
    /** Its user ended it from another of their sessions ({@code DELETE /sessions/{id}}, {@code /sessions/others}). */
    ENDED_FROM_ANOTHER_DEVICE("ended-from-another-device"),
    /** An administrator revoked its principal's sessions ({@code DELETE /admin/principals/{p}/sessions}). */
    REVOKED_BY_ADMINISTRATOR("revoked-by-administrator"),
    /** Its principal's session limit revoked it, the least recently used, to make room. */
    REVOKED_BY_SESSION_LIMIT("revoked-by-session-limit"),
    /** It expired (idle or absolute) and DynamoDB's TTL deleted it. */
    EXPIRED("expired"),
    /** Deleted by something other than this service's code (an operator's hand, say). */
    UNKNOWN("unknown");

    private final String code;

    EndReason(String code) {
        this.code = code;
    }

    /** As events and the table spell it. */
    public String code() {
        return code;
    }

    public static Optional<EndReason> ofCode(String code) {
        for (EndReason reason : values()) {
            if (reason.code.equals(code)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
