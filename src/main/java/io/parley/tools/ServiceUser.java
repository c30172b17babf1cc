package io.parley.tools;

import io.vertx.sqlclient.Tuple;
import java.util.Arrays;

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
        String handle = args[0];
        String name = args.length > 1 ? String.join(" ", Arrays.copyOfRange(args, 1, args.length)) : handle;
        String[] found = ToolDb.with(pool -> {
            long id = pool.preparedQuery("INSERT INTO users (handle, display_name, kind) VALUES ($1, $2, 'service')"
                            + " ON CONFLICT ((lower(handle))) DO UPDATE SET display_name = users.display_name RETURNING id")
                    .execute(Tuple.of(handle, name)).await().iterator().next().getLong("id");
            String kind = pool.preparedQuery("SELECT kind FROM users WHERE id = $1").execute(Tuple.of(id)).await()
                    .iterator().next().getString("kind");
            return new String[]{String.valueOf(id), kind};
        });
        if (!"service".equals(found[1])) {
            System.err.println("parley: " + handle + " is taken by a user of kind " + found[1]);
            System.exit(1);
        }
        System.out.println(found[0]);
    }
}
