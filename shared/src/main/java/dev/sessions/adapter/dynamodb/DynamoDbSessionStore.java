package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.ABSOLUTE_EXPIRES_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.BY_PRINCIPAL;
import static dev.sessions.adapter.dynamodb.SessionItem.DATA;
import static dev.sessions.adapter.dynamodb.SessionItem.DATA_BYTES;
import static dev.sessions.adapter.dynamodb.SessionItem.EXPIRES_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.ID;
import static dev.sessions.adapter.dynamodb.SessionItem.LAST_ACCESSED_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.PRINCIPAL;
import static dev.sessions.adapter.dynamodb.SessionItem.REVISION;
import static dev.sessions.adapter.dynamodb.SessionItem.ROTATED_FROM;
import static dev.sessions.adapter.dynamodb.SessionItem.VERSION;
import static dev.sessions.adapter.dynamodb.SessionItem.VISITS;
import static dev.sessions.adapter.dynamodb.SessionItem.key;
import static dev.sessions.adapter.dynamodb.SessionItem.number;

import dev.sessions.domain.DataTooLarge;
import dev.sessions.domain.MergePatch;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionData;
import dev.sessions.domain.SessionNotFound;
import dev.sessions.domain.SessionPolicy;
import dev.sessions.domain.SessionStore;
import dev.sessions.domain.StoreUnavailable;
import dev.sessions.domain.VersionConflict;
import dev.sessions.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The session store on one DynamoDB table (DESIGN.md section 5). Each operation is one request
 * where DynamoDB allows it: find, touch, recordVisit and most patches are a single GetItem or
 * UpdateItem; expiry is checked in the condition of every write and on every read.
 *
 * <p>Patches write by document path, so concurrent patches to different keys all survive. To
 * refuse oversized data without reading first, the item keeps {@code dataBytes}, an upper bound
 * of the data's compact size that each such patch raises by its own worst case. Only when that
 * bound would pass the limit, or a nested merge meets a value that is not an object, does a patch
 * read the item, merge exactly and write with a compare-and-set on {@code revision}.
 */
public final class DynamoDbSessionStore implements SessionStore {

    private static final int CONFLICT_ATTEMPTS = 5;
    private static final int MAX_EXPRESSION_LENGTH = 4000; // DynamoDB refuses expressions over 4 KB
    private static final int LIST_LIMIT = 1000;
    private static final String LIVE = "expiresAt > :nowS AND absoluteExpiresAt > :nowS";
    private static final AttributeValue ONE = number(1);

    private final DynamoDbClient dynamo;
    private final String table;
    private final SessionPolicy policy;

    public DynamoDbSessionStore(DynamoDbClient dynamo, String table, SessionPolicy policy) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public void create(Session session) {
        int size = SessionData.validate(session.data(), policy);
        try {
            dynamo.putItem(b -> b.tableName(table).item(SessionItem.toItem(session, size))
                    .conditionExpression("attribute_not_exists(id)"));
        } catch (ConditionalCheckFailedException e) {
            throw new StoreUnavailable("a session with that id exists already", false, e);
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
    public Optional<Session> touch(Session seen, Instant now) {
        Instant expiry = min(policy.idleExpiry(now), seen.absoluteExpiresAt());
        long notTouchedSince = now.minus(policy.touchInterval()).toEpochMilli();
        try {
            return Optional.of(SessionItem.toSession(dynamo.updateItem(b -> b.tableName(table).key(key(seen.id()))
                    .updateExpression("SET lastAccessedAt = :now, expiresAt = :exp, lastWrite = :w ADD revision :one")
                    .conditionExpression("lastAccessedAt <= :since AND " + LIVE)
                    .expressionAttributeValues(Map.of(":now", number(now.toEpochMilli()),
                            ":exp", number(expiry.getEpochSecond()), ":one", ONE, ":w", AttributeValue.fromS("touch"),
                            ":since", number(notTouchedSince), ":nowS", number(now.getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes()));
        } catch (ConditionalCheckFailedException touchedMeanwhileOrGone) {
            return Optional.empty();
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Session recordVisit(String id, Instant now) {
        try {
            return SessionItem.toSession(dynamo.updateItem(b -> b.tableName(table).key(key(id))
                    .updateExpression("SET lastAccessedAt = :now, expiresAt = :exp, lastWrite = :w"
                            + " ADD visits :one, revision :one")
                    .conditionExpression("attribute_exists(id) AND " + LIVE)
                    .expressionAttributeValues(Map.of(":now", number(now.toEpochMilli()),
                            ":exp", number(policy.idleExpiry(now).getEpochSecond()), ":one", ONE,
                            ":w", AttributeValue.fromS("visit"),
                            ":nowS", number(now.getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes());
        } catch (ConditionalCheckFailedException e) {
            throw new SessionNotFound();
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Session patch(String id, MergePatch patch, Optional<Long> expectedVersion, Instant now) {
        SessionData.validatePatch(patch.document(), policy);
        PathPatch plan = PathPatch.of(patch.document());
        Map<String, AttributeValue> seen = null;
        if (plan.expressionLength() <= MAX_EXPRESSION_LENGTH && plan.boundBytes() <= policy.maxDataBytes()) {
            try {
                return SessionItem.toSession(dynamo.updateItem(byPath(id, plan, expectedVersion, now)).attributes());
            } catch (ConditionalCheckFailedException e) {
                seen = e.hasItem() ? e.item() : Map.of();
                Session old = live(seen, now).orElseThrow(SessionNotFound::new);
                if (expectedVersion.isPresent() && expectedVersion.get() != old.version()) {
                    throw new VersionConflict(expectedVersion.get(), old.version());
                }
                // else: over the size bound, or a nested merge meets a non-object: merge exactly below
            } catch (SdkException e) {
                if (!isInvalidDocumentPath(e)) {
                    throw StoreErrors.translate(e);
                }
                seen = null;
            }
        }
        return patchExactly(id, patch, expectedVersion, now, seen);
    }

    private UpdateItemRequest byPath(String id, PathPatch plan, Optional<Long> expectedVersion, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(plan.values());
        values.put(":now", number(now.toEpochMilli()));
        values.put(":exp", number(policy.idleExpiry(now).getEpochSecond()));
        values.put(":nowS", number(now.getEpochSecond()));
        values.put(":one", ONE);
        values.put(":bound", number(plan.boundBytes()));
        values.put(":budget", number(policy.maxDataBytes() - plan.boundBytes()));
        values.put(":w", AttributeValue.fromS("patch"));
        StringBuilder condition = new StringBuilder("attribute_exists(id) AND " + LIVE + " AND dataBytes <= :budget");
        if (expectedVersion.isPresent()) {
            condition.append(" AND version = :expected");
            values.put(":expected", number(expectedVersion.get()));
        }
        for (String typeCheck : plan.conditions()) {
            condition.append(" AND ").append(typeCheck);
        }
        StringBuilder update = new StringBuilder("SET lastAccessedAt = :now, expiresAt = :exp, lastWrite = :w");
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
                                 Map<String, AttributeValue> alreadyRead) {
        Map<String, AttributeValue> item = alreadyRead;
        for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
            if (item == null) {
                item = getConsistent(id);
            }
            Session old = live(item, now).orElseThrow(SessionNotFound::new);
            if (expectedVersion.isPresent() && expectedVersion.get() != old.version()) {
                throw new VersionConflict(expectedVersion.get(), old.version());
            }
            Map<String, Object> merged = patch.applyTo(old.data());
            int size = SessionData.validate(merged, policy);
            Instant expiry = min(policy.idleExpiry(now), old.absoluteExpiresAt());
            try {
                return SessionItem.toSession(dynamo.updateItem(b -> b.tableName(table).key(key(id))
                        .updateExpression("SET #data = :data, dataBytes = :size, lastAccessedAt = :now,"
                                + " expiresAt = :exp, lastWrite = :w ADD version :one, revision :one")
                        .conditionExpression("revision = :seen AND " + LIVE)
                        .expressionAttributeNames(Map.of("#data", DATA))
                        .expressionAttributeValues(Map.of(":data", AttributeValue.fromM(JsonAttributes.toAttributes(merged)),
                                ":size", number(size), ":now", number(now.toEpochMilli()),
                                ":exp", number(expiry.getEpochSecond()), ":one", ONE,
                                ":seen", number(old.revision()), ":nowS", number(now.getEpochSecond()),
                                ":w", AttributeValue.fromS("patch")))
                        .returnValues(ReturnValue.ALL_NEW)).attributes());
            } catch (ConditionalCheckFailedException writtenMeanwhile) {
                item = null; // read again and merge onto what is there now
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        throw new StoreUnavailable("the session kept changing under concurrent writes; try again", false, null);
    }

    @Override
    public Optional<Session> delete(String id) {
        try {
            Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table).key(key(id))
                    .returnValues(ReturnValue.ALL_OLD)).attributes();
            return old == null || old.isEmpty() ? Optional.empty() : Optional.of(SessionItem.toSession(old));
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public Session rotate(String oldId, String newId, Instant now) {
        for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> oldItem = getConsistent(oldId);
            Session old = live(oldItem, now).orElseThrow(SessionNotFound::new);
            Map<String, AttributeValue> moved = new HashMap<>(oldItem);
            moved.put(ID, AttributeValue.fromS(newId));
            moved.put(ROTATED_FROM, AttributeValue.fromS(oldId));
            moved.put(REVISION, number(old.revision() + 1));
            moved.put(LAST_ACCESSED_AT, number(now.toEpochMilli()));
            moved.put(EXPIRES_AT, number(min(policy.idleExpiry(now), old.absoluteExpiresAt()).getEpochSecond()));
            moved.put(SessionItem.LAST_WRITE, AttributeValue.fromS("rotate"));
            try {
                dynamo.transactWriteItems(b -> b.transactItems(
                        t -> t.put(p -> p.tableName(table).item(moved).conditionExpression("attribute_not_exists(id)")),
                        t -> t.delete(d -> d.tableName(table).key(key(oldId)).conditionExpression("revision = :seen")
                                .expressionAttributeValues(Map.of(":seen", number(old.revision()))))));
                return SessionItem.toSession(moved);
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.getFirst().code())) {
                    throw new StoreUnavailable("a session with the new id exists already", false, e);
                }
                if (reasons.size() < 2 || !"ConditionalCheckFailed".equals(reasons.get(1).code())) {
                    throw StoreErrors.translate(e);
                }
                // the old session was written meanwhile: read it again
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
        }
        throw new StoreUnavailable("the session kept changing under concurrent writes; try again", false, null);
    }

    @Override
    public List<Session> listByPrincipal(String principal, Instant now) {
        List<Session> live = new ArrayList<>();
        for (Map<String, AttributeValue> item : itemsOf(principal)) {
            live(item, now).ifPresent(live::add);
        }
        live.sort(Comparator.comparing(Session::createdAt).thenComparing(Session::id));
        return live;
    }

    @Override
    public List<Session> revokeByPrincipal(String principal, Instant now) {
        // one DeleteItem each (a principal has a handful): the old item says whether it was live,
        // and the function needs no right to write items, only to delete them
        List<Session> revoked = new ArrayList<>();
        for (String id : idsOf(principal)) {
            delete(id).filter(session -> principal.equals(session.principal()) && !session.isExpired(now))
                    .ifPresent(revoked::add);
        }
        revoked.sort(Comparator.comparing(Session::createdAt).thenComparing(Session::id));
        return revoked;
    }

    /** The ids the principal index lists for a principal (eventually consistent). */
    private List<String> idsOf(String principal) {
        List<String> ids = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        try {
            do {
                QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(BY_PRINCIPAL)
                        .keyConditionExpression("principal = :p")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)))
                        .limit(LIST_LIMIT);
                if (start != null) {
                    query.exclusiveStartKey(start);
                }
                QueryResponse page = dynamo.query(query.build());
                page.items().forEach(item -> ids.add(item.get(ID).s()));
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null && ids.size() < LIST_LIMIT);
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
        return ids;
    }

    /** Every item of a principal: the index gives keys, a consistent batch read gives the items. */
    private List<Map<String, AttributeValue>> itemsOf(String principal) {
        List<Map<String, AttributeValue>> keys = idsOf(principal).stream().map(SessionItem::key).toList();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += 100) {
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(from + 100, keys.size()))).consistentRead(true).build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt == CONFLICT_ATTEMPTS) {
                    throw new StoreUnavailable("DynamoDB kept deferring reads", true, null);
                }
                backOff(attempt);
                Map<String, KeysAndAttributes> request = pending;
                try {
                    BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(request));
                    items.addAll(response.responses().getOrDefault(table, List.of()));
                    pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
                } catch (SdkException e) {
                    throw StoreErrors.translate(e);
                }
            }
        }
        items.removeIf(item -> !item.containsKey(PRINCIPAL) || !principal.equals(item.get(PRINCIPAL).s()));
        return items;
    }

    private Map<String, AttributeValue> getConsistent(String id) {
        try {
            return dynamo.getItem(b -> b.tableName(table).key(key(id)).consistentRead(true)).item();
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    private static Optional<Session> live(Map<String, AttributeValue> item, Instant now) {
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Session session = SessionItem.toSession(item);
        return session.isExpired(now) ? Optional.empty() : Optional.of(session);
    }

    private static boolean isInvalidDocumentPath(SdkException e) {
        return e.getMessage() != null && e.getMessage().contains("document path");
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static void backOff(int attempt) {
        if (attempt == 0) {
            return;
        }
        try {
            Thread.sleep(Math.min(1000, 25L << attempt)); // DynamoDB asks for backoff before retrying unprocessed items
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("interrupted", false, e);
        }
    }

    /**
     * A merge patch as one UpdateItem by document path: SETs, REMOVEs, the type checks that make
     * nested merges safe, and the most bytes it can add to the data.
     */
    record PathPatch(List<String> sets, List<String> removes, List<String> conditions, Map<String, String> names,
                     Map<String, AttributeValue> values, int boundBytes) {

        static PathPatch of(Map<String, Object> document) {
            Planner planner = new Planner();
            int bound = planner.add("#data", document);
            if (!document.isEmpty()) {
                planner.names.put("#data", DATA);
            }
            return new PathPatch(List.copyOf(planner.sets), List.copyOf(planner.removes),
                    List.copyOf(planner.conditions), Map.copyOf(planner.names), Map.copyOf(planner.values), bound);
        }

        int expressionLength() {
            int length = 120;
            for (String s : sets) {
                length += s.length() + 2;
            }
            for (String r : removes) {
                length += r.length() + 2;
            }
            for (String c : conditions) {
                length += c.length() + 5;
            }
            return length;
        }
    }

    private static final class Planner {
        final List<String> sets = new ArrayList<>();
        final List<String> removes = new ArrayList<>();
        final List<String> conditions = new ArrayList<>();
        final Map<String, String> names = new HashMap<>();
        final Map<String, AttributeValue> values = new HashMap<>();

        /** Plans {@code patch} under {@code parent}; returns the most bytes it can add. */
        int add(String parent, Map<String, Object> patch) {
            int bound = 0;
            for (Map.Entry<String, Object> entry : patch.entrySet()) {
                String alias = "#k" + names.size();
                names.put(alias, entry.getKey());
                String path = parent + "." + alias;
                Object value = entry.getValue();
                // ,"key":value is the most a key can add to the compact JSON of its object
                int fragment = Json.write(entry.getKey()).getBytes(StandardCharsets.UTF_8).length + 2;
                if (value == null) {
                    removes.add(path);
                } else if (value instanceof Map<?, ?> nested && !nested.isEmpty()) {
                    conditions.add("attribute_type(" + path + ", :typeM)");
                    values.put(":typeM", AttributeValue.fromS("M"));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> nestedPatch = (Map<String, Object>) nested;
                    bound += fragment + 2 + add(path, nestedPatch);
                } else if (value instanceof Map<?, ?>) {
                    // merging {} keeps an object as it is and turns anything else into {}
                    conditions.add("(attribute_not_exists(" + path + ") OR attribute_type(" + path + ", :typeM))");
                    values.put(":typeM", AttributeValue.fromS("M"));
                    values.put(":emptyM", AttributeValue.fromM(Map.of()));
                    sets.add(path + " = if_not_exists(" + path + ", :emptyM)");
                    bound += fragment + 2;
                } else {
                    String placeholder = ":v" + values.size();
                    values.put(placeholder, JsonAttributes.toAttribute(value));
                    sets.add(path + " = " + placeholder);
                    bound += fragment + SessionData.sizeOf(value);
                }
            }
            return bound;
        }
    }
}
