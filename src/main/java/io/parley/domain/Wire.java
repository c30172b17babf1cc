package io.parley.domain;

import java.util.Locale;

/** The lower-case names kinds and roles have in the database, in tokens and in JSON. */
final class Wire {

    private Wire() {
    }

    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} whose wire name is {@code wire}; an unknown name is a bug, not input. */
    static <E extends Enum<E>> E of(Class<E> type, String wire) {
        for (E v : type.getEnumConstants()) {
            if (name(v).equals(wire)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown " + type.getSimpleName() + ": " + wire);
    }
}
