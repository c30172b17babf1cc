package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Arrays;

/**
 * Builds the effective configuration: the built-in {@code conf/config.json} (every key has a default),
 * then an optional file ({@code PARLEY_CONFIG} or {@code ./conf/config.json}), then {@code PARLEY_*}
 * environment variables. A key {@code section.someKey} is overridden by {@code PARLEY_SECTION_SOME_KEY}.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    public static ParleyConfig load(Map<String, String> env) {
        JsonObject json = defaults();
        String file = env.getOrDefault("PARLEY_CONFIG", "");
        Path path = file.isEmpty() ? Path.of("conf", "config.json") : Path.of(file);
        if (Files.isRegularFile(path)) {
            merge(json, readFile(path));
        } else if (!file.isEmpty()) {
            throw new ConfigException("PARLEY_CONFIG points to " + path.toAbsolutePath() + ", which is not a readable file");
        }
        applyEnv(json, env);
        return ParleyConfig.from(json);
    }

    /** The defaults shipped inside the jar. */
    public static JsonObject defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/conf/config.json")) {
            if (in == null) {
                throw new ConfigException("the built-in conf/config.json is missing from the classpath");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("cannot read the built-in conf/config.json: " + e.getMessage());
        }
    }

    private static JsonObject readFile(Path path) {
        try {
            return new JsonObject(Files.readString(path));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot read config file " + path.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    /** Deep-merges {@code over} into {@code base}; unknown keys are refused so typos fail fast. */
    static void merge(JsonObject base, JsonObject over) {
        for (String section : over.fieldNames()) {
            Object value = over.getValue(section);
            if (!base.containsKey(section)) {
                throw new ConfigException("unknown config section \"" + section + "\"");
            }
            if (!(value instanceof JsonObject sectionJson)) {
                throw new ConfigException("config section \"" + section + "\" must be an object");
            }
            JsonObject target = base.getJsonObject(section);
            for (String key : sectionJson.fieldNames()) {
                if (!target.containsKey(key)) {
                    throw new ConfigException("unknown config key \"" + section + "." + key + "\"");
                }
                target.put(key, sectionJson.getValue(key));
            }
        }
    }

    static void applyEnv(JsonObject json, Map<String, String> env) {
        for (String section : json.fieldNames()) {
            JsonObject sectionJson = json.getJsonObject(section);
            for (String key : sectionJson.fieldNames()) {
                String name = envName(section, key);
                String raw = env.get(name);
                if (raw != null) {
                    Object current = sectionJson.getValue(key);
                    sectionJson.put(key, coerce(raw, current, name));
                }
            }
        }
    }

    public static String envName(String section, String key) {
        return "PARLEY_" + section.toUpperCase() + "_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
    }

    private static Object coerce(String raw, Object current, String name) {
        String value = raw.trim();
        if (current instanceof Boolean) {
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw new ConfigException(name + " must be true or false (got \"" + raw + "\")");
        }
        if (current instanceof Number) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a whole number (got \"" + raw + "\")");
            }
        }
        if (current instanceof JsonArray) {
            return new JsonArray(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        return raw;
    }
}
