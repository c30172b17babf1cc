package io.parley.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Latency and throughput second by second: the whole run's histogram, one interval histogram per second
 * for the chart, and the live progress line.
 */
final class Series {

    private final String name;
    private final Histogram total = Stats.histogram();
    private final Recorder recorder = new Recorder(3);
    private final List<JsonObject> points = new ArrayList<>();
    private final List<Long> pids;
    private long start = System.nanoTime();
    private long lastTick = start;
    private double lastCpu;
    private double cpuSeconds;
    private Histogram interval;

    /** A series whose progress line and points also carry the server processes' CPU (cores busy) each second. */
    Series(String name, List<Long> pids) {
        this.name = name;
        this.pids = pids;
        this.lastCpu = Stats.cpuSeconds(pids);
    }

    Series(String name) {
        this(name, List.of());
    }

    /** Ends a warm-up: what was recorded so far (the JIT compiling, caches filling) leaves the figures. */
    synchronized void restart() {
        interval = recorder.getIntervalHistogram(interval);
        total.reset();
        points.clear();
        start = System.nanoTime();
        lastTick = start;
        lastCpu = Stats.cpuSeconds(pids);
        cpuSeconds = 0;
    }

    void record(long micros) {
        recorder.recordValue(Math.max(0, micros));
    }

    /** Closes the current second: a point for the chart and a progress line; answers the point. */
    synchronized JsonObject tick(String extra) {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        long now = System.nanoTime();
        double t = (now - start) / 1e9;
        double cpu = Stats.cpuSeconds(pids);
        double cores = pids.isEmpty() ? 0 : (cpu - lastCpu) / Math.max(0.001, (now - lastTick) / 1e9);
        cpuSeconds += cpu - lastCpu;
        lastCpu = cpu;
        lastTick = now;
        JsonObject p = new JsonObject().put("t", Math.round(t * 10) / 10.0).put("count", interval.getTotalCount())
                .put("p50", ms(interval.getValueAtPercentile(50))).put("p99", ms(interval.getValueAtPercentile(99)))
                .put("p999", ms(interval.getValueAtPercentile(99.9)));
        if (!pids.isEmpty()) {
            p.put("serverCores", Math.round(cores * 100) / 100.0);
        }
        points.add(p);
        Bench.log(String.format(Locale.ROOT, "%-16s t=%5.1fs  %7d/s  p50=%7.2fms  p99=%7.2fms%s%s", name, t, interval.getTotalCount(),
                p.getDouble("p50"), p.getDouble("p99"), pids.isEmpty() ? "" : String.format(Locale.ROOT, "  server cpu=%.2f", cores),
                extra == null ? "" : "  " + extra));
        return p;
    }

    /** Percentiles and rate since the last restart, with the server CPU seconds spent and the work done per CPU-second. */
    synchronized JsonObject summary(double seconds) {
        JsonObject s = Stats.percentiles(total).put("perSecond", Math.round(total.getTotalCount() / Math.max(0.001, seconds)));
        if (!pids.isEmpty()) {
            s.put("serverCpuSeconds", Math.round(cpuSeconds * 100) / 100.0)
                    .put("perServerCpuSecond", cpuSeconds > 0 ? Math.round(total.getTotalCount() / cpuSeconds) : null)
                    .put("serverCpuMicrosPerOp", total.getTotalCount() > 0 ? Math.round(cpuSeconds * 1e7 / total.getTotalCount()) / 10.0 : null);
        }
        return s;
    }

    JsonArray points() {
        return new JsonArray(new ArrayList<>(points));
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    /** A self-contained HTML page with one SVG chart per series: p50/p99/p99.9 (ms) and throughput over time. */
    static void chart(Path file, String title, JsonObject series) throws IOException {
        StringBuilder html = new StringBuilder("<!doctype html><meta charset=utf-8><title>").append(esc(title))
                .append("</title><style>body{font:14px sans-serif;margin:24px}svg{background:#fafafa;border:1px solid #ddd}"
                        + ".p50{stroke:#2b7}.p99{stroke:#e80}.p999{stroke:#c33}.n{stroke:#36c;stroke-dasharray:4 3}</style><h1>")
                .append(esc(title)).append("</h1>");
        for (String name : series.fieldNames()) {
            JsonArray pts = series.getJsonArray(name);
            if (pts.isEmpty()) {
                continue;
            }
            double maxT = 0;
            double maxMs = 0.001;
            double maxN = 1;
            for (Object o : pts) {
                JsonObject p = (JsonObject) o;
                maxT = Math.max(maxT, p.getDouble("t"));
                maxMs = Math.max(maxMs, p.getDouble("p999"));
                maxN = Math.max(maxN, p.getLong("count"));
            }
            int w = 800;
            int h = 260;
            html.append("<h2>").append(esc(name)).append("</h2><p>solid: p50 (green), p99 (orange), p99.9 (red), scale 0–")
                    .append(String.format(Locale.ROOT, "%.2f", maxMs)).append(" ms; dashed blue: per second, scale 0–").append((long) maxN)
                    .append("</p><svg width=").append(w).append(" height=").append(h).append(">");
            for (String key : new String[]{"p50", "p99", "p999", "n"}) {
                html.append("<polyline fill=none stroke-width=2 class=").append(key).append(" points='");
                for (Object o : pts) {
                    JsonObject p = (JsonObject) o;
                    double x = 10 + (w - 20) * p.getDouble("t") / Math.max(1, maxT);
                    double v = "n".equals(key) ? p.getLong("count") / maxN : p.getDouble(key) / maxMs;
                    html.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, h - 10 - (h - 20) * v));
                }
                html.append("'/>");
            }
            html.append("</svg>");
        }
        Files.writeString(file, html);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
