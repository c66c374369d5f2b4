package example.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which events are sign-outs worth an audit line, by the sessions stack's documented event schema. */
class SignOutTest {

    private static Map<String, Object> ended(String reason, String principal) {
        Map<String, Object> detail = new HashMap<>(Map.of("eventId", "e-1-ended", "sessionId",
                "uTa7ryUvdhtXQjw8AzmI8ajpR24ZubXSIoMwr_trDKQ", "reason", reason, "occurredAt", "2026-12-06T10:15:30Z"));
        detail.put("principal", principal);
        return Map.of("source", "dev.sessions", "detail-type", "Session Ended", "detail", detail);
    }

    @Test
    void givenSignOutsOfEachKind_whenRead_thenEachIsAuditedWithItsPrincipalAndReason() {
        for (String reason : SignOut.REASONS) {
            Optional<SignOut> out = SignOut.of(ended(reason, "alice"));

            assertEquals(Optional.of(new SignOut("e-1-ended", "alice", "uTa7ryUvdhtXQjw8AzmI8ajpR24ZubXSIoMwr_trDKQ",
                    reason, "2026-12-06T10:15:30Z")), out);
        }
    }

    @Test
    void givenEndsThatAreNoSignOut_whenRead_thenIgnored() {
        for (String reason : new String[] {"rotated", "expired", "replaced-at-sign-in", "revoked-by-session-limit"}) {
            assertTrue(SignOut.of(ended(reason, "alice")).isEmpty(), reason);
        }
        assertTrue(SignOut.of(ended("signed-out", null)).isEmpty(), "a visitor's session: nobody to audit");
        assertTrue(SignOut.of(Map.of("source", "dev.sessions", "detail-type", "Session Started", "detail", Map.of()))
                .isEmpty());
        assertTrue(SignOut.of(Map.of("source", "somebody.else", "detail-type", "Session Ended", "detail",
                ended("signed-out", "alice").get("detail"))).isEmpty());
    }
}
