package io.parley.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Config: defaults, PARLEY_* overrides, fail-fast messages")
class ConfigLoaderTest {

    @Test
    @DisplayName("every key has a default, and the defaults describe a single node on 8080 with the embedded database")
    void defaults() {
        ParleyConfig c = ConfigLoader.load(Map.of());
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.db().url()).isEmpty();
        assertThat(c.redis().url()).isEmpty();
        assertThat(c.cluster().enabled()).isTrue();
        assertThat(c.http().instances()).isPositive();
    }

    @Test
    @DisplayName("PARLEY_SECTION_KEY overrides section.key, with the type of the default")
    void envOverrides() {
        ParleyConfig c = ConfigLoader.load(Map.of("PARLEY_HTTP_PORT", "9090", "PARLEY_DB_URL", "postgresql://x/y",
                "PARLEY_WS_COMPRESSION", "true", "PARLEY_AUTH_BCRYPT_COST", "10", "PARLEY_WS_ALLOWED_ORIGINS", "https://a, https://b",
                "PARLEY_CLUSTER_MEMBERS", "10.0.0.1,10.0.0.2"));
        assertThat(c.http().port()).isEqualTo(9090);
        assertThat(c.db().url()).isEqualTo("postgresql://x/y");
        assertThat(c.ws().compression()).isTrue();
        assertThat(c.auth().bcryptCost()).isEqualTo(10);
        assertThat(c.ws().allowedOrigins()).containsExactly("https://a", "https://b");
        assertThat(c.cluster().members()).isEqualTo("10.0.0.1,10.0.0.2");
    }

    @Test
    @DisplayName("a bad value fails at start with a message naming the key, the variable and what is expected")
    void failFast() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HTTP_PORT", "eighty")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PARLEY_HTTP_PORT").hasMessageContaining("whole number");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_HTTP_PORT", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.port").hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_WS_COMPRESSION", "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("true or false");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("PARLEY_CONFIG", "/no/such/file.json")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("/no/such/file.json");
    }

    @Test
    @DisplayName("a config file may not name keys that do not exist, so typos fail fast")
    void unknownKeys() {
        io.vertx.core.json.JsonObject base = ConfigLoader.defaults();
        assertThatThrownBy(() -> ConfigLoader.merge(base, new io.vertx.core.json.JsonObject().put("http", new io.vertx.core.json.JsonObject().put("prot", 1))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.prot");
    }
}
