package dev.sessions.local.template;

import java.util.List;

/**
 * A DynamoDB stream event source mapping (a function's {@code Type: DynamoDB} event).
 *
 * @param functionId the function it invokes
 * @param eventName the event's name under the function's Events
 * @param tableId the logical id of the table whose stream it reads
 * @param startingPosition {@code TRIM_HORIZON} or {@code LATEST}
 * @param batchSize BatchSize (default 100)
 * @param maxBatchingWindowSeconds MaximumBatchingWindowInSeconds (default 0)
 * @param maxRetryAttempts MaximumRetryAttempts, -1 for until the record expires
 * @param maxRecordAgeSeconds MaximumRecordAgeInSeconds, -1 for no limit
 * @param bisectOnError BisectBatchOnFunctionError
 * @param reportBatchItemFailures whether FunctionResponseTypes has ReportBatchItemFailures
 * @param filterPatterns FilterCriteria patterns (JSON text), ORed; empty for none
 * @param onFailureDestination DestinationConfig.OnFailure.Destination, or {@code null}
 * @param enabled Enabled (default true)
 */
public record StreamMapping(String functionId, String eventName, String tableId, String startingPosition,
                            int batchSize, int maxBatchingWindowSeconds, int maxRetryAttempts,
                            int maxRecordAgeSeconds, boolean bisectOnError, boolean reportBatchItemFailures,
                            List<String> filterPatterns, String onFailureDestination, boolean enabled) {
    public StreamMapping {
        filterPatterns = List.copyOf(filterPatterns);
    }
}
