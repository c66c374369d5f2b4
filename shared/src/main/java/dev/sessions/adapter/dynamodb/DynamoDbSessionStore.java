package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.CREATED_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.DATA;
import static dev.sessions.adapter.dynamodb.SessionItem.EXPIRES_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.ID;
import static dev.sessions.adapter.dynamodb.SessionItem.LAST_ACCESSED_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.LAST_REQUEST;
import static dev.sessions.adapter.dynamodb.SessionItem.MOVED_TO;
import static dev.sessions.adapter.dynamodb.SessionItem.PRINCIPAL;
import static dev.sessions.adapter.dynamodb.SessionItem.REVISION;
import static dev.sessions.adapter.dynamodb.SessionItem.ROTATED_FROM;
import static dev.sessions.adapter.dynamodb.SessionItem.key;
import static dev.sessions.adapter.dynamodb.SessionItem.lastWrittenBy;
import static dev.sessions.adapter.dynamodb.SessionItem.number;

import dev.sessions.domain.EndReason;
import dev.sessions.domain.IdTaken;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionData;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.VersionConflict;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The session store on one DynamoDB table (docs/design.md, "Data model"). Each operation is one
 * request where DynamoDB allows it: find, touch, recordVisit and most patches are a single
 * GetItem or UpdateItem; expiry is checked in the condition of every write and on every read.
 *
 * <p>Patches write by document path ({@link PatchPlan}), so concurrent patches to different keys
 * all survive. To refuse oversized data without reading first, the item keeps {@code dataBytes},
 * an upper bound of the data's compact size that each such patch raises by its own worst case.
 * Only when that bound would pass the limit, or a nested merge meets a value that is not an
 * object, does a patch read the item, merge exactly and write with a compare-and-set on
 * {@code revision}.
 *
 * <p>Repeats: every write but a touch sets {@code lastRequest} and, where applying it twice would
 * differ from once, conditions on its not being the writer already. A condition that fails
 * returns the item as it stands ({@code ReturnValuesOnConditionCheckFailure}), so a repeat is
 * recognised, and answered as its first attempt was, in the same request.
 */
public final class DynamoDbSessionStore implements SessionStore {

    private static final int CONFLICT_ATTEMPTS = 5;
    private static final int MAX_EXPRESSION_LENGTH = 4000; // DynamoDB refuses expressions over 4 KB
    /** Ids per page of the principal index: a page is one Query. */
    public static final int PAGE_SIZE = PrincipalIndex.PAGE_SIZE;
    /** A session (not a rotation's forward pointer) that has not expired. */
    private static final String LIVE = "attribute_not_exists(movedTo) AND expiresAt > :nowS AND absoluteExpiresAt > :nowS";
    private static final String NOT_A_REPEAT = "(attribute_not_exists(lastRequest) OR lastRequest <> :req)";
    /** The TTL attribute a write sets ({@code :exp}) never passes the absolute expiry. */
    private static final String CAPPED = "absoluteExpiresAt >= :exp";
    private static final AttributeValue ONE = number(1);
    /** What {@link #currentUse} reads of an item: its times and whether it is a pointer, never its data. */
    private static final String USE_OF_SESSION = "id, movedTo, principal, createdAt, lastAccessedAt, expiresAt,"
            + " absoluteExpiresAt";

    private final DynamoDbClient dynamo;
    private final String table;
    private final SessionPolicy policy;
    private final PrincipalIndex index;

    public DynamoDbSessionStore(DynamoDbClient dynamo, String table, SessionPolicy policy) {
        this(dynamo, table, policy, PAGE_SIZE);
    }

    /** @param pageSize ids per page of the principal index (tests use small pages) */
    public DynamoDbSessionStore(DynamoDbClient dynamo, String table, SessionPolicy policy, int pageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.index = new PrincipalIndex(dynamo, table, pageSize);
    }

    @Override
    public Session create(Session session, String requestId) {
        int size = SessionData.validate(session.data(), policy);
        try {
            dynamo.putItem(b -> b.tableName(table).item(SessionItem.toItem(session, size, requestId))
                    .conditionExpression("attribute_not_exists(id)")
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return session;
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && lastWrittenBy(e.item(), requestId) && e.item().get(ROTATED_FROM) == null
                    && session.createdAt().toEpochMilli() == SessionItem.longOf(e.item(), CREATED_AT, -1)) {
                return SessionItem.toSession(e.item()); // this request's first attempt committed
            }
            throw new IdTaken(e);
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Optional<Session> find(String id, Instant now, boolean consistent) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(id))
                    .consistentRead(consistent)).item();
            return live(item, now);
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Session touch(Session seen, Instant now) {
        Instant expiry = min(policy.idleExpiry(now), seen.absoluteExpiresAt());
        long notTouchedSince = now.minus(policy.touchInterval()).toEpochMilli();
        try {
            return SessionItem.toSession(dynamo.updateItem(b -> b.tableName(table).key(key(seen.id()))
                    .updateExpression("SET lastAccessedAt = :now, expiresAt = :exp, lastWrite = :w ADD revision :one")
                    .conditionExpression("lastAccessedAt <= :since AND " + LIVE)
                    .expressionAttributeValues(Map.of(":now", number(now.toEpochMilli()),
                            ":exp", number(expiry.getEpochSecond()), ":one", ONE, ":w", AttributeValue.fromS("touch"),
                            ":since", number(notTouchedSince), ":nowS", number(now.getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes());
        } catch (ConditionalCheckFailedException touchedMeanwhileOrGone) {
            // gone or expired: the read was out of date; else another request touched it first
            return live(touchedMeanwhileOrGone.hasItem() ? touchedMeanwhileOrGone.item() : null, now)
                    .orElseThrow(SessionNotFound::new);
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Session recordVisit(String id, Instant now, String requestId) {
        // the idle expiry, unless it passes the absolute one: DynamoDB's SET has no min(), so a visit
        // in a session's last idle window learns the cap from the refused first attempt's item
        Instant expiry = policy.idleExpiry(now);
        for (int attempt = 0; attempt < 2; attempt++) {
            Instant exp = expiry;
            try {
                return SessionItem.toSession(dynamo.updateItem(b -> b.tableName(table).key(key(id))
                        .updateExpression("SET lastAccessedAt = :now, expiresAt = :exp, lastWrite = :w, lastRequest = :req"
                                + " ADD visits :one, revision :one")
                        .conditionExpression("attribute_exists(id) AND " + LIVE + " AND " + NOT_A_REPEAT + " AND " + CAPPED)
                        .expressionAttributeValues(Map.of(":now", number(now.toEpochMilli()),
                                ":exp", number(exp.getEpochSecond()), ":one", ONE,
                                ":w", AttributeValue.fromS("visit"), ":req", AttributeValue.fromS(requestId),
                                ":nowS", number(now.getEpochSecond())))
                        .returnValues(ReturnValue.ALL_NEW)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes());
            } catch (ConditionalCheckFailedException e) {
                Map<String, AttributeValue> item = e.hasItem() ? e.item() : null;
                if (lastWrittenBy(item, requestId)) {
                    return SessionItem.toSession(item); // this request's first attempt counted the visit
                }
                Session live = live(item, now).orElseThrow(SessionNotFound::new);
                expiry = min(expiry, live.absoluteExpiresAt()); // refused for the cap alone: write the cap
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        throw StoreUnavailable.busy("the session kept changing under concurrent writes; try again", null);
    }

    @Override
    public Session patch(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now, String requestId) {
        SessionData.validatePatch(patch.document(), policy);
        PatchPlan plan = PatchPlan.of(patch.document());
        Map<String, AttributeValue> seen = null;
        if (plan.expressionLength() <= MAX_EXPRESSION_LENGTH && plan.boundBytes() <= policy.maxDataBytes()) {
            try {
                return SessionItem.toSession(dynamo.updateItem(byPath(id, plan, expectedVersion, now, requestId))
                        .attributes());
            } catch (ConditionalCheckFailedException e) {
                // gone, a repeat of this request, another version, over the size bound, or a nested
                // merge onto a non-object: the exact path below tells which from the item it returned
                seen = e.hasItem() ? e.item() : Map.of();
            } catch (SdkException e) {
                if (!isInvalidDocumentPath(e)) {
                    throw StoreErrors.translate(e);
                }
                seen = null;
            }
        }
        return patchExactly(id, patch, expectedVersion, now, seen, requestId);
    }

    private UpdateItemRequest byPath(String id, PatchPlan plan, Optional<Long> expectedVersion, Instant now,
                                     String requestId) {
        Map<String, AttributeValue> values = new HashMap<>(plan.values());
        values.put(":now", number(now.toEpochMilli()));
        values.put(":exp", number(policy.idleExpiry(now).getEpochSecond()));
        values.put(":nowS", number(now.getEpochSecond()));
        values.put(":one", ONE);
        values.put(":bound", number(plan.boundBytes()));
        values.put(":budget", number(policy.maxDataBytes() - plan.boundBytes()));
        values.put(":w", AttributeValue.fromS("patch"));
        values.put(":req", AttributeValue.fromS(requestId));
        StringBuilder condition = new StringBuilder("attribute_exists(id) AND " + LIVE + " AND dataBytes <= :budget AND "
                + NOT_A_REPEAT + " AND " + CAPPED); // refused for the cap: the exact path below writes it capped
        if (expectedVersion.isPresent()) {
            condition.append(" AND version = :expected");
            values.put(":expected", number(expectedVersion.get()));
        }
        for (String typeCheck : plan.conditions()) {
            condition.append(" AND ").append(typeCheck);
        }
        StringBuilder update = new StringBuilder("SET lastAccessedAt = :now, expiresAt = :exp, lastWrite = :w,"
                + " lastRequest = :req");
        for (String set : plan.sets()) {
            update.append(", ").append(set);
        }
        if (!plan.removes().isEmpty()) {
            update.append(" REMOVE ").append(String.join(", ", plan.removes()));
        }
        update.append(" ADD version :one, revision :one, dataBytes :bound");
        return UpdateItemRequest.builder().tableName(table).key(key(id))
                .updateExpression(update.toString())
                .conditionExpression(condition.toString())
                .expressionAttributeNames(plan.names().isEmpty() ? null : plan.names())
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /** Reads, merges and writes the whole data, conditional on nothing else having written meanwhile. */
    private Session patchExactly(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now,
                                 Map<String, AttributeValue> alreadyRead, String requestId) {
        Map<String, AttributeValue> item = alreadyRead;
        for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
            if (item == null) {
                item = getConsistent(id);
            }
            Session old = live(item, now).orElseThrow(SessionNotFound::new);
            if (lastWrittenBy(item, requestId)) {
                return old; // this request's first attempt applied the patch
            }
            if (expectedVersion.isPresent() && expectedVersion.get() != old.version()) {
                throw new VersionConflict(expectedVersion.get(), old.version());
            }
            Map<String, Object> merged = patch.applyTo(old.data());
            int size = SessionData.validate(merged, policy);
            Instant expiry = min(policy.idleExpiry(now), old.absoluteExpiresAt());
            try {
                return SessionItem.toSession(dynamo.updateItem(b -> b.tableName(table).key(key(id))
                        .updateExpression("SET #data = :data, dataBytes = :size, lastAccessedAt = :now,"
                                + " expiresAt = :exp, lastWrite = :w, lastRequest = :req ADD version :one, revision :one")
                        .conditionExpression("revision = :seen AND " + LIVE)
                        .expressionAttributeNames(Map.of("#data", DATA))
                        .expressionAttributeValues(Map.of(":data", AttributeValue.fromM(JsonAttributes.toAttributes(merged)),
                                ":size", number(size), ":now", number(now.toEpochMilli()),
                                ":exp", number(expiry.getEpochSecond()), ":one", ONE,
                                ":seen", number(old.revision()), ":nowS", number(now.getEpochSecond()),
                                ":w", AttributeValue.fromS("patch"), ":req", AttributeValue.fromS(requestId)))
                        .returnValues(ReturnValue.ALL_NEW)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes());
            } catch (ConditionalCheckFailedException writtenMeanwhile) {
                // merge again onto what is there now (or find this request's own first attempt there)
                item = writtenMeanwhile.hasItem() ? writtenMeanwhile.item() : Map.of();
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        throw StoreUnavailable.busy("the session kept changing under concurrent writes; try again", null);
    }

    @Override
    public Removal delete(String id, EndReason reason) {
        markEnding(id, reason);
        try {
            Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table).key(key(id))
                    .conditionExpression("attribute_not_exists(" + MOVED_TO + ")")
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            return old == null || old.isEmpty() ? new Absent() : new Removed(SessionItem.toSession(old));
        } catch (ConditionalCheckFailedException forwardPointer) {
            // a rotated id: its pointer stays, so that a revocation that follows it reaches the session
            Map<String, AttributeValue> pointer = forwardPointer.hasItem() ? forwardPointer.item() : Map.of();
            return pointer.containsKey(MOVED_TO) ? new Moved(pointer.get(MOVED_TO).s()) : new Absent();
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    /**
     * Writes why the session ends onto its item (not a forward pointer), so that the stream's
     * REMOVE of it carries the reason in its old image: a DeleteItem carries no attribute. One
     * write more per end (docs/design.md, decision 51); its revision unchanged, so that the replica
     * takes nothing from it.
     */
    private void markEnding(String id, EndReason reason) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(id)).updateExpression(SessionItem.MARK_ENDING)
                    .conditionExpression("attribute_exists(id) AND attribute_not_exists(" + MOVED_TO + ")")
                    .expressionAttributeValues(SessionItem.endingValues(reason, Map.of())));
        } catch (ConditionalCheckFailedException absentOrMoved) {
            // nothing to mark: the delete finds out which
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Session rotate(String oldId, String newId, Instant now, String requestId) {
        return move(oldId, newId, now, requestId, EndReason.ROTATED, (old, oldItem) -> {
            Map<String, AttributeValue> moved = new HashMap<>(oldItem);
            moved.put(ID, AttributeValue.fromS(newId));
            moved.put(REVISION, number(old.revision() + 1));
            moved.put(LAST_ACCESSED_AT, number(now.toEpochMilli()));
            moved.put(EXPIRES_AT, number(min(policy.idleExpiry(now), old.absoluteExpiresAt()).getEpochSecond()));
            moved.put(SessionItem.LAST_WRITE, AttributeValue.fromS("rotate"));
            return moved;
        });
    }

    @Override
    public Session takeOver(String oldId, String newId, java.util.function.UnaryOperator<Session> successor, Instant now,
                            String requestId) {
        return move(oldId, newId, now, requestId, EndReason.REPLACED_AT_SIGN_IN, (old, oldItem) -> {
            Session next = successor.apply(old);
            if (!next.id().equals(newId)) {
                throw new IllegalArgumentException("the successor must have the new id");
            }
            Map<String, AttributeValue> item = SessionItem.toItem(next, SessionData.validate(next.data(), policy));
            item.put(SessionItem.LAST_WRITE, AttributeValue.fromS("sign-in"));
            return item;
        });
    }

    /**
     * Moves a live session to {@code newId} in one transaction: the item {@code successor} makes of
     * the old one (given as a session and as its item) under the new id, and the old id's forward
     * pointer, on condition nothing wrote the old item since it was read. A repeat of this request
     * whose first attempt committed answers that attempt's session.
     */
    private Session move(String oldId, String newId, Instant now, String requestId, EndReason reason,
                         java.util.function.BiFunction<Session, Map<String, AttributeValue>, Map<String, AttributeValue>> successor) {
        for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> oldItem = getConsistent(oldId);
            Optional<Session> live = live(oldItem, now);
            if (live.isEmpty()) {
                // gone: ended, or moved by this very request's first attempt, which is then the answer
                Map<String, AttributeValue> there = getConsistent(newId);
                if (movedBy(there, oldId, requestId)) {
                    return SessionItem.toSession(there);
                }
                throw new SessionNotFound();
            }
            Session old = live.get();
            Map<String, AttributeValue> moved = new HashMap<>(successor.apply(old, oldItem));
            moved.put(ROTATED_FROM, AttributeValue.fromS(oldId));
            moved.put(LAST_REQUEST, AttributeValue.fromS(requestId));
            try {
                // the token makes DynamoDB itself answer the SDK's repeat of this exact call as it answered
                // the first; it names the revision read, so a later attempt (other items) gets its own
                int tried = attempt;
                dynamo.transactWriteItems(b -> b.clientRequestToken(transactionToken(requestId, oldId, newId,
                                old.revision(), tried))
                        .transactItems(
                        t -> t.put(p -> p.tableName(table).item(moved).conditionExpression("attribute_not_exists(id)")
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)),
                        t -> t.put(p -> p.tableName(table).item(SessionItem.forwardPointer(old, newId, requestId, reason))
                                .conditionExpression("revision = :seen")
                                .expressionAttributeValues(Map.of(":seen", number(old.revision()))))));
                return SessionItem.toSession(moved);
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                CancellationReason put = reasons.isEmpty() ? null : reasons.getFirst();
                if (put != null && "ConditionalCheckFailed".equals(put.code())) {
                    Map<String, AttributeValue> there = put.hasItem() ? put.item() : null;
                    if (movedBy(there, oldId, requestId)) {
                        return SessionItem.toSession(there); // this request's first attempt committed
                    }
                    throw new IdTaken(e);
                }
                if (reasons.stream().anyMatch(r -> isThrottle(r.code()))) {
                    throw new StoreUnavailable("DynamoDB throttled the rotation", true, e);
                }
                boolean conflict = reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()));
                boolean writtenMeanwhile = reasons.size() >= 2 && "ConditionalCheckFailed".equals(reasons.get(1).code());
                if (!conflict && !writtenMeanwhile) {
                    throw StoreErrors.translate(e);
                }
                if (conflict) {
                    Backoff.pause(attempt); // another transaction holds one of the items: it is over in milliseconds
                }
                // another write of the old session got there first (a visit, a touch, a transaction): read it again
            } catch (TransactionInProgressException stillRunning) {
                // the same transaction is still being applied: read again and see
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        throw StoreUnavailable.busy("the session kept changing under concurrent writes; try again", null);
    }

    @Override
    public Optional<Session> findCurrent(String id, Instant now) {
        Set<String> visited = new HashSet<>();
        String next = id;
        while (visited.add(next)) { // to the end of the moves, however many (a new id never repeats an old one)
            Map<String, AttributeValue> item = getConsistent(next);
            if (!SessionItem.isForwardPointer(item)) {
                return live(item, now);
            }
            next = item.get(MOVED_TO).s();
        }
        return Optional.empty();
    }

    @Override
    public Optional<SessionUse> currentUse(String id, Instant now) {
        Set<String> visited = new HashSet<>();
        String next = id;
        while (visited.add(next)) {
            String at = next;
            Map<String, AttributeValue> item;
            try {
                item = dynamo.getItem(b -> b.tableName(table).key(key(at)).consistentRead(true)
                        .projectionExpression(USE_OF_SESSION)).item();
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
            if (!SessionItem.isForwardPointer(item)) {
                return live(item, now).map(s -> new SessionUse(s.id(), s.createdAt(), s.lastAccessedAt()));
            }
            next = item.get(MOVED_TO).s();
        }
        return Optional.empty();
    }

    @Override
    public List<Session> listByPrincipal(String principal, Instant now) {
        Map<String, Session> live = new LinkedHashMap<>();
        String after = null;
        do {
            IdPage page = idsOfPrincipal(principal, after);
            readLive(principal, page.ids(), now, live);
            after = page.next();
        } while (after != null);
        return oldestFirst(live);
    }

    @Override
    public List<SessionUse> usesOfPrincipal(String principal, Instant now) {
        return index.uses(principal, now);
    }

    @Override
    public SessionPage pageOfPrincipal(String principal, String after, int limit, Instant now) {
        IdPage page = index.ids(principal, after, limit);
        Map<String, Session> live = new LinkedHashMap<>();
        readLive(principal, page.ids(), now, live);
        return new SessionPage(oldestFirst(live), page.next());
    }

    /**
     * Reads the live sessions of {@code ids} into {@code live}, consistently, following forward
     * pointers to their end: the index lags, and lists a rotated session's old id (its pointer) until
     * the pointer expires, and its new one once that has reached it.
     */
    private void readLive(String principal, List<String> ids, Instant now, Map<String, Session> live) {
        Set<String> visited = new HashSet<>(ids);
        while (!ids.isEmpty()) {
            List<String> movedTo = new ArrayList<>();
            for (Map<String, AttributeValue> item : index.items(ids)) {
                if (SessionItem.isForwardPointer(item)) {
                    movedTo.add(item.get(MOVED_TO).s());
                } else if (item.containsKey(PRINCIPAL) && principal.equals(item.get(PRINCIPAL).s())) {
                    live(item, now).ifPresent(session -> live.put(session.id(), session));
                }
            }
            ids = movedTo.stream().filter(id -> !live.containsKey(id) && visited.add(id)).toList();
        }
    }

    private static List<Session> oldestFirst(Map<String, Session> live) {
        List<Session> sorted = new ArrayList<>(live.values());
        sorted.sort(Comparator.comparing(Session::createdAt).thenComparing(Session::id));
        return sorted;
    }

    @Override
    public IdPage idsOfPrincipal(String principal, String after) {
        return index.ids(principal, after);
    }

    private Map<String, AttributeValue> getConsistent(String id) {
        try {
            return dynamo.getItem(b -> b.tableName(table).key(key(id)).consistentRead(true)).item();
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    private static Optional<Session> live(Map<String, AttributeValue> item, Instant now) {
        if (item == null || item.isEmpty() || SessionItem.isForwardPointer(item)) {
            return Optional.empty();
        }
        Session session = SessionItem.toSession(item);
        return session.isExpired(now) ? Optional.empty() : Optional.of(session);
    }

    /** Whether {@code item} is session {@code oldId} as request {@code requestId} moved it. */
    private static boolean movedBy(Map<String, AttributeValue> item, String oldId, String requestId) {
        return lastWrittenBy(item, requestId) && item.get(ROTATED_FROM) != null && oldId.equals(item.get(ROTATED_FROM).s());
    }

    /**
     * At most 36 characters, as DynamoDB takes them: the same call, the same token. DynamoDB refuses
     * a token reused with other parameters for 10 minutes after its first use completed, cancelled
     * or not ({@code IdempotentParameterMismatch}), and answers a reuse with the same ones as it
     * answered the first, a cancellation too. So each attempt of the loop is a token of its own (its
     * number and the revision it read), and only the SDK's repeat of one attempt shares it.
     */
    static String transactionToken(String requestId, String oldId, String newId, long seenRevision, int attempt) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((requestId + "|" + oldId + "|" + newId + "|"
                    + seenRevision + "|" + attempt).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 36);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static boolean isThrottle(String code) {
        return "ThrottlingError".equals(code) || "ProvisionedThroughputExceeded".equals(code)
                || "RequestLimitExceeded".equals(code);
    }

    private static boolean isInvalidDocumentPath(SdkException e) {
        return e.getMessage() != null && e.getMessage().contains("document path");
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
