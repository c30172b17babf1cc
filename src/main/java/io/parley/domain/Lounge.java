package io.parley.domain;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A lounge: a place with one or more rooms, each in one language. {@code rooms}: the active ones, unless
 * asked otherwise; {@code moderators}: the users who moderate every room of it.
 */
public record Lounge(long id, String slug, String name, boolean active, OffsetDateTime createdAt, List<Room> rooms,
                     List<Long> moderators, Integer retentionDays) {

    /**
     * A room of a lounge: a channel of kind {@code room}. {@code active} is the room's own switch; it takes
     * messages only while it and its lounge are active.
     */
    public record Room(long id, long loungeId, String language, String name, String topic, boolean active) {
    }

    /** How many members a room has (banned ones not counted) and how many of them are online. */
    public record Counts(long members, long online) {
        public static final Counts NONE = new Counts(0, 0);
    }

    public Lounge withRooms(List<Room> rooms) {
        return new Lounge(id, slug, name, active, createdAt, rooms, moderators, retentionDays);
    }

    public Lounge withModerators(List<Long> moderators) {
        return new Lounge(id, slug, name, active, createdAt, rooms, moderators, retentionDays);
    }
}
