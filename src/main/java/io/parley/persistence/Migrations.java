package io.parley.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Applies {@code db/migration/V<n>__<name>.sql} in order, each in its own transaction, under a Postgres
 * advisory lock so that nodes starting together migrate once. The scripts are read on a worker thread;
 * the SQL runs on the async client. Versions increase but may leave gaps (work on two branches takes
 * numbers apart); every script not yet recorded in schema_migrations is applied, in version order, so a
 * lower number that arrives after a higher one was applied still runs.
 */
public final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([\\w-]+)\\.sql");
    private static final long LOCK_KEY = 0x5061726c6579L; // "Parley"

    public record Script(int version, String name, String sql) {
    }

    private Migrations() {
    }

    public static Future<Integer> apply(Vertx vertx, Pool pool) {
        return vertx.executeBlocking(Migrations::load, false)
                .compose(scripts -> pool.withConnection(conn -> conn.query("SELECT pg_advisory_lock(" + LOCK_KEY + ")").execute()
                        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY,"
                                + " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").execute())
                        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
                        .compose(rows -> {
                            java.util.Set<Integer> applied = new java.util.HashSet<>();
                            rows.forEach(r -> applied.add(r.getInteger("version")));
                            return applyMissing(conn, scripts, applied);
                        })
                        .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")").execute())));
    }

    /** Answers the highest version applied by this call, or 0 when there was nothing to apply. */
    private static Future<Integer> applyMissing(SqlConnection conn, List<Script> scripts, java.util.Set<Integer> applied) {
        Future<Integer> chain = Future.succeededFuture(0);
        for (Script s : scripts) {
            if (applied.contains(s.version())) {
                continue;
            }
            chain = chain.compose(v -> conn.begin().compose(tx -> conn.query(s.sql()).execute()
                    .compose(r -> conn.preparedQuery("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
                            .execute(Tuple.of(s.version(), s.name())))
                    .compose(r -> tx.commit())
                    .map(r -> {
                        LOG.info("Applied migration V{}__{}", s.version(), s.name());
                        return s.version();
                    })));
        }
        return chain;
    }

    /** The migration scripts on the classpath, in version order. */
    public static List<Script> load() {
        List<String> names = listNames();
        List<Script> out = new ArrayList<>();
        for (String n : names) {
            Matcher m = NAME.matcher(n);
            if (!m.matches()) {
                continue;
            }
            try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + n)) {
                out.add(new Script(Integer.parseInt(m.group(1)), m.group(2), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read migration " + n, e);
            }
        }
        out.sort(Comparator.comparingInt(Script::version));
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).version() < 1 || i > 0 && out.get(i).version() == out.get(i - 1).version()) {
                throw new IllegalStateException("migration versions must be 1 or more and each used once; found V" + out.get(i).version()
                        + " twice or below 1");
            }
        }
        return out;
    }

    private static List<String> listNames() {
        URL dir = Migrations.class.getResource("/db/migration");
        if (dir == null) {
            throw new IllegalStateException("no db/migration folder on the classpath");
        }
        try {
            if ("jar".equals(dir.getProtocol())) {
                JarFile jar = ((JarURLConnection) dir.openConnection()).getJarFile();
                return jar.stream().map(e -> e.getName())
                        .filter(n -> n.startsWith("db/migration/") && n.endsWith(".sql"))
                        .map(n -> n.substring("db/migration/".length())).toList();
            }
            try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
                return files.map(p -> p.getFileName().toString()).toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list db/migration", e);
        }
    }
}
