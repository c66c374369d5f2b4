package dev.sessions.domain;

import java.util.List;

/**
 * Where lifecycle events go: the port an event bus implements. Events are published in the order
 * given, so that a session's start goes out before its end.
 */
public interface SessionEvents {

    /**
     * Publishes {@code events}, in order, as far as it can.
     *
     * @return how many of them, from the first, were accepted: fewer than all when one was
     *     refused or the bus failed (the caller retries from that one; those before it may come
     *     again, so consumers dedupe on {@link SessionEvent#eventId()})
     */
    int publish(List<SessionEvent> events);
}
