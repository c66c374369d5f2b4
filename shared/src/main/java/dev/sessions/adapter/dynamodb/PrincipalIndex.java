package dev.sessions.adapter.dynamodb;

import static dev.sessions.adapter.dynamodb.SessionItem.ABSOLUTE_EXPIRES_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.BY_PRINCIPAL;
import static dev.sessions.adapter.dynamodb.SessionItem.CREATED_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.EXPIRES_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.ID;
import static dev.sessions.adapter.dynamodb.SessionItem.LAST_ACCESSED_AT;
import static dev.sessions.adapter.dynamodb.SessionItem.PRINCIPAL;

import dev.sessions.domain.InvalidData;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionStore.IdPage;
import dev.sessions.domain.SessionStore.SessionUse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A principal's sessions through the {@code byPrincipal} index, which projects each session's
 * times and never its data: their ids a page (one Query) at a time, then the items themselves read
 * consistently, or the times alone for a session limit (docs/design.md, "Decision log").
 */
final class PrincipalIndex {

    static final int PAGE_SIZE = 1000;

    private final DynamoDbClient dynamo;
    private final String table;
    private final int pageSize;

    PrincipalIndex(DynamoDbClient dynamo, String table, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be positive, not " + pageSize);
        }
        this.dynamo = dynamo;
        this.table = table;
        this.pageSize = pageSize;
    }

    /** One page of {@code principal}'s session ids, oldest first, from the cursor {@code after} (or the start). */
    IdPage ids(String principal, String after) {
        return ids(principal, after, pageSize);
    }

    /**
     * At most {@code limit} of {@code principal}'s session ids, oldest first, from {@code after}.
     *
     * @throws InvalidData when {@code after} is not a cursor a page gave
     */
    IdPage ids(String principal, String after, int limit) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(BY_PRINCIPAL)
                .keyConditionExpression("principal = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)))
                .limit(limit);
        if (after != null) {
            query.exclusiveStartKey(PageCursor.decode(after, principal));
        }
        try {
            QueryResponse page = dynamo.query(query.build());
            List<String> ids = page.items().stream().map(item -> item.get(ID).s()).toList();
            boolean more = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty();
            return new IdPage(ids, more ? PageCursor.encode(page.lastEvaluatedKey()) : null);
        } catch (SdkException e) {
            throw StoreErrors.translate(e);
        }
    }

    /**
     * The live sessions of {@code principal} as the index projects them (their times, never their
     * data): every page, each entry costing its few projected bytes rather than its item's size. An
     * entry without {@code lastAccessedAt} is a rotation's forward pointer: it stands for the
     * session it leads to, which the index may not list yet (a transaction reaches an index item by
     * item), so pointers are followed, with consistent reads of their small items, to the sessions
     * the index does not list; each session counts once.
     */
    List<SessionUse> uses(String principal, Instant now) {
        Map<String, SessionUse> uses = new LinkedHashMap<>();
        List<String> pointers = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        long nowSeconds = now.getEpochSecond();
        do {
            QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(BY_PRINCIPAL)
                    .keyConditionExpression("principal = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(principal)));
            if (start != null) {
                query.exclusiveStartKey(start);
            }
            QueryResponse page;
            try {
                page = dynamo.query(query.build());
            } catch (SdkException e) {
                throw StoreErrors.translate(e);
            }
            for (Map<String, AttributeValue> entry : page.items()) {
                if (seconds(entry, ABSOLUTE_EXPIRES_AT) <= nowSeconds) {
                    continue;
                }
                if (!entry.containsKey(LAST_ACCESSED_AT)) {
                    pointers.add(entry.get(ID).s());
                } else if (seconds(entry, EXPIRES_AT) > nowSeconds) {
                    uses.put(entry.get(ID).s(), new SessionUse(entry.get(ID).s(),
                            Instant.ofEpochMilli(Long.parseLong(entry.get(CREATED_AT).n())),
                            Instant.ofEpochMilli(Long.parseLong(entry.get(LAST_ACCESSED_AT).n()))));
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        followPointers(principal, pointers, uses, now);
        return new ArrayList<>(uses.values());
    }

    /** Adds the live sessions {@code pointers} lead to that {@code uses} does not hold yet. */
    private void followPointers(String principal, List<String> pointers, Map<String, SessionUse> uses, Instant now) {
        Set<String> visited = new HashSet<>(pointers);
        List<String> next = pointers;
        while (!next.isEmpty()) {
            List<String> further = new ArrayList<>();
            for (Map<String, AttributeValue> item : items(next)) {
                if (SessionItem.isForwardPointer(item)) {
                    String to = item.get(SessionItem.MOVED_TO).s();
                    if (!uses.containsKey(to) && visited.add(to)) {
                        further.add(to);
                    }
                } else if (item.containsKey(PRINCIPAL) && principal.equals(item.get(PRINCIPAL).s())) {
                    Session session = SessionItem.toSession(item);
                    if (!session.isExpired(now)) {
                        uses.putIfAbsent(session.id(), new SessionUse(session.id(), session.createdAt(),
                                session.lastAccessedAt()));
                    }
                }
            }
            next = further;
        }
    }

    /** An entry's time in epoch seconds; 0 (long past) when the index holds none for it. */
    private static long seconds(Map<String, AttributeValue> entry, String name) {
        AttributeValue value = entry.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    /** The items of {@code ids}, read consistently (see {@link BatchRead}). */
    List<Map<String, AttributeValue>> items(List<String> ids) {
        return BatchRead.sessions(dynamo, table, ids);
    }

    /** A page's start as text: the index's last evaluated key, {@code createdAt} and {@code id}. */
    static final class PageCursor {
        private PageCursor() {
        }

        static String encode(Map<String, AttributeValue> lastEvaluatedKey) {
            return lastEvaluatedKey.get(CREATED_AT).n() + "/" + lastEvaluatedKey.get(ID).s();
        }

        /** {@code <createdAt millis>/<id>}: anything else would reach DynamoDB as a key it refuses (a 500). */
        private static final java.util.regex.Pattern SHAPE = java.util.regex.Pattern.compile("\\d{1,19}/[A-Za-z0-9_-]{1,128}");

        static Map<String, AttributeValue> decode(String cursor, String principal) {
            if (!SHAPE.matcher(cursor).matches()) {
                throw new InvalidData("cursor is not one a page of this listing gave");
            }
            int slash = cursor.indexOf('/');
            return Map.of(PRINCIPAL, AttributeValue.fromS(principal), CREATED_AT,
                    AttributeValue.fromN(cursor.substring(0, slash)), ID, AttributeValue.fromS(cursor.substring(slash + 1)));
        }
    }
}
