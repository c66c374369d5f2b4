package dev.sessions.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The project's {@code events/} files: from the test classpath (function modules copy them), else the project root. */
public final class EventFiles {

    private EventFiles() {
    }

    /** The bytes of {@code events/<file>}, exactly as on disk. */
    public static byte[] bytes(String file) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("events/" + file)) {
            if (in != null) {
                return in.readAllBytes();
            }
            return Files.readAllBytes(Executables.projectRoot().resolve("events").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("no events/" + file, e);
        }
    }

    public static String text(String file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    /** Where the files are on disk. */
    public static Path directory() {
        return Executables.projectRoot().resolve("events");
    }
}
