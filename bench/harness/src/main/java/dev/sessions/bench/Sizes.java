package dev.sessions.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What each function uploads: the size and jar count of its {@code sam build} artifact, and of the probes'. */
final class Sizes {

    private Sizes() {
    }

    static void run(Bench bench) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("functions", sizes(bench.projectBuild()));
        figures.put("probes", sizes(bench.probeBuild()));
        bench.write("sizes", "Bytes and jars under each artifact's lib/ (what the deployment package holds, before zip"
                + " compression), from sam build for the functions and from bench/run for the probes.", figures);
    }

    private static List<Map<String, Object>> sizes(Path build) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Stream<Path> artifacts = Files.list(build)) {
            for (Path artifact : artifacts.filter(Files::isDirectory).sorted().toList()) {
                Path lib = artifact.resolve("lib");
                if (!Files.isDirectory(lib)) {
                    continue;
                }
                long bytes = 0;
                int jars = 0;
                try (Stream<Path> files = Files.list(lib)) {
                    for (Path jar : files.toList()) {
                        bytes += Files.size(jar);
                        jars++;
                    }
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("function", artifact.getFileName().toString());
                row.put("bytes", bytes);
                row.put("megabytes", Stats.round(bytes / 1_048_576.0));
                row.put("jars", jars);
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}
