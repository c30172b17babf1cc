package io.parley.tools;

import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Map;

/**
 * Creates (or finds) the user of kind {@code service} an internal service posts as, and prints its id.
 * Run by {@code scripts/service-user HANDLE [DISPLAY NAME]} against {@code PARLEY_DB_URL}. Idempotent.
 */
public final class ServiceUser {

    private ServiceUser() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !args[0].matches("[A-Za-z0-9_]{3,32}")) {
            System.err.println("usage: scripts/service-user HANDLE [DISPLAY NAME]   (HANDLE: 3-32 letters, digits, _)");
            System.exit(2);
        }
        ParleyConfig config = ConfigLoader.load(System.getenv());
        if (config.db().url().isEmpty()) {
            System.err.println("parley: set PARLEY_DB_URL to the cluster's database");
            System.exit(2);
        }
        String handle = args[0];
        String name = args.length > 1 ? String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length)) : handle;
        Vertx vertx = Vertx.vertx();
        PgConnectOptions connect = PgConnectOptions.fromUri(config.db().url());
        if (!config.db().schema().isEmpty()) {
            connect.setProperties(Map.of("search_path", config.db().schema()));
        }
        Pool pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
        try {
            long id = pool.preparedQuery("INSERT INTO users (handle, display_name, kind) VALUES ($1, $2, 'service')"
                            + " ON CONFLICT ((lower(handle))) DO UPDATE SET display_name = users.display_name"
                            + " RETURNING id, kind")
                    .execute(Tuple.of(handle, name)).await().iterator().next().getLong("id");
            String kind = pool.preparedQuery("SELECT kind FROM users WHERE id = $1").execute(Tuple.of(id)).await()
                    .iterator().next().getString("kind");
            if (!"service".equals(kind)) {
                System.err.println("parley: " + handle + " is taken by a user of kind " + kind);
                System.exit(1);
            }
            System.out.println(id);
        } finally {
            pool.close().await();
            vertx.close().await();
        }
    }
}
