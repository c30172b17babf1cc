package io.parley.metrics;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard (docs/grafana/parley.json) and the alert rules (docs/prometheus/alerts.yml)
 * query only meters a running node exports: every metric name in their PromQL must be on the node's
 * /metrics after some traffic, so a misspelled or renamed meter fails here instead of drawing an empty
 * panel or an alert that never fires.
 */
@DisplayName("The dashboard and the alert rules query meters that exist")
class DashboardMetricsTest {

    static final Path DASHBOARD = Path.of("docs/grafana/parley.json");
    static final Path ALERTS = Path.of("docs/prometheus/alerts.yml");

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(DashboardMetricsTest.class);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("every metric the dashboard and the alerts query is on /metrics after traffic")
    void everyQueriedMetricExists() throws IOException {
        String scrape = scrapeAfterTraffic();
        Map<String, Set<String>> queried = new TreeMap<>();
        for (String expr : dashboardExpressions()) {
            metricNames(expr).forEach(n -> queried.computeIfAbsent(n, k -> new TreeSet<>()).add(DASHBOARD.toString()));
        }
        for (String expr : alertExpressions()) {
            metricNames(expr).forEach(n -> queried.computeIfAbsent(n, k -> new TreeSet<>()).add(ALERTS.toString()));
        }
        assertThat(queried).as("metric names found in the queries").hasSizeGreaterThan(10);
        Exported exported = Exported.of(scrape);
        List<String> missing = new ArrayList<>();
        queried.forEach((name, where) -> {
            if (!exported.has(name)) {
                missing.add(name + " (" + String.join(", ", where) + ")");
            }
        });
        assertThat(missing).as("queried but not on /metrics").isEmpty();

        // HTTP meters carry the route's template, never a raw path; a path no route knows gets the catch-all's
        assertThat(scrape).contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/api/v1/channels/:channelId/messages\"}")
                .contains("vertx_http_server_response_time_seconds_bucket{code=\"200\",method=\"GET\",route=\"/api/v1/channels\",le=\"0.5\"}")
                .contains("route=\"/api/v1/\"")
                .doesNotContain("no/such/route").doesNotContain("route=\"/api/v1/>");
        assertThat(exported.hasValue("parley_redis_memory_used_bytes")).as("Redis answered INFO memory").isTrue();
        assertThat(exported.samples().get("parley_cluster_members")).isEqualTo("1.0");
    }

    @Test
    @DisplayName("the name extractor finds metrics, not functions, labels, keywords or numbers; a misspelled name is missing")
    void extractor() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, query) (rate(parley_db_query_seconds_bucket{instance=~\"$instance\", query!=\"x\"}[$__rate_interval])))"))
                .containsExactly("parley_db_query_seconds_bucket");
        assertThat(metricNames("max(parley_redis_memory_used_bytes / (parley_redis_memory_max_bytes > 0)) > 0.9 and on (instance) up offset 5m"))
                .containsExactly("parley_redis_memory_max_bytes", "parley_redis_memory_used_bytes", "up");
        assertThat(metricNames("sum without (edge) (parley_ws_sockets) / ignoring (job) group_left count(x:recorded:rate5m) * 1e3 + 2"))
                .containsExactly("parley_ws_sockets", "x:recorded:rate5m");
        assertThat(metricNames("label_values(parley_cluster_members{job=\"parley\"}, instance)")).containsExactly("parley_cluster_members");
        assertThat(metricNames("label_values(instance)")).isEmpty();

        Exported exported = Exported.of("""
                # TYPE t_seconds histogram
                t_seconds_bucket{le="0.5"} 1
                t_seconds_count 1
                t_seconds_sum 0.1
                # TYPE s_seconds summary
                s_seconds_count 1
                s_seconds_sum 0.1
                # TYPE c_total counter
                c_total 3
                """);
        assertThat(exported.has("t_seconds_bucket")).isTrue();
        assertThat(exported.has("t_seconds_count")).isTrue();
        assertThat(exported.has("s_seconds_sum")).isTrue();
        assertThat(exported.has("s_seconds_bucket")).as("a summary has no buckets").isFalse();
        assertThat(exported.has("c_totl")).as("misspelled").isFalse();
        assertThat(exported.has("t_seconds")).as("a family is not a sample").isFalse();
    }

    @Test
    @DisplayName("the alert rules the operations guide describes are all there")
    void alertsPresent() throws IOException {
        String rules = Files.readString(ALERTS);
        for (String alert : List.of("ParleyCachedResponsesSlow", "ParleyCacheHitRateLow", "ParleyDatabasePoolBusy",
                "ParleyRedisMemoryNearLimit", "ParleyEventLoopLag", "ParleyClusterMemberLost", "ParleyClusterSplit")) {
            assertThat(rules).contains("- alert: " + alert);
            assertThat(Files.readString(Path.of("docs/operations.md"))).as("documented").contains("`" + alert + "`");
        }
        assertThat(alertExpressions()).hasSize(7);
    }

    /** Sign-up, a channel, messages over HTTP and a socket, cached pages and lists: every meter has a sample. */
    private static String scrapeAfterTraffic() {
        Api api = node.api;
        Api.User u = api.signup("dash");
        long ch = api.createChannel(u, "private", "dashboard");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, u.token())) {
            ws.request(WsClient.subscribe(ch));
            ws.request(WsClient.send(ch, "d1", "over the socket"));
            ws.next("message");
            api.sendMessage(u, ch, "over HTTP");
            ws.next(f -> "message".equals(f.getString("type")) && "over HTTP".equals(f.getString("body")));
            for (int i = 0; i < 3; i++) {
                assertThat(api.get("/channels/" + ch + "/messages?limit=10", u.token()).status()).isEqualTo(200);
                assertThat(api.get("/channels", u.token()).status()).isEqualTo(200);
            }
            assertThat(api.get("/no/such/route", u.token()).status()).isEqualTo(404);
            // the Redis sampler's first answer, the sockets gauge and the event-loop probes
            try {
                return await("the Redis sampler's first answer").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(200))
                        .until(node::metricsText, scrape -> Exported.of(scrape).hasValue("parley_redis_memory_used_bytes"));
            } catch (ConditionTimeoutException e) {
                return node.metricsText(); // the checks on the scrape name what is missing
            }
        }
    }

    // ---- the files' queries ----

    /** Every "expr" of the dashboard's targets, and the metric of each templating query. */
    static List<String> dashboardExpressions() throws IOException {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        collect(dashboard, out);
        return out;
    }

    private static void collect(Object json, List<String> out) {
        if (json instanceof JsonObject o) {
            for (String key : o.fieldNames()) {
                Object v = o.getValue(key);
                boolean variable = "query".equals(o.getString("type")) && "query".equals(key);
                if (("expr".equals(key) || variable) && v instanceof String s) {
                    out.add(s);
                } else if (variable && v instanceof JsonObject q && q.getValue("query") instanceof String s) {
                    out.add(s); // a query variable in its object form
                } else {
                    collect(v, out);
                }
            }
        } else if (json instanceof JsonArray a) {
            a.forEach(v -> collect(v, out));
        }
    }

    /** Every {@code expr:} of the rules file, on one line or as a block ({@code expr: |}). */
    static List<String> alertExpressions() throws IOException {
        List<String> lines = Files.readAllLines(ALERTS);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (!trimmed.startsWith("expr:")) {
                continue;
            }
            String value = trimmed.substring(5).strip();
            if (value.equals("|") || value.equals(">") || value.equals("|-") || value.equals(">-")) {
                int indent = line.indexOf("expr:");
                StringBuilder block = new StringBuilder();
                while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || lines.get(i + 1).indexOf(lines.get(i + 1).strip()) > indent)) {
                    block.append(lines.get(++i).strip()).append('\n');
                }
                out.add(block.toString());
            } else {
                out.add(value.startsWith("'") || value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
            }
        }
        return out;
    }

    // ---- PromQL: metric identifiers ----

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "inf", "nan",
            // aggregation operators, which may be followed by "by (...)" rather than "("
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk",
            "limit_ratio");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(?:([a-zA-Z_:][\\w:]*)\\s*,\\s*)?\\w+\\s*\\)");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABELS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern DURATION = Pattern.compile("(?<![\\w:])(\\d+(ms|[smhdwy]))+(?![\\w:])");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w:])(0x[0-9a-fA-F]+|\\d+(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)(?![\\w:])");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /**
     * The metric names a PromQL expression selects: identifiers that are not functions (followed by
     * "("), keywords, aggregation operators, label names (inside braces or a by/without/on list),
     * strings, ranges, durations, numbers or Grafana variables.
     */
    static Set<String> metricNames(String expr) {
        String e = STRING.matcher(expr).replaceAll("\"\"");
        e = LABELS.matcher(e).replaceAll(" ");
        e = LABEL_VALUES.matcher(e).replaceAll(" $1 "); // Grafana's label_values([metric,] label): the metric only
        e = RANGE.matcher(e).replaceAll(" ");
        e = GROUPING.matcher(e).replaceAll(" ");
        e = VARIABLE.matcher(e).replaceAll(" ");
        e = DURATION.matcher(e).replaceAll(" "); // after offset / @
        e = NUMBER.matcher(e).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
                next++;
            }
            boolean call = next < e.length() && e.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }

    /** What a scrape exports: sample names, and the type of each family. */
    record Exported(Map<String, String> types, Map<String, String> samples) {

        static Exported of(String scrape) {
            Map<String, String> types = new TreeMap<>();
            Map<String, String> samples = new TreeMap<>();
            for (String line : scrape.split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    String[] p = line.split(" ");
                    types.put(p[2], p[3]);
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    int end = 0;
                    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                        end++;
                    }
                    samples.put(line.substring(0, end), line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return new Exported(types, samples);
        }

        /**
         * A name as a query uses it: a sample name, where {@code _bucket} needs a histogram family and
         * {@code _count}/{@code _sum} a histogram or summary one.
         */
        boolean has(String name) {
            if (!samples.containsKey(name)) {
                return false;
            }
            for (String suffix : List.of("_bucket", "_count", "_sum")) {
                if (name.endsWith(suffix)) {
                    String family = types.get(name.substring(0, name.length() - suffix.length()));
                    if (family != null || !types.containsKey(name)) {
                        return "_bucket".equals(suffix) ? "histogram".equals(family)
                                : "histogram".equals(family) || "summary".equals(family);
                    }
                }
            }
            return true;
        }

        boolean hasValue(String name) {
            String v = samples.get(name);
            return v != null && !v.equals("NaN");
        }
    }
}
