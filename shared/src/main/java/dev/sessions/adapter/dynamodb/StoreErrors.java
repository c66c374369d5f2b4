package dev.sessions.adapter.dynamodb;

import dev.sessions.domain.StoreUnavailable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;

/** Turns SDK exceptions into the domain's: unavailability is kept apart from our own bugs. */
final class StoreErrors {

    private StoreErrors() {
    }

    /**
     * A throttle, a transaction conflict, a 5xx, a missing table or a network failure becomes
     * {@link StoreUnavailable}; anything else (a request DynamoDB calls invalid) is a bug here, an
     * {@link IllegalStateException}.
     */
    static RuntimeException translate(SdkException e) {
        if (e instanceof AwsServiceException service) {
            if (service.isThrottlingException()) {
                return new StoreUnavailable("DynamoDB throttled the request", true, e);
            }
            if (e instanceof TransactionConflictException || e instanceof TransactionInProgressException) {
                // another request's transaction holds the item (a rotation, say): nothing was written
                return StoreUnavailable.busy("a transaction of another request holds the item", e);
            }
            if (service.statusCode() >= 500 || e instanceof ResourceNotFoundException) {
                return new StoreUnavailable("DynamoDB is unavailable", false, e);
            }
            return new IllegalStateException("DynamoDB refused the request: "
                    + service.awsErrorDetails().errorCode(), e);
        }
        if (e instanceof SdkClientException) {
            return new StoreUnavailable("DynamoDB could not be reached", false, e);
        }
        return new IllegalStateException("DynamoDB call failed", e);
    }
}
