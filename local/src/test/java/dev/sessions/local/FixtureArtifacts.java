package dev.sessions.local;

import com.amazonaws.services.lambda.runtime.Context;
import dev.sessions.json.Json;
import dev.sessions.local.fixtures.EchoHandler;
import dev.sessions.local.runtime.JavaRuntime;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.template.Template;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Lays out the fixture functions as {@code sam build} lays out a function: {@code <build>/<Id>/lib/}
 * with the fixture classes, the shared JSON code they use and aws-lambda-java-core.
 */
public final class FixtureArtifacts {

    private FixtureArtifacts() {
    }

    public static Path build(Path buildDir, String... functionIds) {
        try {
            Path staging = Files.createDirectories(buildDir.resolve(".staging"));
            Path fixtures = jar(codeSource(EchoHandler.class), "dev/sessions/local/fixtures/", staging.resolve("fixtures.jar"));
            Path shared = jarOrCopy(codeSource(Json.class), staging.resolve("shared.jar"));
            Path core = codeSource(Context.class);
            Path crac = codeSource(org.crac.Core.class); // the SnapStart fixture's hooks, as the functions ship it
            for (String id : functionIds) {
                Path lib = Files.createDirectories(buildDir.resolve(id).resolve("lib"));
                Files.copy(fixtures, lib.resolve("fixtures.jar"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(shared, lib.resolve("shared.jar"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(core, lib.resolve(core.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(crac, lib.resolve(crac.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return buildDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A local Lambda of a fixture template ({@code src/test/resources/templates/<name>}) with the
     * given parameters, its functions built into {@code dir}, two environments each.
     */
    public static LocalLambda lambda(String template, Map<String, String> parameters, Path dir, String... functionIds) {
        try {
            Path file = Path.of(FixtureArtifacts.class.getResource("/templates/" + template).toURI());
            return new LocalLambda(Template.load(file, parameters, Template.Settings.defaults()),
                    new LocalLambda.Settings(build(dir.resolve("build"), functionIds), javaRuntime(dir.resolve("scratch")),
                            2, Duration.ofMinutes(5), Map.of(), Map.of(), (f, l) -> { }));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The runtime as tests use it: the RIC from target/ric and the Java 21 of .venv. */
    public static JavaRuntime javaRuntime(Path scratch) {
        return JavaRuntime.locate(null, RuntimeSetup.ricDirectory(), scratch);
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path jarOrCopy(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            return Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return jar(source, "", target);
    }

    private static Path jar(Path classesDir, String prefix, Path target) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target));
             Stream<Path> files = Files.walk(classesDir.resolve(prefix))) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = classesDir.relativize(file).toString().replace('\\', '/');
                out.putNextEntry(new JarEntry(name));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return target;
    }
}
