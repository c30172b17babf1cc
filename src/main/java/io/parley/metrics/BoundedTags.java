package io.parley.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keeps every tag of Vert.x's HTTP meters in a closed set. Vert.x tags its HTTP server meters at request
 * begin with the request's method as sent, so a client inventing methods ({@code M1234}, or 4,000
 * letters) would mint a series per method without signing in. Methods outside the known set become
 * {@code OTHER}, status codes outside 100-599 become {@code OTHER}, and a raw {@code path} label (off by
 * default, but one option away) is emptied; the {@code route} label is the matched route's template,
 * which the code defines ({@link #route}). {@link #backstops()} caps what is left, in case a later Vert.x adds
 * a label this class does not know.
 */
public final class BoundedTags implements MeterFilter {

    /** The methods the API serves; the edge answers anything else with 501 before routing. */
    public static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    public static final String OTHER = "OTHER";

    private static final String HTTP_PREFIX = "vertx.http.";

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith(HTTP_PREFIX)) {
            return id;
        }
        List<Tag> tags = id.getTags();
        List<Tag> bounded = new ArrayList<>(tags.size());
        boolean changed = false;
        for (Tag t : tags) {
            String value = bound(t.getKey(), t.getValue());
            changed |= !value.equals(t.getValue());
            bounded.add(value.equals(t.getValue()) ? t : Tag.of(t.getKey(), value));
        }
        return changed ? id.replaceTags(bounded) : id;
    }

    static String bound(String key, String value) {
        return switch (key) {
            case "method" -> KNOWN_METHODS.contains(value) ? value : OTHER;
            case "code" -> isStatus(value) ? value : OTHER;
            case "path" -> "";
            case "route" -> route(value);
            default -> value;
        };
    }

    /**
     * Vert.x labels a request with the templates of every route it visited, joined by {@code >}: a
     * sub-router's mount ({@code /api/v1/}) and then its route, and on a failure the routes its failure
     * handlers ran on as well ({@code /api/v1/>/channels/:channelId>/api/v1/}). The label kept is the
     * route that took the request, as a client writes it: the first template, joined with the one after
     * it when the first is a mount ({@code /api/v1/channels/:channelId}). Templates come from the code,
     * never from the request: a path no route knows is labelled by the catch-all that answered it
     * ({@code /api/v1/} or {@code /}), or not at all when it was refused before routing.
     */
    static String route(String value) {
        int gt = value.indexOf('>');
        if (gt < 0) {
            return value;
        }
        String first = value.substring(0, gt);
        int end = value.indexOf('>', gt + 1);
        String second = value.substring(gt + 1, end < 0 ? value.length() : end);
        return first.endsWith("/") && second.startsWith("/") ? first + second.substring(1) : first;
    }

    private static boolean isStatus(String v) {
        if (v.length() != 3) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        int code = Integer.parseInt(v);
        return code >= 100 && code <= 599;
    }

    /**
     * Hard caps on the distinct values of each HTTP label; past them new series are dropped (the meter
     * still works, it just stops being exported). The method and code caps are never reached after
     * {@link #map}; route templates are a few dozen.
     */
    public static List<MeterFilter> backstops() {
        return List.of(
                MeterFilter.maximumAllowableTags(HTTP_PREFIX, "method", KNOWN_METHODS.size() + 1, MeterFilter.deny()),
                MeterFilter.maximumAllowableTags(HTTP_PREFIX, "code", 100, MeterFilter.deny()),
                MeterFilter.maximumAllowableTags(HTTP_PREFIX, "route", 200, MeterFilter.deny()));
    }
}
