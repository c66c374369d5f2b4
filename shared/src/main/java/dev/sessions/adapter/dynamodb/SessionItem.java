package dev.sessions.adapter.dynamodb;

import dev.sessions.domain.Device;
import dev.sessions.domain.EndReason;
import dev.sessions.domain.Session;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A session as an item of the sessions table (docs/design.md, "Data model"). Times: {@code createdAt} and
 * {@code lastAccessedAt} in epoch milliseconds; {@code expiresAt} (the TTL attribute) and
 * {@code absoluteExpiresAt} in epoch seconds. {@code dataBytes} is an upper bound of the data's
 * compact size that the store keeps to refuse oversized patches in a single request.
 */
public final class SessionItem {

    public static final String ID = "id";
    public static final String PRINCIPAL = "principal";
    public static final String DATA = "data";
    public static final String VISITS = "visits";
    public static final String VERSION = "version";
    public static final String REVISION = "revision";
    public static final String CREATED_AT = "createdAt";
    public static final String LAST_ACCESSED_AT = "lastAccessedAt";
    public static final String EXPIRES_AT = "expiresAt";
    public static final String ABSOLUTE_EXPIRES_AT = "absoluteExpiresAt";
    public static final String ROTATED_FROM = "rotatedFrom";
    public static final String DATA_BYTES = "dataBytes";
    /** What the session recorded of the device that created it: a short user agent and the source address. */
    public static final String DEVICE_USER_AGENT = "deviceUserAgent";
    public static final String DEVICE_SOURCE_IP = "deviceSourceIp";
    /**
     * On a forward pointer, the item a rotation leaves at the old id: the id the session moved to.
     * A forward pointer holds no session (no data, visits or use), lives until the session's absolute
     * expiry, and no write applies to it. It keeps the session's principal and creation time, so it
     * stays in the principal index where the session was: a transaction's items reach an index one
     * by one, and without it a query between the two could find the session under neither id
     * (docs/design.md, decision 37). An index entry without {@code lastAccessedAt} is a pointer.
     */
    public static final String MOVED_TO = "movedTo";
    /**
     * Which operation wrote the item last: {@code create}, {@code visit}, {@code touch},
     * {@code patch}, {@code rotate} (the new item) or {@code move} (the forward pointer left at the
     * old id). The aggregates' stream filter passes only the MODIFYs of visits and moves, the
     * ones that change what they count.
     */
    public static final String LAST_WRITE = "lastWrite";
    /**
     * The id of the invocation that wrote the item last (Lambda's request id): the SDK's repeat of
     * that write after a lost answer finds it and applies nothing again. Touches leave it alone.
     */
    public static final String LAST_REQUEST = "lastRequest";
    /**
     * Why the session ended ({@link EndReason#code()}): written onto the item just before its
     * delete, and onto a rotation's or sign-in's forward pointer, so that the stream tells a
     * sign-out from a revocation from a rotation (a DeleteItem carries no attribute; a TTL delete is
     * known by its service identity).
     */
    public static final String END_REASON = "endReason";

    /** The index of sessions by principal, keyed (principal, createdAt), with the session's times (never its data). */
    public static final String BY_PRINCIPAL = "byPrincipal";

    private SessionItem() {
    }

    public static Map<String, AttributeValue> key(String id) {
        return Map.of(ID, AttributeValue.fromS(id));
    }

    /** The item of a session whose data is {@code dataBytes} long, as request {@code requestId} creates it. */
    public static Map<String, AttributeValue> toItem(Session session, int dataBytes, String requestId) {
        Map<String, AttributeValue> item = toItem(session, dataBytes);
        item.put(LAST_REQUEST, AttributeValue.fromS(requestId));
        return item;
    }

    /** The item of a session whose data is {@code dataBytes} long. */
    public static Map<String, AttributeValue> toItem(Session session, int dataBytes) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(session.id()));
        if (session.principal() != null) {
            item.put(PRINCIPAL, AttributeValue.fromS(session.principal()));
        }
        item.put(DATA, AttributeValue.fromM(JsonAttributes.toAttributes(session.data())));
        item.put(VISITS, number(session.visits()));
        item.put(VERSION, number(session.version()));
        item.put(REVISION, number(session.revision()));
        item.put(CREATED_AT, number(session.createdAt().toEpochMilli()));
        item.put(LAST_ACCESSED_AT, number(session.lastAccessedAt().toEpochMilli()));
        item.put(EXPIRES_AT, number(session.expiresAt().getEpochSecond()));
        item.put(ABSOLUTE_EXPIRES_AT, number(session.absoluteExpiresAt().getEpochSecond()));
        item.put(DATA_BYTES, number(dataBytes));
        item.put(LAST_WRITE, AttributeValue.fromS("create"));
        if (session.device() != null && session.device().userAgent() != null) {
            item.put(DEVICE_USER_AGENT, AttributeValue.fromS(session.device().userAgent()));
        }
        if (session.device() != null && session.device().sourceIp() != null) {
            item.put(DEVICE_SOURCE_IP, AttributeValue.fromS(session.device().sourceIp()));
        }
        return item;
    }

    /**
     * The update that writes why a session ends onto its item just before its delete, with
     * {@link #endingValues}: the reason, and {@code end} as its last write (which no stream filter
     * passes). Its revision stays, so that the replica takes nothing from it.
     */
    public static final String MARK_ENDING = "SET " + END_REASON + " = :reason, " + LAST_WRITE + " = :end";

    /** The values {@link #MARK_ENDING} names, with the others a caller's condition names. */
    public static Map<String, AttributeValue> endingValues(EndReason reason, Map<String, AttributeValue> others) {
        Map<String, AttributeValue> values = new HashMap<>(others);
        values.put(":reason", AttributeValue.fromS(reason.code()));
        values.put(":end", AttributeValue.fromS("end"));
        return values;
    }

    /**
     * The forward pointer a rotation leaves at {@code old}'s id, to {@code newId}: until the
     * session's absolute expiry (also its TTL), one revision on from the session it replaces, in the
     * principal index where the session was (see {@link #MOVED_TO}).
     */
    public static Map<String, AttributeValue> forwardPointer(Session old, String newId, String requestId,
                                                             EndReason reason) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(END_REASON, AttributeValue.fromS(reason.code()));
        item.put(ID, AttributeValue.fromS(old.id()));
        item.put(MOVED_TO, AttributeValue.fromS(newId));
        if (old.principal() != null) {
            item.put(PRINCIPAL, AttributeValue.fromS(old.principal())); // the index keeps the session's place
            item.put(CREATED_AT, number(old.createdAt().toEpochMilli()));
        }
        item.put(REVISION, number(old.revision() + 1));
        item.put(EXPIRES_AT, number(old.absoluteExpiresAt().getEpochSecond()));
        item.put(ABSOLUTE_EXPIRES_AT, number(old.absoluteExpiresAt().getEpochSecond()));
        item.put(LAST_WRITE, AttributeValue.fromS("move"));
        item.put(LAST_REQUEST, AttributeValue.fromS(requestId));
        return item;
    }

    /** Whether an item is a rotation's forward pointer rather than a session. */
    public static boolean isForwardPointer(Map<String, AttributeValue> item) {
        return item != null && item.containsKey(MOVED_TO);
    }

    /** The session an item holds; its expiry is the idle expiry capped by the absolute one. */
    public static Session toSession(Map<String, AttributeValue> item) {
        AttributeValue principal = item.get(PRINCIPAL);
        AttributeValue data = item.get(DATA);
        return new Session(
                item.get(ID).s(),
                principal == null ? null : principal.s(),
                data == null ? Map.of() : JsonAttributes.fromAttributes(data.m()),
                longOf(item, VISITS, 0),
                longOf(item, VERSION, 1),
                longOf(item, REVISION, 0),
                Instant.ofEpochMilli(longOf(item, CREATED_AT, 0)),
                Instant.ofEpochMilli(longOf(item, LAST_ACCESSED_AT, 0)),
                Instant.ofEpochSecond(longOf(item, EXPIRES_AT, 0)),
                Instant.ofEpochSecond(longOf(item, ABSOLUTE_EXPIRES_AT, 0)),
                item.containsKey(DEVICE_USER_AGENT) || item.containsKey(DEVICE_SOURCE_IP)
                        ? new Device(stringOf(item, DEVICE_USER_AGENT), stringOf(item, DEVICE_SOURCE_IP)) : null);
    }

    private static String stringOf(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    public static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** Whether request {@code requestId} wrote the item last. */
    static boolean lastWrittenBy(Map<String, AttributeValue> item, String requestId) {
        AttributeValue last = item == null ? null : item.get(LAST_REQUEST);
        return last != null && requestId != null && requestId.equals(last.s());
    }

    public static long longOf(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? fallback : Long.parseLong(value.n());
    }
}
