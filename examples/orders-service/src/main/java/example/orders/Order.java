package example.orders;

import java.time.Instant;

/**
 * One order of a principal.
 *
 * @param id time-ordered: the placing instant, then a random part, so a principal's orders list in order
 * @param item what was ordered
 * @param quantity how many
 * @param placedAt when
 * @param sessionId the public id of the session that placed it (never its token): which sign-in did what
 */
public record Order(String id, String item, int quantity, Instant placedAt, String sessionId) {
}
