package dev.sessions.domain;

/** Input the store cannot hold as given: the message says what and where, for the client to fix. */
public final class InvalidData extends SessionException {

    private static final long serialVersionUID = 1L;

    public InvalidData(String reason) {
        super(reason, null);
    }
}
