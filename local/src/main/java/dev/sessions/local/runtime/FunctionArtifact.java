package dev.sessions.local.runtime;

import dev.sessions.local.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code sam build} produced for one function: {@code <build>/<LogicalId>/}, laid out as
 * Lambda's {@code /var/task}, with the code in {@code lib/*.jar} (and optionally classes at its root).
 *
 * @param directory the artifact's folder, which becomes the function JVM's working directory
 * @param jars {@code lib/*.jar} in the order Lambda's class loader reads them (sorted by name)
 */
public record FunctionArtifact(Path directory, List<Path> jars) {

    public FunctionArtifact {
        jars = List.copyOf(jars);
    }

    /**
     * Finds the artifact of {@code logicalId} under {@code buildDir}.
     *
     * @throws TemplateException with what to run when it is missing or empty
     */
    public static FunctionArtifact locate(Path buildDir, String logicalId) {
        Path directory = buildDir.resolve(logicalId).toAbsolutePath().normalize();
        if (!Files.isDirectory(directory)) {
            throw new TemplateException("no build artifact for " + logicalId + " at " + directory
                    + ": run sam build first");
        }
        Path lib = directory.resolve("lib");
        List<Path> jars;
        try (Stream<Path> files = Files.isDirectory(lib) ? Files.list(lib) : Stream.empty()) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new TemplateException("cannot read " + lib + ": " + e.getMessage());
        }
        boolean hasClasses;
        try (Stream<Path> entries = Files.list(directory)) {
            hasClasses = entries.anyMatch(p -> !p.getFileName().toString().equals("lib"));
        } catch (IOException e) {
            throw new TemplateException("cannot read " + directory + ": " + e.getMessage());
        }
        if (jars.isEmpty() && !hasClasses) {
            throw new TemplateException("the build artifact of " + logicalId + " at " + directory
                    + " is empty: run sam build again");
        }
        return new FunctionArtifact(directory, jars);
    }
}
