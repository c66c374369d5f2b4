package dev.sessions.domain;

/**
 * Everything a session operation can refuse, as one closed set, so that callers map each case
 * with an exhaustive {@code switch}. Store adapters translate their clients' exceptions into
 * these and keep the cause; no SDK or Redis exception reaches a caller.
 */
public abstract sealed class SessionException extends RuntimeException
        permits SessionNotFound, VersionConflict, DataTooLarge, InvalidData, IdempotencyConflict, StoreUnavailable {

    private static final long serialVersionUID = 1L;

    SessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
