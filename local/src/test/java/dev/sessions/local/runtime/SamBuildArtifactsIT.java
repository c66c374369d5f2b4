package dev.sessions.local.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sessions.local.template.LambdaFunction;
import dev.sessions.local.template.Template;
import dev.sessions.testing.Executables;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code sam build} produced is what {@code sam deploy} uploads: each function's folder has
 * its jars under {@code lib/} and its handler resolves there to a class of the right type.
 */
class SamBuildArtifactsIT {

    static Path buildDir() {
        String configured = System.getProperty("sessions.artifacts");
        Path dir = configured != null ? Path.of(configured) : Executables.projectRoot().resolve(".aws-sam/build");
        if (!Files.isDirectory(dir)) {
            fail("no sam build output at " + dir + ": run sam build first (scripts/test does)");
        }
        return dir;
    }

    static Template template() {
        return Template.load(Executables.projectRoot().resolve("template.yaml"), Map.of(), Template.Settings.defaults());
    }

    @Test
    void givenSamBuild_whenEachArtifactInspected_thenHandlerResolvesFromLibToALambdaHandler() throws Exception {
        Path build = buildDir();
        List<String> problems = new ArrayList<>();
        for (LambdaFunction function : template().functions().values()) {
            FunctionArtifact artifact = FunctionArtifact.locate(build, function.logicalId());
            try (Stream<Path> top = Files.list(artifact.directory())) {
                top.filter(p -> p.toString().endsWith(".jar")).forEach(p ->
                        problems.add(function.logicalId() + ": jar at the artifact root (Lambda reads lib/*.jar): " + p));
            }
            String className = function.handler().split("::")[0];
            try (URLClassLoader loader = new URLClassLoader(urls(artifact), ClassLoader.getPlatformClassLoader())) {
                Class<?> handler = Class.forName(className, false, loader);
                Class<?> requestHandler = loader.loadClass("com.amazonaws.services.lambda.runtime.RequestHandler");
                Class<?> streamHandler = loader.loadClass("com.amazonaws.services.lambda.runtime.RequestStreamHandler");
                if (!requestHandler.isAssignableFrom(handler) && !streamHandler.isAssignableFrom(handler)) {
                    problems.add(function.logicalId() + ": " + className + " is neither a RequestHandler nor a"
                            + " RequestStreamHandler");
                }
                handler.getConstructor(); // Lambda instantiates it with its public no-argument constructor
            } catch (ClassNotFoundException e) {
                problems.add(function.logicalId() + ": " + className + " is in none of " + artifact.jars());
            } catch (NoSuchMethodException e) {
                problems.add(function.logicalId() + ": " + className + " has no public no-argument constructor");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void givenSamBuild_whenBuiltTemplateRead_thenEveryFunctionPointsAtItsOwnArtifact() throws IOException {
        String built = Files.readString(buildDir().resolve("template.yaml"));
        for (String id : template().functions().keySet()) {
            assertTrue(built.contains("CodeUri: " + id), "built template's CodeUri for " + id);
        }
        assertFalse(built.contains("CodeUri: ."), "a function still points at the source folder");
    }

    private static URL[] urls(FunctionArtifact artifact) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        urls.add(artifact.directory().toUri().toURL());
        for (Path jar : artifact.jars()) {
            urls.add(jar.toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }
}
