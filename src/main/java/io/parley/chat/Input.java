package io.parley.chat;

import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads and validates client input; every refusal is a VALIDATION error with a sentence naming the field. */
public final class Input {

    private static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9_]{3,32}");
    private static final Pattern PHONE = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern CLIENT_MSG_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]");

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

    private static long id(Object v, String field) {
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0) {
            throw invalid(field + " must be a non-negative whole number.");
        }
        return n.longValue();
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
        return t;
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
}
