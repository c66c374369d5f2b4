package dev.sessions.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.template.Template;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A function's JVM gets the share of a CPU its MemorySize buys on Lambda (1,769 MB = 1 vCPU). */
class CpuSharesIT {

    @Test
    void givenMemorySizes_whenShared_thenOneVcpuAt1769MegabytesUpToSix() {
        assertEquals(1.0, CpuShares.vcpus(1769), 1e-9);
        assertEquals(0.579, CpuShares.vcpus(1024), 0.001);
        assertEquals(6.0, CpuShares.vcpus(10240), 1e-9);
    }

    @Test
    void givenA1024MegabyteFunction_whenItSpins_thenItGetsAboutFiveTenthsOfACpu(@TempDir Path dir) throws Exception {
        CpuShares.Availability available = CpuShares.available();
        assertTrue(available.shares().isPresent(), "a writable cgroup cpu controller is needed here (root, as CI"
                + " runs): " + available.reason());
        Path template = Path.of(CpuSharesIT.class.getResource("/templates/runtime.yaml").toURI());
        Path build = FixtureArtifacts.build(dir.resolve("build"), "Spinner");
        try (LocalLambda lambda = new LocalLambda(Template.load(template, Map.of(), Template.Settings.defaults()),
                new LocalLambda.Settings(build, FixtureArtifacts.javaRuntime(dir.resolve("scratch")), 1,
                        Duration.ofMinutes(5), Map.of(), Map.of(), (f, l) -> { }, null, available.shares().get()))) {
            lambda.invoke("Spinner", "{}".getBytes(StandardCharsets.UTF_8)); // the JVM's start is not measured
            InvocationResult result = lambda.invoke("Spinner", "{}".getBytes(StandardCharsets.UTF_8));

            assertFalse(result.failed(), result.payloadText());
            double share = ((BigDecimal) ((Map<?, ?>) Json.parse(result.payloadText())).get("share")).doubleValue();
            // 0.579 of a CPU by the cgroup's quota; less when the machine is busy, never much more
            assertTrue(share > 0.2 && share < 0.7, "the spinning thread got " + share + " of a CPU");
        }
    }
}
