package io.parley.edge.http;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every client mistake gets a 4xx application/problem+json with a code and a sentence; never a 500. */
@DisplayName("Bad input: a table of client mistakes and their answers")
class BadInputTest {

    static TestNode node;
    static Api api;
    static Api.User user;
    static long channel;

    @BeforeAll
    static void start() {
        node = TestNode.start(BadInputTest.class, json -> json.getJsonObject("http").put("maxBodyBytes", 4096));
        api = node.api;
        user = api.signup("bad");
        channel = api.createChannel(user, "public", "bad-input");
        api.sendMessage(user, channel, "hello");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Stream<Arguments> cases() {
        String ch = "/channels/{ch}";
        return Stream.of(
                // method, path, body (null = none), authenticated, status, code
                Arguments.of("POST", "/auth/signup", "{not json", false, 400, "invalid_json"),
                Arguments.of("POST", "/auth/signup", "[1,2]", false, 400, "invalid_json"),
                Arguments.of("POST", "/auth/signup", null, false, 400, "invalid_json"),
                Arguments.of("POST", "/auth/signup", "{\"password\":\"longenough\"}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/signup", "{\"handle\":42,\"password\":\"longenough\"}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/signup", "{\"handle\":\"a b\",\"password\":\"longenough\"}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/signup", "{\"handle\":\"okhandle\",\"password\":\"short\"}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/signup", "{\"handle\":\"okhandle2\",\"password\":\"longenough\",\"phoneNumber\":\"555\"}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/signup", "{\"handle\":\"okhandle3\",\"password\":\"" + "x".repeat(5000) + "\"}", false, 413, "too_large"),
                Arguments.of("POST", "/auth/signin", "{\"password\":\"x\"}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/refresh", "{}", false, 400, "validation_failed"),
                Arguments.of("POST", "/auth/refresh", "{\"refreshToken\":\"nope\"}", false, 401, "unauthorized"),
                Arguments.of("POST", "/auth/guest", "{\"displayName\":\"   \"}", false, 400, "validation_failed"),
                Arguments.of("GET", "/me", null, false, 401, "unauthorized"),
                Arguments.of("GET", "/channels", null, false, 401, "unauthorized"),
                Arguments.of("POST", "/channels", "{\"kind\":\"secret\",\"name\":\"x\"}", true, 400, "validation_failed"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\"}", true, 400, "validation_failed"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",\"name\":\"" + "n".repeat(81) + "\"}", true, 400, "validation_failed"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",\"name\":\"x\",\"memberIds\":\"all\"}", true, 400, "validation_failed"),
                Arguments.of("POST", "/channels", "{\"kind\":\"private\",\"name\":\"x\",\"memberIds\":[99999999]}", true, 400, "validation_failed"),
                Arguments.of("GET", "/channels/abc", null, true, 400, "validation_failed"),
                Arguments.of("GET", "/channels/-4", null, true, 400, "validation_failed"),
                Arguments.of("GET", "/channels/99999999", null, true, 404, "not_found"),
                Arguments.of("GET", ch + "/messages?before=abc", null, true, 400, "bad_cursor"),
                Arguments.of("GET", ch + "/messages?after=-1", null, true, 400, "bad_cursor"),
                Arguments.of("GET", ch + "/messages?limit=ten", null, true, 400, "validation_failed"),
                Arguments.of("GET", ch + "/messages?limit=-5", null, true, 400, "validation_failed"),
                Arguments.of("GET", ch + "/messages?before=1", null, true, 400, "bad_cursor"),
                Arguments.of("GET", "/search?q=x&limit=-5", null, true, 400, "validation_failed"),
                Arguments.of("GET", ch + "/messages?before=0", null, true, 400, "bad_cursor"),
                Arguments.of("POST", "/auth/signin", "{\"handle\":\"bad_x\",\"password\":\"" + "p".repeat(150) + "\"}", false, 401, "invalid_credentials"),
                Arguments.of("GET", ch + "/messages?after=10&before=5", null, true, 400, "bad_cursor"),
                Arguments.of("POST", ch + "/messages", "{\"clientMsgId\":\"a\"}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/messages", "{\"body\":\"   \",\"clientMsgId\":\"a\"}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/messages", "{\"body\":\"hi\",\"clientMsgId\":\"has space\"}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/messages", "{\"body\":{\"nested\":1},\"clientMsgId\":\"a\"}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/messages", "{\"body\":\"bell\\u0007\",\"clientMsgId\":\"a\"}", true, 400, "validation_failed"),
                Arguments.of("PATCH", ch + "/messages/1", "{}", true, 400, "validation_failed"),
                Arguments.of("PATCH", ch + "/messages/zero", "{\"body\":\"x\"}", true, 400, "validation_failed"),
                Arguments.of("DELETE", ch + "/messages/12345", null, true, 404, "not_found"),
                Arguments.of("POST", ch + "/read", "{\"seq\":\"one\"}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/read", "{\"seq\":1.5}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/members", "{\"userId\":\"me\"}", true, 400, "validation_failed"),
                Arguments.of("POST", "/direct/0", null, true, 400, "validation_failed"),
                // strict JSON and text: NUL, lone surrogates, comments, duplicate keys, numbers that would wrap
                Arguments.of("POST", "/auth/signin", "{\"handle\":\"alice\\u0000\",\"password\":\"whatever1\"}", false, 400, "validation_failed"),
                Arguments.of("GET", "/search?q=a%00b", null, true, 400, "validation_failed"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",\"name\":\"x\\ud800\"}", true, 400, "invalid_json"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",/* c */\"name\":\"x\"}", true, 400, "invalid_json"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",\"name\":\"x\",\"name\":\"y\"}", true, 400, "invalid_json"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",\"name\":\"\\u202Eevil\"}", true, 400, "validation_failed"),
                Arguments.of("POST", "/channels", "{\"kind\":\"public\",\"name\":\"\\u200B\"}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/members", "{\"userId\":18446744073709551618}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/members", "{\"userId\":-2}", true, 400, "validation_failed"),
                Arguments.of("POST", ch + "/read", "{\"seq\":1e400}", true, 400, "validation_failed"),
                Arguments.of("POST", "/auth/guest", "{\"displayName\":\"\\u2066x\\u2069\"}", false, 400, "validation_failed"),
                Arguments.of("GET", "/nowhere", null, true, 404, "not_found"),
                Arguments.of("PUT", "/channels", "{}", true, 404, "not_found"));
    }

    @ParameterizedTest(name = "{0} {1} {2} → {4} {5}")
    @MethodSource("cases")
    @DisplayName("each mistake gets its status, code and a readable problem+json")
    void badInput(String method, String path, String body, boolean auth, int status, String code) {
        Resp r = api.send(method, path.replace("{ch}", String.valueOf(channel)), auth ? user.token() : null, body);
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonObject problem = r.json();
        assertThat(problem.getString("code")).isEqualTo(code);
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("detail")).isNotBlank().doesNotContain("Exception").doesNotContain("null");
        assertThat(problem.getString("requestId")).isNotBlank();
    }
}
