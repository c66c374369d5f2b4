package dev.sessions.domain;

import dev.sessions.testing.InMemorySessionStore;

class InMemorySessionStoreTest extends SessionStoreContract {

    @Override
    protected SessionStore store() {
        return new InMemorySessionStore(POLICY);
    }

    @Override
    protected SessionStore storeWithPageSize(int pageSize) {
        return new InMemorySessionStore(POLICY, pageSize);
    }
}
