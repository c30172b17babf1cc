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
 * Makes a user an admin (or, with {@code --revoke}, a user again): {@code scripts/admin HANDLE [--revoke]}.
 * The role travels in access tokens, so it takes effect at the user's next sign-in or refresh.
 */
public final class Admin {

    private Admin() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: scripts/admin HANDLE [--revoke]");
            System.exit(2);
        }
        ParleyConfig config = ConfigLoader.load(System.getenv());
        if (config.db().url().isEmpty()) {
            System.err.println("parley: set PARLEY_DB_URL to the cluster's database");
            System.exit(2);
        }
        String role = args.length > 1 && "--revoke".equals(args[1]) ? "user" : "admin";
        Vertx vertx = Vertx.vertx();
        PgConnectOptions connect = PgConnectOptions.fromUri(config.db().url());
        if (!config.db().schema().isEmpty()) {
            connect.setProperties(Map.of("search_path", config.db().schema()));
        }
        Pool pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
        try {
            int n = pool.preparedQuery("UPDATE users SET role = $2 WHERE lower(handle) = lower($1) AND kind = 'member'")
                    .execute(Tuple.of(args[0], role)).await().rowCount();
            if (n == 0) {
                System.err.println("parley: no member with handle " + args[0]);
                System.exit(1);
            }
            System.out.println(args[0] + " is now " + role + " (takes effect at the next sign-in or token refresh)");
        } finally {
            pool.close().await();
            vertx.close().await();
        }
    }
}
