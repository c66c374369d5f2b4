package dev.sessions.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client of the visit counters as a browser is one: a cookie jar that sends what it holds and
 * keeps what it is given (Max-Age=0 drops a cookie), and a retry with jittered backoff when a
 * request is throttled (Lambda at its concurrency: API Gateway's 500; the API's own 429). A
 * throttled request ran no function, so a retry counts nothing twice.
 */
final class Browser {

    /** How long a throttled request is retried: one environment shared by 8 clients can starve one a while. */
    private static final Duration RETRY_FOR = Duration.ofMinutes(2);
    private static final Pattern COUNT = Pattern.compile("You have visited (\\d+) times\\.");

    private final HttpClient http;
    private final String base;
    private final Map<String, String> jar;
    private int throttled;

    Browser(HttpClient http, String base) {
        this(http, base, new LinkedHashMap<>());
    }

    private Browser(HttpClient http, String base, Map<String, String> jar) {
        this.http = http;
        this.base = base;
        this.jar = jar;
    }

    /** Another browser holding a copy of this one's cookies, as a copied (or stolen) cookie is. */
    Browser copy() {
        return new Browser(http, base, new LinkedHashMap<>(jar));
    }

    /** A visit: the count the answer names. */
    long visit(String path) {
        HttpResponse<String> response = send("GET", path);
        Matcher count = COUNT.matcher(response.body());
        if (response.statusCode() != 200 || !count.matches()) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Long.parseLong(count.group(1));
    }

    /** Sends a request with the jar's cookies, retrying throttles; keeps the cookies it is given. */
    HttpResponse<String> send(String method, String path) {
        long giveUp = System.nanoTime() + RETRY_FOR.toNanos();
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (!jar.isEmpty()) {
                request.header("Cookie", String.join("; ", jar.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            HttpResponse<String> response = LoadTest.send(http, request);
            // only API Gateway's throttle: the local runtime lets an invocation wait for an environment, as
            // Lambda scales, so a 500 is a function's failure and is answered, not retried away
            boolean isThrottle = response.statusCode() == 429;
            if (!isThrottle || System.nanoTime() > giveUp) {
                response.headers().allValues("set-cookie").forEach(this::keep);
                return response;
            }
            throttled++;
            try {
                Thread.sleep(ThreadLocalRandom.current().nextLong(1, (10L << Math.min(attempt, 6)) + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** The value of a cookie the jar holds, or null. */
    String cookie(String name) {
        return jar.get(name);
    }

    /** How many of this browser's requests were throttled and retried. */
    int throttled() {
        return throttled;
    }

    private void keep(String setCookie) {
        String pair = setCookie.split(";", 2)[0];
        int equals = pair.indexOf('=');
        String name = pair.substring(0, equals).strip();
        String value = pair.substring(equals + 1).strip();
        if (setCookie.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty()) {
            jar.remove(name);
        } else {
            jar.put(name, value);
        }
    }
}
