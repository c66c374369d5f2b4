package dev.sessions.local.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * CPU in proportion to memory, as Lambda allocates it ("Lambda allocates CPU power in proportion to
 * the amount of memory configured": one vCPU at 1,769 MB, up to six at 10,240 MB): each execution
 * environment's JVM runs in a cgroup of its own whose CFS quota is that share of one CPU, so that
 * timeouts tuned for a function's memory are exercised as on AWS. Needs a writable cgroup cpu
 * controller (v1 {@code /sys/fs/cgroup/cpu}, or v2 with {@code cpu} delegated); where there is
 * none, {@link #available} says why and functions run unlimited.
 */
public final class CpuShares {

    /** Lambda's memory per vCPU. */
    static final double MB_PER_VCPU = 1769;
    private static final long PERIOD_MICROS = 100_000;

    private final Path root;
    private final boolean v2;

    private CpuShares(Path root, boolean v2) {
        this.root = root;
        this.v2 = v2;
    }

    /** What a function of {@code memoryMb} gets, in CPUs: in proportion to memory, six at the 10,240 MB maximum. */
    public static double vcpus(int memoryMb) {
        return memoryMb >= 10240 ? 6 : Math.min(6, memoryMb / MB_PER_VCPU);
    }

    /** The cgroup controller to limit with, or why there is none. */
    public static Availability available() {
        Path v1 = Path.of("/sys/fs/cgroup/cpu");
        if (Files.isWritable(v1) && Files.exists(v1.resolve("cpu.cfs_quota_us"))) {
            return probe(new CpuShares(v1, false));
        }
        Path unified = Path.of("/sys/fs/cgroup");
        try {
            if (Files.exists(unified.resolve("cgroup.controllers"))
                    && Files.readString(unified.resolve("cgroup.subtree_control")).contains("cpu")
                    && Files.isWritable(unified)) {
                return probe(new CpuShares(unified, true));
            }
        } catch (IOException e) {
            // not v2 either
        }
        return new Availability(Optional.empty(), "no writable cgroup cpu controller (run as root, or delegate one)");
    }

    /** A limiter that works, or the reason there is none. */
    public record Availability(Optional<CpuShares> shares, String reason) {
    }

    private static Availability probe(CpuShares shares) {
        try {
            Path group = shares.create(1024);
            Files.delete(group);
            return new Availability(Optional.of(shares), null);
        } catch (IOException | RuntimeException e) {
            return new Availability(Optional.empty(), "cannot make a cgroup under " + shares.root + ": " + e.getMessage());
        }
    }

    /**
     * A cgroup limited to {@code memoryMb}'s share, and {@code command} wrapped so that the process
     * joins it before it starts (nothing of it runs unlimited).
     */
    public Limited limit(List<String> command, int memoryMb) {
        try {
            Path group = create(memoryMb);
            List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
                    "echo $$ > \"" + group.resolve("cgroup.procs") + "\" && exec \"$0\" \"$@\""));
            wrapped.addAll(command);
            return new Limited(wrapped, group);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot limit a function's CPU in " + root, e);
        }
    }

    /** A command that runs in a cgroup, and the cgroup to remove once its process has ended. */
    public record Limited(List<String> command, Path group) {
        public void release() {
            try {
                Files.deleteIfExists(group);
            } catch (IOException busyOrGone) {
                // a process is still in it, or it is gone: the kernel empties it with the process
            }
        }
    }

    private Path create(int memoryMb) throws IOException {
        Path group = root.resolve("sessions-local-" + UUID.randomUUID().toString().substring(0, 12));
        Files.createDirectory(group);
        long quota = Math.max(1000, Math.round(vcpus(memoryMb) * PERIOD_MICROS));
        if (v2) {
            Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
        } else {
            Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        }
        return group;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "cgroup %s (%s)", root, v2 ? "v2" : "v1");
    }
}
