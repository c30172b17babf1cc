package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A guest searching a big room for a common word, and what that does to everyone else. A room of
 * {@code messages} (1,000,000) is seeded straight into Postgres, six words a message from a skewed
 * vocabulary ("fox" is in about a third of them); the node runs with its cache off, so every search
 * reads Postgres. Phases: the common-word search alone ({@code searchConcurrency}, 1), then
 * {@code GET /channels/{id}} of a member at {@code rate} per second alone, then the same while
 * {@code concurrency} (32) guests search without pause. Answers other than 2xx (a refused search) are
 * counted as errors of their phase.
 */
final class SearchScenario {

    /** Word k of a message is picked with probability log((k+1)/k) / log(60): the first ones are common. */
    private static final String VOCABULARY = "'river','quick','brown','fox','jumps','over','lazy','dog','deploy','release','lunch',"
            + "'meeting','coffee','build','server','client','search','index','table','query','window','door','garden','music','movie',"
            + "'book','paper','phone','train','plane','cloud','rain','snow','summer','winter','spring','autumn','city','road','bridge',"
            + "'tower','castle','forest','mountain','ocean','island','desert','valley','lake','sky','star','moon','sun','planet',"
            + "'rocket','robot','engine','wheel','market','zebra'";
    private static final int BATCH = 100_000;

    private final Map<String, String> o;
    private final int port;
    private final int messages;
    private final int concurrency;
    private final int searchConcurrency;
    private final int rate;
    private final int seconds;
    private final int warmup;
    private final String word;
    private final java.util.List<Long> pids;
    private final String tag = Long.toString(System.nanoTime() % 10_000_000, 36);

    SearchScenario(Map<String, String> o) {
        this.o = o;
        port = Bench.intOpt(o, "port", 8180);
        messages = Bench.intOpt(o, "messages", 1_000_000);
        concurrency = Bench.intOpt(o, "concurrency", 32);
        searchConcurrency = Bench.intOpt(o, "searchConcurrency", 1);
        rate = Bench.intOpt(o, "rate", 50);
        seconds = Bench.intOpt(o, "seconds", 10);
        warmup = Bench.intOpt(o, "warmup", 5);
        word = o.getOrDefault("word", "fox");
        pids = o.containsKey("pid") ? java.util.List.of(Long.parseLong(o.get("pid"))) : java.util.List.of();
        if (!word.matches("[a-z]{1,20}")) {
            throw new IllegalArgumentException("word=" + word + " is not a lower-case word");
        }
    }

    JsonObject run() throws Exception {
        Vertx vertx = Load.use(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(concurrency * 2 + 16));
        PgConnectOptions pg = PgConnectOptions.fromUri(o.getOrDefault("db", "postgresql://parley:parley@127.0.0.1:5432/parley"));
        if (o.containsKey("schema")) {
            pg.setProperties(Map.of("search_path", o.get("schema")));
        }
        Pool db = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(pg).using(vertx).build();
        try {
            JsonObject owner = FanoutScenario.post(http, port, "/api/v1/auth/signup", null,
                    new JsonObject().put("handle", "q" + tag).put("password", "bench-password")).await();
            String ownerToken = owner.getString("accessToken");
            long writer = owner.getJsonObject("user").getLong("id");
            long channel = FanoutScenario.post(http, port, "/api/v1/channels", ownerToken,
                    new JsonObject().put("kind", "private").put("name", "unrelated " + tag)).await().getLong("id");
            String guest = FanoutScenario.post(http, port, "/api/v1/auth/guest", null, new JsonObject().put("displayName", "Searcher"))
                    .await().getString("accessToken");
            long room = db.query("SELECT id FROM channels WHERE kind = 'room' AND is_active ORDER BY id LIMIT 1").execute().await()
                    .iterator().next().getLong("id");
            seed(db, room, writer);
            long matching = db.query("SELECT count(*) AS n FROM messages WHERE channel_id = " + room
                    + " AND body ~ '(^| )" + word + "( |$)'").execute().await().iterator().next().getLong("n");
            Bench.log("room " + room + ": " + messages + " messages, '" + word + "' in " + matching);
            String search = "/api/v1/search?q=" + word;
            String get = "/api/v1/channels/" + channel;
            JsonObject out = new JsonObject().put("messages", messages).put("word", word).put("matching", matching)
                    .put("concurrency", concurrency).put("rate", rate);
            out.put("searchAlone", closed(vertx, "search alone", searchConcurrency, () -> Load.get(http, port, search, guest)));
            out.put("channelAlone", open(vertx, "channel alone", () -> Load.get(http, port, get, ownerToken)));
            AtomicReference<JsonObject> searching = new AtomicReference<>();
            Thread searchers = new Thread(() -> searching.set(closed(vertx, "searches beside", concurrency,
                    () -> Load.get(http, port, search, guest))), "searchers");
            searchers.start();
            out.put("channelWhileSearching", open(vertx, "channel while searching", () -> Load.get(http, port, get, ownerToken)));
            searchers.join();
            out.put("searchWhileSearching", searching.get());
            Bench.log("search p99 alone " + p99(out, "searchAlone") + " ms; GET /channels/{id} p99 alone " + p99(out, "channelAlone")
                    + " ms, beside " + concurrency + " searches " + p99(out, "channelWhileSearching") + " ms");
            return out;
        } finally {
            db.close().await();
            vertx.close().await();
        }
    }

    /** {@code messages} messages in {@code room}, one second apart up to now, in batches; then ANALYZE. */
    private void seed(Pool db, long room, long writer) {
        for (int from = 1; from <= messages; from += BATCH) {
            int to = Math.min(messages, from + BATCH - 1);
            db.query("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body, search_config, created_at)"
                    + " SELECT " + room + ", s, " + writer + ", 'q' || s, (SELECT string_agg(v.w[1 + floor(power(60, random()))::int], ' ')"
                    + "   FROM generate_series(1, 6) g, (SELECT ARRAY[" + VOCABULARY + "] AS w) v WHERE s > 0) || ' number ' || s,"
                    + " search_config(c.language), now() - (" + messages + " - s) * interval '1 second'"
                    + " FROM generate_series(" + from + ", " + to + ") s, channels c WHERE c.id = " + room).execute().await();
            Bench.log("seeded " + to + " of " + messages);
        }
        db.query("UPDATE channels SET last_seq = " + messages + ", last_message_at = now() WHERE id = " + room).execute().await();
        db.query("ANALYZE messages").execute().await();
    }

    private JsonObject closed(Vertx vertx, String name, int conc, Supplier<Future<?>> call) {
        return Load.closedLoop(vertx, new Series(name, pids), conc, warmup, seconds, call);
    }

    private JsonObject open(Vertx vertx, String name, Supplier<Future<?>> call) {
        return Load.openLoop(vertx, new Series(name, pids), rate, warmup, seconds, 2000, call);
    }

    private static Object p99(JsonObject out, String phase) {
        return out.getJsonObject(phase).getValue("p99");
    }
}
