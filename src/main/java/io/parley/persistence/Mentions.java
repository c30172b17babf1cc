package io.parley.persistence;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The handles a message body mentions: {@code @handle}, not inside a word or an address (a@b). */
public final class Mentions {

    /** At most this many distinct handles of one message are looked up; the rest mention nobody. */
    static final int MAX = 20;
    private static final Pattern MENTION = Pattern.compile("(?<![A-Za-z0-9_@.])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])");

    private Mentions() {
    }

    public static String[] handles(String body) {
        if (body.indexOf('@') < 0) {
            return new String[0];
        }
        Set<String> out = new LinkedHashSet<>();
        Matcher m = MENTION.matcher(body);
        while (m.find() && out.size() < MAX) {
            out.add(m.group(1));
        }
        return out.toArray(new String[0]);
    }
}
