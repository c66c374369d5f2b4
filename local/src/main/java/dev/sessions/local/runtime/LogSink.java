package dev.sessions.local.runtime;

/** Where the lines a function writes go: stderr for invoke, prefixed lines for start-api. */
@FunctionalInterface
public interface LogSink {

    void line(String functionId, String line);

    /** Every line to stderr as written. */
    static LogSink stderr() {
        return (function, line) -> System.err.println(line);
    }

    /** Every line to stderr behind the function's name, so that interleaved logs stay readable. */
    static LogSink prefixed() {
        return (function, line) -> System.err.println("[" + function + "] " + line);
    }
}
