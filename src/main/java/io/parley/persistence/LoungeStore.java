package io.parley.persistence;

import io.parley.domain.Lounge;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Lounges and their rooms. */
public interface LoungeStore {

    /** The most lounges a list holds: far more than any deployment has; the list is one response. */
    int MAX_LOUNGES = 1_000;

    /** Active lounges by slug, each with its active rooms (by language, then id). */
    Future<List<Lounge>> active();

    /** One lounge by slug, with its rooms: active ones only, or all with {@code everything} (admins). */
    Future<Optional<Lounge>> bySlug(String slug, boolean everything);

    /** Members (not banned) and online members of each room. */
    Future<Map<Long, Lounge.Counts>> counts(List<Long> roomIds);

    /** Empty when the slug is taken. */
    Future<Optional<Lounge>> create(String slug, String name);

    /** Renames and/or (de)activates a lounge, and with it the activity of its rooms; empty when there is no such lounge. */
    Future<Optional<Lounge>> update(String slug, String name, Boolean active);

    /** A new room, active; empty when there is no such lounge. */
    Future<Optional<Lounge.Room>> addRoom(String slug, String language, String name, String topic);

    /** Renames, sets the topic of and/or (de)activates a room; empty when the lounge has no such room. */
    Future<Optional<Lounge.Room>> updateRoom(String slug, long roomId, String name, String topic, Boolean active);

    /** Makes the user a moderator of every room of the lounge; false when there is no such user. */
    Future<Boolean> addModerator(String slug, long userId);

    /** False when the user was not a moderator of the lounge. */
    Future<Boolean> removeModerator(String slug, long userId);

    /** A lounge's retention in days (null: none), which its rooms without their own follow; false when there is no such lounge. */
    Future<Boolean> setRetention(String slug, Integer days);
}
