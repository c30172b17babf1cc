package io.parley.limits;

/** Waits in words, for the sentences of refusals. */
public final class Durations {

    private Durations() {
    }

    public static String human(int seconds) {
        if (seconds < 90) {
            return seconds == 1 ? "1 second" : seconds + " seconds";
        }
        int minutes = (seconds + 59) / 60;
        return minutes + " minutes";
    }
}
