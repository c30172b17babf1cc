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
    private final long start = System.nanoTime();
    private Histogram interval;

    Series(String name) {
        this.name = name;
    }

    void record(long micros) {
        recorder.recordValue(Math.max(0, micros));
    }

    /** Closes the current second: a point for the chart and a progress line; answers the point. */
    synchronized JsonObject tick(String extra) {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        double t = (System.nanoTime() - start) / 1e9;
        JsonObject p = new JsonObject().put("t", Math.round(t * 10) / 10.0).put("count", interval.getTotalCount())
                .put("p50", ms(interval.getValueAtPercentile(50))).put("p99", ms(interval.getValueAtPercentile(99)))
                .put("p999", ms(interval.getValueAtPercentile(99.9)));
        points.add(p);
        Bench.log(String.format(Locale.ROOT, "%-14s t=%5.1fs  %7d/s  p50=%7.2fms  p99=%7.2fms%s", name, t, interval.getTotalCount(),
                p.getDouble("p50"), p.getDouble("p99"), extra == null ? "" : "  " + extra));
        return p;
    }

    JsonObject summary(double seconds) {
        return Stats.percentiles(total).put("perSecond", Math.round(total.getTotalCount() / Math.max(0.001, seconds)));
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
