package io.parley.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Latency histograms in microseconds, and the CPU time of server processes from /proc. */
final class Stats {

    private Stats() {
    }

    static Histogram histogram() {
        return new ConcurrentHistogram(60_000_000L, 3);
    }

    static JsonObject percentiles(Histogram h) {
        return new JsonObject().put("count", h.getTotalCount())
                .put("p50", ms(h.getValueAtPercentile(50))).put("p95", ms(h.getValueAtPercentile(95)))
                .put("p99", ms(h.getValueAtPercentile(99))).put("p999", ms(h.getValueAtPercentile(99.9)))
                .put("max", ms(h.getMaxValue())).put("unit", "ms");
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    /** utime + stime of a process in seconds (Linux /proc; 100 ticks per second). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static double cpuSeconds(List<Long> pids) {
        return pids.stream().mapToDouble(Stats::cpuSeconds).sum();
    }

    static JsonObject machine() {
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException ignored) {
            // not Linux: leave 0
        }
        return new JsonObject().put("cores", Runtime.getRuntime().availableProcessors()).put("memoryGiB", Math.round(memKb / 1048576.0))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("java", System.getProperty("java.version"));
    }
}
