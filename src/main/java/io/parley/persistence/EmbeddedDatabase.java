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

/**
 * The zero-config database: real Postgres binaries from Maven Central, data under ./data/pg, started
 * once before Vert.x boots (JDBC is used here only, once, to create the database; requests use the
 * async client).
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private EmbeddedDatabase() {
    }

    /** Starts (or reuses) the embedded server and answers the URL of its parley database. */
    public static String start(String dataDir, int port) throws IOException {
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
        } catch (java.sql.SQLException e) {
            throw new IOException("cannot prepare the embedded database: " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (IOException e) {
                LOG.warn("Embedded Postgres did not stop cleanly", e);
            }
        }, "parley-embedded-pg-stop"));
        LOG.info("Embedded PostgreSQL running on port {} with data in {}", pg.getPort(), dir);
        return "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/parley";
    }
}
