package io.parley.config;

/** A configuration value that cannot be used; the message names the key and what is expected. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
