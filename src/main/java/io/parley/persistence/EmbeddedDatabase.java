package io.parley.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The zero-config database: real Postgres binaries from Maven Central, data under ./data/pg, started
 * once before Vert.x boots (JDBC is used here only, once, to create the database; requests use the
 * async client). It registers no shutdown hook of its own: whoever starts it stops it with {@link #stop}
 * after the node has drained (see {@code Main}), so in-flight writes commit before the server goes.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres pg;
    private final String url;

    private EmbeddedDatabase(EmbeddedPostgres pg, String url) {
        this.pg = pg;
        this.url = url;
    }

    /** The URL of its parley database. */
    public String url() {
        return url;
    }

    /** Stops the server (waits for it); safe to call more than once. */
    public void stop() {
        try {
            // undo disarm(): the library's close() does nothing once its flag is set
            closedFlag(pg).ifPresent(closed -> closed.set(false));
            pg.close();
        } catch (IOException e) {
            LOG.warn("Embedded Postgres did not stop cleanly", e);
        }
    }

    /** Starts (or reuses) the embedded server. */
    public static EmbeddedDatabase start(String dataDir, int port) throws IOException {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("Postgres refuses to run as root. Start Parley with scripts/run (it drops to the"
                    + " 'parley' user), as another user, or set PARLEY_DB_URL to an existing database.");
        }
        Path dir = Path.of(dataDir).toAbsolutePath();
        Files.createDirectories(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("max_connections", "200")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'parley'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE parley");
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot prepare the embedded database: " + e.getMessage(), e);
        }
        disarm(pg);
        LOG.info("Embedded PostgreSQL running on port {} with data in {}", pg.getPort(), dir);
        return new EmbeddedDatabase(pg, "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/parley");
    }

    /**
     * The library registers a JVM shutdown hook of its own (no option turns it off, and it keeps no
     * reference to remove it by) that stops the server at once, while the node's own hook is still
     * draining writes into it. Its hook calls close(), which does nothing when the instance's "closed"
     * flag is already set: set it here, and {@link #stop} clears it when it is time to stop for real.
     */
    private static void disarm(EmbeddedPostgres pg) {
        closedFlag(pg).ifPresentOrElse(closed -> closed.set(true),
                () -> LOG.warn("Cannot turn off the embedded Postgres' own shutdown hook: on shutdown the database may"
                        + " stop before the node has drained"));
    }

    private static Optional<AtomicBoolean> closedFlag(EmbeddedPostgres pg) {
        try {
            Field f = EmbeddedPostgres.class.getDeclaredField("closed");
            f.setAccessible(true);
            return Optional.of((AtomicBoolean) f.get(pg));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
