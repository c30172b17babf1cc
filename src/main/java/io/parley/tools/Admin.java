package io.parley.tools;

import io.vertx.sqlclient.Tuple;

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
        String role = args.length > 1 && "--revoke".equals(args[1]) ? "user" : "admin";
        int n = ToolDb.with(pool -> pool.preparedQuery("UPDATE users SET role = $2 WHERE lower(handle) = lower($1) AND kind = 'member'")
                .execute(Tuple.of(args[0], role)).await().rowCount());
        if (n == 0) {
            System.err.println("parley: no member with handle " + args[0]);
            System.exit(1);
        }
        System.out.println(args[0] + " is now " + role + " (takes effect at the next sign-in or token refresh)");
    }
}
