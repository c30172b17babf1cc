package io.parley.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Parley's load generator: one process on the Vert.x HTTP and WebSocket clients, bounded in time, printing
 * a progress line every second and a JSON result at the end. Run through {@code scripts/bench}, which starts
 * the nodes the scenario needs.
 * <pre>java -cp parley.jar:parley-bench.jar io.parley.bench.Bench fanout ports=8080,8081 pids=12,13 channels=200 members=5 rate=2000 seconds=20</pre>
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Bench SCENARIO key=value...   scenarios: fanout, compression, history, channel-list, send,"
                    + " login-storm, idle-sockets, search");
            System.exit(2);
        }
        JsonObject result;
        try {
            result = run(args);
        } catch (IllegalArgumentException e) {
            // a mistake on the command line: say which, without a stack trace
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("RESULT " + result.encode());
        System.exit(0);
    }

    /** Runs one scenario and answers its result (also written to out=FILE when given). */
    public static JsonObject run(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        JsonObject result = switch (args[0]) {
            case "fanout" -> new FanoutScenario(opts).run();
            case "compression" -> new CompressionScenario(opts).run();
            case "search" -> new SearchScenario(opts).run();
            case "history", "channel-list", "send", "login-storm", "idle-sockets" -> new Scenarios(opts).run(args[0]);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        };
        result.put("scenario", args[0]).put("machine", Stats.machine()).put("at", Instant.now().toString())
                .put("command", String.join(" ", args));
        String out = opts.get("out");
        if (out != null) {
            Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
            Files.writeString(Path.of(out), result.encodePrettily());
        }
        return result;
    }

    static int intOpt(Map<String, String> o, String k, int d) {
        if (!o.containsKey(k)) {
            return d;
        }
        try {
            int v = Integer.parseInt(o.get(k));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k + "=" + o.get(k) + " is not a whole number of 0 or more");
        }
    }

    static void log(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void ignore(IOException e) {
        // nothing to do
    }
}
