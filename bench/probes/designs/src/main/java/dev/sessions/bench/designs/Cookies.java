package dev.sessions.bench.designs;

import dev.sessions.adapter.apigw.HttpRequest;
import java.util.Optional;

/** The request's cookies by name, and the Set-Cookie lines the two counters answer with. */
final class Cookies {

    private Cookies() {
    }

    /** The value of the first cookie called {@code name}. */
    static Optional<String> find(HttpRequest request, String name) {
        String prefix = name + "=";
        return request.cookies().stream().map(String::strip).filter(c -> c.startsWith(prefix))
                .map(c -> c.substring(prefix.length())).findFirst();
    }

    static String set(String name, String value, long maxAgeSeconds) {
        return name + "=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + maxAgeSeconds;
    }
}
