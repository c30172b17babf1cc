package io.parley.edge.http;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("The edge: bounded metric tags, unknown methods, header deadline, connection cap, security headers")
@Timeout(120)
class HttpHardeningTest {

    static final int HEADER_TIMEOUT_SECONDS = 2;
    static TestNode node;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = TestNode.start(HttpHardeningTest.class, json -> {
            json.getJsonObject("http").put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS);
            // no background job during the test: a job's first run adds its own series (queries, job timers)
            json.getJsonObject("presence").put("sweepSeconds", 3600).put("lastSeenFlushSeconds", 3600).put("purgeSeconds", 3600);
        });
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    // ---------------------------------------------------------------- A. metrics and methods

    @Test
    @DisplayName("10,000 requests with made-up methods and paths add no series to /metrics")
    void madeUpMethodsMintNoSeries() throws Exception {
        Random rnd = new Random(7);
        // every kind of request the flood sends, once, so the series they may legitimately create exist
        List<String> warmup = new ArrayList<>();
        for (String m : List.of("GET", "POST", "DELETE", "BREW")) {
            warmup.add(request(m, "/" + letters(rnd, 12, false)));
            warmup.add(request(m, "/api/v1/" + letters(rnd, 12, false)));
        }
        pipeline(warmup);
        node.metricsText(); // the scrape is a request too (route "/metrics"): its series exist from the second scrape on
        Set<String> before = series(node.metricsText());

        List<String> flood = new ArrayList<>(10_000);
        Set<String> unknown = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String method;
            if (i % 10 == 0) {
                method = List.of("GET", "POST", "DELETE").get(rnd.nextInt(3));
            } else {
                method = letters(rnd, i % 7 == 0 ? 4000 : 3 + rnd.nextInt(12), true);
                unknown.add(method);
            }
            flood.add(request(method, (rnd.nextBoolean() ? "/api/v1/" : "/") + letters(rnd, 1 + rnd.nextInt(40), false)));
        }
        long start = System.nanoTime();
        List<Reply> replies = pipeline(flood);
        System.out.println("flood: " + flood.size() + " requests (" + unknown.size() + " distinct made-up methods) in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertThat(replies).hasSize(flood.size());
        for (int i = 0; i < flood.size(); i++) {
            if (i % 10 != 0) {
                assertThat(replies.get(i).status).as("made-up method").isEqualTo(501);
                assertThat(replies.get(i).headers.get("content-type")).isEqualTo("application/problem+json");
            } else {
                assertThat(replies.get(i).status).as("known method on an unknown path").isEqualTo(404);
            }
        }

        String text = node.metricsText();
        Set<String> after = series(text);
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        // the JVM's own series (a new GC cause, a thread state) may appear at any time; nothing else may
        added.removeIf(s -> s.startsWith("jvm_") || s.startsWith("process_") || s.startsWith("system_"));
        assertThat(added).as("series added by the flood").isEmpty();
        assertThat(after.stream().filter(s -> s.startsWith("vertx_http_server")).count())
                .isEqualTo(before.stream().filter(s -> s.startsWith("vertx_http_server")).count());
        assertThat(text).contains("method=\"OTHER\"");
        assertThat(text.lines().filter(l -> l.startsWith("vertx_http_server") && l.contains("method=")))
                .allSatisfy(l -> assertThat(l).containsPattern("method=\"(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|OTHER)\""));
        assertThat(text.length()).as("scrape size").isLessThan(1_000_000);
    }

    @Test
    @DisplayName("a made-up or unserved method gets 501 problem+json before any route, even on /ws")
    void unknownMethodIs501() throws Exception {
        for (String[] mp : new String[][] {{"BREW", "/api/v1/channels"}, {"TRACE", "/"}, {"PROPFIND", "/ws"}}) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + mp[1]))
                    .method(mp[0], HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(mp[0] + " " + mp[1]).isEqualTo(501);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonObject problem = new JsonObject(r.body());
            assertThat(problem.getString("code")).isEqualTo("method_not_implemented");
            assertThat(problem.getInteger("status")).isEqualTo(501);
            assertThat(problem.getString("detail")).contains("GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS");
            assertThat(r.headers().firstValue("Allow")).isPresent();
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
    }

    // ---------------------------------------------------------------- B. header deadline

    @Test
    @DisplayName("a connection that trickles header bytes is closed at the header deadline; others are served meanwhile")
    void slowHeadersAreCut() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", node.port)) {
            slow.setSoTimeout(200);
            OutputStream out = slow.getOutputStream();
            byte[] line = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            boolean normalServed = false;
            long closedAfter = -1;
            for (int i = 0; i < line.length && closedAfter < 0; i++) {
                try {
                    out.write(line[i]);
                    out.flush();
                } catch (IOException e) {
                    closedAfter = (System.nanoTime() - start) / 1_000_000;
                    break;
                }
                if (!normalServed) {
                    assertThat(node.api.getRoot("/").status()).as("a normal request meanwhile").isEqualTo(200);
                    normalServed = true;
                }
                closedAfter = closedWithin(slow, 500, start);
            }
            assertThat(closedAfter).as("closed, after ms").isPositive();
            assertThat(closedAfter).isBetween(HEADER_TIMEOUT_SECONDS * 1000L - 300, HEADER_TIMEOUT_SECONDS * 1000L + 1500);
        }
    }

    @Test
    @DisplayName("keep-alive: the wait between requests is not timed, but a trickled second request is")
    void keepAlive() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port)) {
            s.setSoTimeout(5000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            s.getOutputStream().write(request("GET", "/").getBytes(StandardCharsets.US_ASCII));
            assertThat(readReply(in).status).isEqualTo(200);
            // idle past the header deadline on purpose: that such a wait is not timed is what is tested
            Thread.sleep(HEADER_TIMEOUT_SECONDS * 1000L + 1000);
            s.getOutputStream().write(request("GET", "/").getBytes(StandardCharsets.US_ASCII));
            assertThat(readReply(in).status).as("idle longer than the header deadline, then a request").isEqualTo(200);

            s.setSoTimeout(200);
            long start = System.nanoTime();
            byte[] slow = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
            long closedAfter = -1;
            for (int i = 0; i < slow.length && closedAfter < 0; i++) {
                try {
                    s.getOutputStream().write(slow[i]);
                } catch (IOException e) {
                    closedAfter = (System.nanoTime() - start) / 1_000_000;
                    break;
                }
                closedAfter = closedWithin(s, 500, start);
            }
            assertThat(closedAfter).isBetween(HEADER_TIMEOUT_SECONDS * 1000L - 300, HEADER_TIMEOUT_SECONDS * 1000L + 1500);
        }
    }

    @Test
    @DisplayName("a slow body upload after prompt headers is answered, not cut; a WebSocket outlives the deadline")
    void slowBodyAndWebSocketAreNotCut() throws Exception {
        String body = "{\"handle\":\"nobody\",\"password\":\"wrong-password\"}";
        try (Socket s = new Socket("127.0.0.1", node.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/auth/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            int chunk = bytes.length / 8 + 1;
            for (int i = 0; i < bytes.length; i += chunk) {
                out.write(bytes, i, Math.min(chunk, bytes.length - i));
                out.flush();
                Thread.sleep(450); // the slow client under test: its pace is the point, not a wait for the server
            }
            assertThat((System.nanoTime() - start) / 1_000_000).as("upload took longer than the header deadline")
                    .isGreaterThan(HEADER_TIMEOUT_SECONDS * 1000L);
            Reply r = readReply(new BufferedInputStream(s.getInputStream()));
            assertThat(r.status).isEqualTo(401);
            assertThat(new JsonObject(r.body).getString("code")).isEqualTo("invalid_credentials");
        }

        Api.User u = node.api.guest("waiter");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, u.token())) {
            // outlive the header deadline on purpose: that the socket is not cut by it is what is tested
            Thread.sleep(HEADER_TIMEOUT_SECONDS * 1000L + 1000);
            assertThat(ws.request(WsClient.ping()).getString("type")).isEqualTo("pong");
            assertThat(ws.closeCode).isNull();
        }
    }

    // ---------------------------------------------------------------- B. connection cap

    @Test
    @DisplayName("over the per-address cap a connection gets 429 problem+json with Retry-After and is closed; a freed slot is reused")
    void connectionCap() throws Exception {
        TestNode capped = TestNode.start(HttpHardeningTest.class, json -> json.getJsonObject("http").put("maxConnectionsPerAddress", 5));
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket("127.0.0.1", capped.port);
                s.setSoTimeout(5000);
                open.add(s);
                s.getOutputStream().write(request("GET", "/").getBytes(StandardCharsets.US_ASCII));
                assertThat(readReply(new BufferedInputStream(s.getInputStream())).status).as("connection " + (i + 1)).isEqualTo(200);
            }
            try (Socket sixth = new Socket("127.0.0.1", capped.port)) {
                sixth.setSoTimeout(5000);
                sixth.getOutputStream().write(request("GET", "/").getBytes(StandardCharsets.US_ASCII));
                InputStream in = new BufferedInputStream(sixth.getInputStream());
                Reply r = readReply(in);
                assertThat(r.status).isEqualTo(429);
                assertThat(r.headers.get("content-type")).isEqualTo("application/problem+json");
                assertThat(r.headers.get("retry-after")).isEqualTo("5");
                assertThat(new JsonObject(r.body).getString("code")).isEqualTo("too_many_connections");
                assertThat(in.read()).as("then closed").isEqualTo(-1);
            }
            try (Socket silent = new Socket("127.0.0.1", capped.port)) {
                silent.setSoTimeout(5000);
                long start = System.nanoTime();
                assertThat(silent.getInputStream().read()).as("an over-cap connection that says nothing is closed").isEqualTo(-1);
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(EdgeGuard.REFUSED_GRACE_MILLIS + 1000);
            }
            open.remove(0).close();
            // the server sees the close asynchronously: a new connection is served once it has
            await("a freed slot").atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        try (Socket again = new Socket("127.0.0.1", capped.port)) {
                            again.setSoTimeout(5000);
                            again.getOutputStream().write(request("GET", "/").getBytes(StandardCharsets.US_ASCII));
                            assertThat(readReply(new BufferedInputStream(again.getInputStream())).status)
                                    .as("after one of the five closed").isEqualTo(200);
                        }
                    });
        } finally {
            for (Socket s : open) {
                s.close();
            }
            capped.close();
        }
    }

    // ---------------------------------------------------------------- C. headers and exposure

    @Test
    @DisplayName("security headers on the web client, JSON and problem+json (connect-src only to the own origin); /metrics only on the management port")
    void headersAndExposure() throws Exception {
        String base = "http://127.0.0.1:" + node.port;
        for (String path : List.of("/", "/health", "/api/v1/channels", "/no/such/thing")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertThat(type).as(path).matches(path.equals("/") ? "text/html.*" : path.equals("/health") ? "application/json" : "application/problem\\+json");
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline")
                    // fetch and WebSocket to the node's own origin only ('self' covers ws: and wss: of it), never any host
                    .containsPattern("(^|; )connect-src 'self'(;|$)").doesNotContain("ws:").doesNotContain("wss:"));
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        }

        Api.Resp publicMetrics = node.api.getRoot("/metrics");
        assertThat(publicMetrics.status()).isEqualTo(404);
        assertThat(publicMetrics.contentType()).isEqualTo("application/problem+json");
        assertThat(node.api.getRoot("/health").status()).as("health stays public").isEqualTo(200);

        Api.Resp scrape = node.management("/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.contentType()).startsWith("text/plain");
        assertThat(scrape.body()).contains("# TYPE ").contains("jvm_memory_used_bytes").contains("vertx_http_server_requests_total");
        assertThat(node.management("/other").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- helpers

    record Reply(int status, Map<String, String> headers, String body) {
    }

    static String request(String method, String path) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    static String letters(Random rnd, int n, boolean upper) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ((upper ? 'A' : 'a') + rnd.nextInt(26)));
        }
        return b.toString();
    }

    /** The series of a scrape: each sample line without its value (name and labels). */
    static Set<String> series(String scrape) {
        return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Sends the requests pipelined over four keep-alive connections (a writer and a reader each, so
     * neither side's buffers fill up) and answers the replies in request order.
     */
    static List<Reply> pipeline(List<String> requests) throws Exception {
        int conns = Math.min(4, requests.size());
        ExecutorService pool = Executors.newFixedThreadPool(conns * 2);
        try {
            List<Future<List<Reply>>> parts = new ArrayList<>();
            for (int c = 0; c < conns; c++) {
                List<String> mine = new ArrayList<>();
                for (int i = c; i < requests.size(); i += conns) {
                    mine.add(requests.get(i));
                }
                Socket s = new Socket("127.0.0.1", node.port);
                s.setSoTimeout(20_000);
                pool.submit(() -> {
                    OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                    for (String r : mine) {
                        out.write(r.getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    return null;
                });
                parts.add(pool.submit(() -> {
                    try (s) {
                        InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                        List<Reply> replies = new ArrayList<>(mine.size());
                        for (int i = 0; i < mine.size(); i++) {
                            replies.add(readReply(in));
                        }
                        return replies;
                    }
                }));
            }
            List<List<Reply>> got = new ArrayList<>();
            for (Future<List<Reply>> f : parts) {
                got.add(f.get());
            }
            List<Reply> ordered = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                ordered.add(got.get(i % conns).get(i / conns));
            }
            return ordered;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length body. */
    static Reply readReply(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        Map<String, String> headers = new HashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Reply(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    /** Waits up to {@code millis} for the server to close; answers ms since {@code start}, or -1 if still open. */
    private static long closedWithin(Socket s, long millis, long start) throws IOException {
        long until = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < until) {
            try {
                if (s.getInputStream().read() == -1) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                return (System.nanoTime() - start) / 1_000_000; // reset by the server
            }
        }
        return -1;
    }
}
