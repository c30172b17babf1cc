package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks the table "Who may do what to whom" of docs/decisions.md, read from the file: every act on every
 * kind of target by every kind of actor, in a public channel (which has an owner) and in a room of a
 * lounge (which has lounge moderators). A listed actor must succeed, any other must get a 4xx.
 */
@DisplayName("The moderation table of docs/decisions.md, cell by cell")
class ModerationTableTest {

    static final List<String> ACTORS = List.of("member", "moderator", "owner", "lounge moderator", "admin");

    static TestNode node;
    static Api api;
    static Api.User admin;

    @BeforeAll
    static void start() {
        node = TestNode.start(ModerationTableTest.class);
        api = node.api;
        admin = node.admin("tableadmin");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** act → target column → the actors who succeed. */
    static Map<String, Map<String, Set<String>>> table() throws IOException {
        String doc = Files.readString(Path.of("docs/decisions.md"));
        String section = doc.substring(doc.indexOf("## Who may do what to whom"));
        List<String> lines = section.lines().filter(l -> l.startsWith("|")).toList();
        List<String> header = cells(lines.get(0));
        Map<String, Map<String, Set<String>>> out = new LinkedHashMap<>();
        for (String line : lines.subList(2, lines.size())) {
            List<String> row = cells(line);
            Map<String, Set<String>> byTarget = new LinkedHashMap<>();
            for (int i = 1; i < row.size(); i++) {
                String cell = row.get(i);
                byTarget.put(header.get(i), cell.equals("nobody") ? Set.of() : Set.copyOf(Arrays.stream(cell.split(","))
                        .map(String::strip).toList()));
                for (String who : byTarget.get(header.get(i))) {
                    assertThat(ACTORS).as("an actor the table names").contains(who);
                }
            }
            out.put(row.get(0), byTarget);
        }
        return out;
    }

    private static List<String> cells(String line) {
        String[] parts = line.split("\\|");
        List<String> out = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            out.add(parts[i].strip());
        }
        return out;
    }

    @Test
    @DisplayName("the table names every act and every target")
    void tableIsWhole() throws IOException {
        Map<String, Map<String, Set<String>>> t = table();
        assertThat(t.keySet()).containsExactly("remove", "ban", "unban", "mute", "unmute", "appoint", "demote", "transfer");
        t.values().forEach(row -> assertThat(row.keySet())
                .containsExactly("member", "moderator", "owner", "lounge moderator", "banned member", "non-member"));
    }

    @Test
    @DisplayName("in a public channel: member, moderator, owner and admin on every kind of member")
    void inAChannel() throws IOException {
        // the same people in a fresh channel for every cell: what one cell does cannot change another
        Api.User owner = api.signup("towner");
        Map<String, Api.User> people = new LinkedHashMap<>();
        for (String who : List.of("member", "moderator", "banned member", "non-member")) {
            people.put(who, api.signup("t" + who.replaceAll("[^a-z]", "").substring(0, 5)));
            people.put("target " + who, api.signup("tt" + who.replaceAll("[^a-z]", "").substring(0, 5)));
        }
        List<String> mismatches = new ArrayList<>();
        int tried = 0;
        for (Map.Entry<String, Map<String, Set<String>>> row : table().entrySet()) {
            for (Map.Entry<String, Set<String>> cell : row.getValue().entrySet()) {
                if (cell.getKey().equals("lounge moderator")) {
                    continue;
                }
                for (String actor : List.of("member", "moderator", "owner", "admin")) {
                    if (actor.equals("owner") && cell.getKey().equals("owner")) {
                        continue; // acting on oneself: leaving, not moderation
                    }
                    long ch = api.createChannel(owner, "public", "table");
                    Api.User target = cell.getKey().equals("owner") ? owner
                            : standing(ch, owner, cell.getKey(), people.get("target " + cell.getKey()));
                    Api.User by = switch (actor) {
                        case "owner" -> owner;
                        case "admin" -> admin;
                        default -> standing(ch, owner, actor, people.get(actor));
                    };
                    tried++;
                    check(mismatches, "channel", row.getKey(), cell.getKey(), actor, cell.getValue().contains(actor), act(by, ch, target, row.getKey()));
                }
            }
        }
        assertThat(mismatches).as("cells tried: " + tried).isEmpty();
        assertThat(tried).isGreaterThan(100);
    }

    @Test
    @DisplayName("in a room: member, room moderator, lounge moderator and admin on every kind of member")
    void inARoom() throws IOException {
        String slug = "table" + System.nanoTime() % 100_000;
        assertThat(api.post("/lounges", admin.token(), new JsonObject().put("slug", slug).put("name", "Table")).status()).isEqualTo(201);
        long room = api.post("/lounges/" + slug + "/rooms", admin.token(), new JsonObject().put("language", "en")).json().getLong("id");
        Api.User keeper = api.signup("tkeeper");
        api.send("PUT", "/lounges/" + slug + "/moderators/" + keeper.id(), admin.token(), null);
        Api.User member = api.signup("tmember");
        api.post("/channels/" + room + "/members", member.token(), null);
        Api.User roomModerator = standing(room, admin, "moderator");

        List<String> mismatches = new ArrayList<>();
        int tried = 0;
        for (Map.Entry<String, Map<String, Set<String>>> row : table().entrySet()) {
            for (Map.Entry<String, Set<String>> cell : row.getValue().entrySet()) {
                if (cell.getKey().equals("owner")) {
                    continue;
                }
                for (String actor : List.of("member", "moderator", "lounge moderator", "admin")) {
                    Api.User target;
                    if (cell.getKey().equals("lounge moderator")) {
                        target = api.signup("tlm");
                        api.post("/channels/" + room + "/members", target.token(), null);
                        assertThat(api.send("PUT", "/lounges/" + slug + "/moderators/" + target.id(), admin.token(), null).status())
                                .isEqualTo(200);
                    } else {
                        target = standing(room, admin, cell.getKey());
                    }
                    Api.User by = switch (actor) {
                        case "member" -> member;
                        case "moderator" -> roomModerator;
                        case "lounge moderator" -> keeper;
                        default -> admin;
                    };
                    tried++;
                    check(mismatches, "room", row.getKey(), cell.getKey(), actor, cell.getValue().contains(actor), act(by, room, target, row.getKey()));
                }
            }
        }
        assertThat(mismatches).as("cells tried: " + tried).isEmpty();
        assertThat(tried).isGreaterThan(100);
    }

    private static void check(List<String> mismatches, String where, String act, String target, String actor, boolean allowed, Resp r) {
        boolean ok = allowed ? r.status() / 100 == 2 : r.status() == 403 || r.status() == 404;
        if (!ok) {
            mismatches.add(where + ": " + actor + " " + act + " " + target + " → " + r.status() + " " + r.body()
                    + " (the table says " + (allowed ? "allowed" : "refused") + ")");
        }
    }

    /** A fresh user standing in {@code ch} as {@code what}, set up by {@code boss} (the owner, or an admin in a room). */
    private static Api.User standing(long ch, Api.User boss, String what) {
        String word = what.replaceAll("[^a-z]", "");
        return standing(ch, boss, what, api.signup("t" + word.substring(0, Math.min(6, word.length()))));
    }

    private static Api.User standing(long ch, Api.User boss, String what, Api.User u) {
        Resp joined = api.post("/channels/" + ch + "/members", u.token(), null);
        assertThat(joined.status()).as(joined.body()).isEqualTo(200);
        switch (what) {
            case "member" -> { }
            case "moderator" -> assertThat(change(boss, ch, u.id(), new JsonObject().put("role", "moderator")).status()).isEqualTo(200);
            case "banned member" -> assertThat(change(boss, ch, u.id(), new JsonObject().put("banned", true)).status()).isEqualTo(200);
            case "non-member" -> {
                assertThat(api.post("/channels/" + ch + "/messages", u.token(), new JsonObject().put("body", "bye")).status()).isEqualTo(201);
                assertThat(api.send("DELETE", "/channels/" + ch + "/members/" + u.id(), u.token(), null).status()).isEqualTo(204);
            }
            default -> throw new IllegalArgumentException(what);
        }
        return u;
    }

    private static Resp change(Api.User by, long ch, long userId, JsonObject body) {
        return api.send("PATCH", "/channels/" + ch + "/members/" + userId, by.token(), body);
    }

    private static Resp act(Api.User by, long ch, Api.User target, String act) {
        String until = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        return switch (act) {
            case "remove" -> api.send("DELETE", "/channels/" + ch + "/members/" + target.id(), by.token(), null);
            case "ban" -> change(by, ch, target.id(), new JsonObject().put("banned", true));
            case "unban" -> change(by, ch, target.id(), new JsonObject().put("banned", false));
            case "mute" -> change(by, ch, target.id(), new JsonObject().put("mutedUntil", until));
            case "unmute" -> change(by, ch, target.id(), new JsonObject().putNull("mutedUntil"));
            case "appoint" -> change(by, ch, target.id(), new JsonObject().put("role", "moderator"));
            case "demote" -> change(by, ch, target.id(), new JsonObject().put("role", "member"));
            case "transfer" -> change(by, ch, target.id(), new JsonObject().put("role", "owner"));
            default -> throw new IllegalArgumentException(act);
        };
    }
}
