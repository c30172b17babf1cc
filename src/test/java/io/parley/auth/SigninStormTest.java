package io.parley.auth;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sign-in storm against a small hashing pool: what does not fit in the bounded queue is refused at once
 * with 503 overloaded and Retry-After, never left to time out; what is admitted succeeds.
 */
@DisplayName("A sign-in storm is shed with 503 and Retry-After")
class SigninStormTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        // one hashing thread at a cost that takes tens of milliseconds, and a queue bound of 100 ms
        // Sign-in attempts of one (handle, address) are counted before they are checked, so 40 at once
        // would mostly meet the failure throttle (auth.signinMaxFailures) first: raised, as this is about the queue.
        node = TestNode.start(SigninStormTest.class, json -> json.getJsonObject("auth")
                .put("bcryptCost", 10).put("bcryptThreads", 1).put("bcryptMaxWaitMs", 100).put("signinMaxFailures", 1000));
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("40 concurrent sign-ins: each is 200 or 503 overloaded with Retry-After; then sign-in works again")
    void stormIsShed() {
        Api.User u = api.signup("storm");
        JsonObject creds = new JsonObject().put("handle", u.handle()).put("password", "password-" + u.handle());
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<CompletableFuture<Resp>> calls = IntStream.range(0, 40)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> api.post("/auth/signin", null, creds), pool)).toList();
            // a cheap request during the storm is answered (it never waits behind the hashing)
            Resp me = api.get("/me", u.token());
            assertThat(me.status()).isEqualTo(200);
            List<Resp> answers = calls.stream().map(CompletableFuture::join).toList();
            List<Resp> ok = answers.stream().filter(r -> r.status() == 200).toList();
            List<Resp> shed = answers.stream().filter(r -> r.status() == 503).toList();
            assertThat(ok.size() + shed.size()).as("every answer is 200 or 503: %s", answers).isEqualTo(40);
            assertThat(ok).as("the admitted sign-ins succeed").isNotEmpty();
            assertThat(shed).as("the rest is shed, not queued until it times out").isNotEmpty();
            for (Resp r : shed) {
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.code()).isEqualTo("overloaded");
                assertThat(r.retryAfter()).isEqualTo("2");
                assertThat(r.json().getString("detail")).contains("try again");
            }
        } finally {
            pool.shutdownNow();
        }
        // the queue drains; the next sign-in is admitted
        assertThat(api.post("/auth/signin", null, creds).status()).isEqualTo(200);
        String metrics = node.metricsText();
        assertThat(metrics).containsPattern("parley_auth_bcrypt_refused_total\\S* [1-9]");
    }
}
