package dev.sessions.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds programs and the project root for the harness. */
public final class Executables {

    private Executables() {
    }

    /** The program named by {@code envVar} if set, else the first {@code name} on the PATH. */
    public static Optional<String> find(String name, String envVar) {
        String configured = System.getenv(envVar);
        if (configured != null && !configured.isBlank()) {
            return Files.isExecutable(Path.of(configured)) ? Optional.of(configured) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    /** {@code sessions.root} as Maven passes it, else the nearest directory above with a {@code .mvn} folder. */
    public static Path projectRoot() {
        String configured = System.getProperty("sessions.root");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".mvn"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the project root (a directory with .mvn) above "
                + Path.of("").toAbsolutePath() + "; set -Dsessions.root");
    }
}
