package io.parley.web;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the node serves to browsers (the web chat, its client library, the ops console) and the user lookup they use. */
@DisplayName("The web chat's files and the user lookup")
class WebAssetsTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        node = TestNode.start(WebAssetsTest.class);
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("the node serves the web chat at /, parley-client.js as a module, and the ops console at /admin/")
    void files() {
        Resp index = api.getRoot("/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).startsWith("text/html");
        assertThat(index.body()).contains("<script type=\"module\" src=\"/app.js\">").doesNotContain("<script>");
        assertThat(header("/", "Cache-Control")).as("revalidated on each load, never kept stale after an upgrade").isEqualTo("no-cache");
        assertThat(header("/app.js", "Last-Modified")).isNotNull();
        Resp lib = api.getRoot("/client/parley-client.js");
        assertThat(lib.status()).isEqualTo(200);
        assertThat(lib.contentType()).contains("javascript");
        assertThat(lib.body()).contains("export class ParleyClient");
        Resp console = api.getRoot("/admin/");
        assertThat(console.status()).isEqualTo(200);
        assertThat(console.body()).contains("/admin/admin.js");
        for (String asset : new String[]{"/app.js", "/app.css", "/virtual-list.js", "/dom.js", "/favicon.svg", "/admin/admin.js", "/admin/admin.css"}) {
            assertThat(api.getRoot(asset).status()).as(asset).isEqualTo(200);
        }
    }

    private static String header(String path, String name) {
        try {
            java.net.http.HttpResponse<Void> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + node.port + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.headers().firstValue(name).orElse(null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    @DisplayName("GET /users answers names by id or handle, leaves unknown ids out, and explains bad input")
    void users() {
        Api.User ann = api.signup("ann");
        Api.User ben = api.signup("ben");
        Api.User stranger = api.signup("stranger");
        // ids are answered for people ann shares a channel with (and herself), not for everyone: no walking the ids
        assertThat(api.get("/users?ids=" + ben.id(), ann.token()).json().getJsonArray("users")).isEmpty();
        api.createChannel(ann, "private", "ann and ben", ben.id());
        JsonArray byIds = api.get("/users?ids=" + ben.id() + "," + ann.id() + "," + stranger.id() + ",999999", ann.token()).json()
                .getJsonArray("users");
        assertThat(byIds.stream().map(o -> ((JsonObject) o).getLong("id"))).containsExactly(ann.id(), ben.id());
        assertThat(byIds.getJsonObject(0).getString("handle")).isEqualTo(ann.handle());
        JsonArray byHandle = api.get("/users?handle=" + ben.handle().toUpperCase(), ann.token()).json().getJsonArray("users");
        assertThat(byHandle).hasSize(1);
        assertThat(byHandle.getJsonObject(0).getLong("id")).isEqualTo(ben.id());
        assertThat(api.get("/users?handle=nobody_here", ann.token()).json().getJsonArray("users")).isEmpty();
        Resp bad = api.get("/users?ids=1,x", ann.token());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getString("detail")).contains("\"x\"");
        assertThat(api.get("/users", ann.token()).status()).isEqualTo(400);
        assertThat(api.get("/users?ids=1&handle=a", ann.token()).status()).isEqualTo(400);
        StringBuilder many = new StringBuilder("1");
        for (int i = 2; i <= 101; i++) {
            many.append(',').append(i);
        }
        assertThat(api.get("/users?ids=" + many, ann.token()).json().getString("detail")).contains("100");
        assertThat(api.get("/users?ids=1", null).status()).isEqualTo(401);
    }
}
