package dev.sessions.testing;

import java.net.URI;

/**
 * A Redis for integration tests: the redis-server the harness started, or {@code REDIS_URL}.
 *
 * @param uri {@code redis://host:port} (or {@code rediss://} for TLS)
 */
public record RedisEndpoint(URI uri) {
}
