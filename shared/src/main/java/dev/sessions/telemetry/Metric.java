package dev.sessions.telemetry;

/**
 * Every metric the functions emit, in the one CloudWatch namespace (default {@code Sessions}),
 * with the one dimension {@code Function}. The template's dashboard and alarms use exactly these
 * names; a test holds the two to each other.
 */
public enum Metric {
    /** The first invocation of an execution environment (also {@code coldStart: true} on its line). */
    COLD_STARTS("ColdStarts", "Count"),
    VISITS("Visits", "Count"),
    SESSIONS_CREATED("SessionsCreated", "Count"),
    VERSION_CONFLICTS("VersionConflicts", "Count"),
    EXPIRED_SESSION_HITS("ExpiredSessionHits", "Count"),
    CACHE_HITS("CacheHits", "Count"),
    CACHE_MISSES("CacheMisses", "Count"),
    CACHE_ERRORS("CacheErrors", "Count"),
    STORE_THROTTLES("StoreThrottles", "Count"),
    SESSIONS_EXPIRED("SessionsExpired", "Count"),
    /** A gauge: the aggregate's value after a batch changed it (emitted as the batch's maximum). */
    ACTIVE_SESSIONS("ActiveSessions", "Count"),
    SYNC_LAG("SyncLag", "Milliseconds"),
    RECORDS_APPLIED("RecordsApplied", "Count"),
    DUPLICATES_SKIPPED("DuplicatesSkipped", "Count"),
    /** Stream records that can never apply (not a session, not countable), set aside to the dead-letter queue. */
    POISON_RECORDS("PoisonRecords", "Count"),
    /** Sliding touches of a read that failed; the read was answered all the same. */
    TOUCH_FAILURES("TouchFailures", "Count"),
    /** Requests the session authorizer refused: no token, a malformed one, or no live session. */
    AUTHORIZER_DENIALS("AuthorizerDenials", "Count"),
    /** Requests the session authorizer refused because the store could not be read: it fails closed. */
    AUTHORIZER_STORE_FAILURES("AuthorizerStoreFailures", "Count"),
    /** Browsers' cross-origin unsafe requests with the session cookie, refused (CSRF): nothing changed. */
    CROSS_SITE_REFUSALS("CrossSiteRefusals", "Count"),
    /** Lifecycle events the bus took. */
    EVENTS_PUBLISHED("EventsPublished", "Count"),
    /** Batches whose events the bus did not all take: they are retried from the first refused. */
    EVENT_PUBLISH_FAILURES("EventPublishFailures", "Count");

    private final String metricName;
    private final String unit;

    Metric(String metricName, String unit) {
        this.metricName = metricName;
        this.unit = unit;
    }

    /** The CloudWatch metric name. */
    public String metricName() {
        return metricName;
    }

    /** The CloudWatch unit. */
    public String unit() {
        return unit;
    }
}
