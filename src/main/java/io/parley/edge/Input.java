package io.parley.edge;

import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads and validates client input; every refusal is a VALIDATION error with a sentence naming the field. */
public final class Input {

    private static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9_]{3,32}");
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}");
    private static final Pattern PHONE = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern CLIENT_MSG_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]");
    /** Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), LRM, RLM and the Arabic letter mark. */
    private static final Pattern BIDI_CONTROL = Pattern.compile("[\\u202A-\\u202E\\u2066-\\u2069\\u200E\\u200F\\u061C]");
    /** Letters that render as nothing (Hangul fillers, the blank Braille pattern): a name of only these looks empty. */
    private static final String BLANK_FILLERS = "\u115F\u1160\u3164\uFFA0\u2800";

    private Input() {
    }

    public static ParleyException invalid(String message) {
        return ParleyException.of(ErrorCode.VALIDATION, message);
    }

    public static String string(JsonObject json, String field) {
        Object v = json.getValue(field);
        if (v == null) {
            throw invalid(field + " is required.");
        }
        if (!(v instanceof String s)) {
            throw invalid(field + " must be a string.");
        }
        return plain(s, field);
    }

    /**
     * Refuses U+0000 (Postgres refuses it in text, which used to surface as a 500) and unpaired UTF-16
     * surrogates (the driver would store "?" while the reply said success). The edges' JSON reader
     * refuses both already; this also covers query strings and requests that arrive over the event bus.
     */
    public static String plain(String s, String field) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw invalid(field + " must not contain the NUL character (U+0000).");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw invalid(field + " contains a lone surrogate, which is not a character.");
                }
            }
        }
        return s;
    }

    public static String optString(JsonObject json, String field) {
        return json.getValue(field) == null ? null : string(json, field);
    }

    public static long id(JsonObject json, String field) {
        Object v = json.getValue(field);
        if (v == null) {
            throw invalid(field + " is required.");
        }
        return id(v, field);
    }

    public static Long optId(JsonObject json, String field) {
        Object v = json.getValue(field);
        return v == null ? null : id(v, field);
    }

    /**
     * An id, seq or cursor: a whole number from 0 to 2^63-1. Anything else is refused rather than
     * converted, because {@code Number.longValue()} wraps 2^64+5 to 5 and truncates 5.7 to 5, which
     * once let a request name another user or channel than the one it wrote.
     */
    private static long id(Object v, String field) {
        String refusal = field + " must be a whole number from 0 to 9223372036854775807.";
        long value;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            value = ((Number) v).longValue();
        } else if (v instanceof BigInteger b) {
            if (b.bitLength() > 63) {
                throw invalid(refusal);
            }
            value = b.longValue();
        } else if (v instanceof BigDecimal d) {
            // precision - scale = digits before the point: refuses 1e999999999 without expanding it
            if (d.signum() != 0 && d.precision() - d.scale() > 19) {
                throw invalid(refusal);
            }
            try {
                value = d.longValueExact();
            } catch (ArithmeticException e) {
                throw invalid(refusal);
            }
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || !(d >= 0 && d < 0x1p63)) {
                throw invalid(refusal);
            }
            value = (long) d;
        } else {
            throw invalid(refusal);
        }
        if (value < 0) {
            throw invalid(refusal);
        }
        return value;
    }

    public static List<Long> ids(JsonObject json, String field, int max) {
        Object v = json.getValue(field);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray a)) {
            throw invalid(field + " must be a list of user ids.");
        }
        if (a.size() > max) {
            throw invalid(field + " can name at most " + max + " users.");
        }
        List<Long> out = new ArrayList<>(a.size());
        for (Object o : a) {
            out.add(id(o, field));
        }
        return out;
    }

    public static String handle(String s) {
        if (!HANDLE.matcher(s).matches()) {
            throw invalid("handle must be 3 to 32 letters, digits or underscores.");
        }
        if (s.equalsIgnoreCase("guest")) {
            // guests are shown as "Guest" by default: nobody may own the handle that name would impersonate
            throw invalid("handle \"" + s + "\" is reserved; pick another.");
        }
        return s;
    }

    public static String password(String s, String field) {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (s.length() < 8 || bytes > 72) {
            throw invalid(field + " must be at least 8 characters and at most 72 bytes.");
        }
        return s;
    }

    public static String phone(String s) {
        if (s != null && !PHONE.matcher(s).matches()) {
            throw invalid("phoneNumber must be in international format, like +14155550100.");
        }
        return s;
    }

    /** A short single-line text: display names, channel names, topics. */
    public static String text(String s, String field, int maxChars, boolean required) {
        if (s == null) {
            if (required) {
                throw invalid(field + " is required.");
            }
            return null;
        }
        String t = s.strip();
        if (required && t.isEmpty()) {
            throw invalid(field + " must not be blank.");
        }
        if (t.codePointCount(0, t.length()) > maxChars) {
            throw invalid(field + " must be at most " + maxChars + " characters.");
        }
        if (CONTROL.matcher(t).find() || t.indexOf('\n') >= 0) {
            throw invalid(field + " must be a single line without control characters.");
        }
        if (BIDI_CONTROL.matcher(t).find()) {
            throw invalid(field + " must not contain text-direction controls (like U+202E), which make it read differently than it is.");
        }
        if (!t.isEmpty() && invisible(t)) {
            throw invalid(field + " must contain at least one visible character.");
        }
        return t;
    }

    /**
     * True when nothing of {@code t} would be seen: only whitespace, format characters (category Cf:
     * zero-width spaces and joiners, U+2060, U+FEFF...) and the fillers that render blank.
     */
    static boolean invisible(String t) {
        return t.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || Character.getType(cp) == Character.FORMAT || BLANK_FILLERS.indexOf(cp) >= 0);
    }

    public static String body(String s, int maxChars) {
        if (s.isBlank()) {
            throw invalid("body must not be empty.");
        }
        if (s.codePointCount(0, s.length()) > maxChars) {
            throw invalid("body must be at most " + maxChars + " characters.");
        }
        if (CONTROL.matcher(s).find()) {
            throw invalid("body must not contain control characters.");
        }
        return s;
    }

    public static String clientMsgId(String s) {
        if (!CLIENT_MSG_ID.matcher(s).matches()) {
            throw invalid("clientMsgId must be 1 to 64 letters, digits or . _ : -");
        }
        return s;
    }

    /** A language tag, as rooms carry it: {@code en}, {@code pt-BR}, {@code zh-Hant}. */
    public static String language(String s) {
        if (s == null || !LANGUAGE.matcher(s).matches()) {
            throw invalid("language must be a language tag such as \"en\", \"es\" or \"pt-BR\".");
        }
        return s;
    }

    /** An optional true or false: null when absent or null. */
    public static Boolean optBoolean(JsonObject json, String field) {
        Object v = json.getValue(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            throw invalid(field + " must be true or false.");
        }
        return b;
    }
}
