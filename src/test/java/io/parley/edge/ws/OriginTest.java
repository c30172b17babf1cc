package io.parley.edge.ws;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Origin policy of the WebSocket upgrade")
class OriginTest {

    @ParameterizedTest(name = "Origin {0} with Host {1} and allowed [{2}] → {3}")
    @CsvSource(nullValues = "NONE", value = {
            "NONE, chat.example:8080, '', true",
            "http://chat.example:8080, chat.example:8080, '', true",
            "http://CHAT.example:8080, chat.example:8080, '', true",
            "http://chat.example, chat.example, '', true",
            "https://chat.example, chat.example, '', true",
            "http://chat.example:9999, chat.example, '', false",
            "http://chat.example:9999, chat.example:8080, '', false",
            "http://evil.example:8080, chat.example:8080, '', false",
            "http://chat.example.evil.example, chat.example, '', false",
            "https://app.example, chat.example, https://app.example, true",
            "https://other.example, chat.example, https://app.example, false",
            "https://anything.example, chat.example, *, true",
            "not a uri, chat.example, '', false",
            "http://[::1]:8080, [::1]:8080, '', true"})
    void policy(String origin, String host, String allowed, boolean expected) {
        List<String> list = allowed.isEmpty() ? List.of() : List.of(allowed);
        assertThat(SocketGateway.originAllowed(origin, host, list)).isEqualTo(expected);
    }
}
