package io.parley.edge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON reader of both edges (HTTP bodies and WebSocket frames). Vert.x's default reader lets
 * through what Postgres or a later reader would see differently: comments, a key given twice (the
 * last one wins, so two readers may disagree on what was asked), overlong UTF-8 (decoded as "/" by a
 * lenient decoder), unpaired surrogates (stored as "?" by the driver) and U+0000 (refused by Postgres
 * with a 500). Here each of these is a 400 before anything else looks at the input.
 * <p>
 * Integers that do not fit a long stay {@link java.math.BigInteger} and fractions stay
 * {@link java.math.BigDecimal}, so that {@code Input.id} can refuse them instead of wrapping them.
 */
public final class StrictJson {

    /** No request of Parley nests deeper than 3; the bound keeps the recursive build shallow. */
    public static final int MAX_DEPTH = 32;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
            .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .disable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private StrictJson() {
    }

    /** An HTTP body: the bytes must be well-formed UTF-8 (no overlong forms, no encoded surrogates). */
    public static JsonObject object(Buffer bytes, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars;
        try {
            // the public API copies the bytes once (bodies are bounded by http.maxBodyBytes); Netty's own
            // buffer would save that copy only through Vert.x's internal API
            ByteBuffer in = ByteBuffer.wrap(bytes.getBytes());
            chars = decoder.decode(in);
        } catch (CharacterCodingException e) {
            throw ParleyException.of(ErrorCode.INVALID_JSON, what + " is not valid UTF-8 (overlong or broken byte sequences are refused).");
        }
        return parse(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining(), what);
    }

    /** A WebSocket text frame: its UTF-8 was already checked by the frame validator of the connection. */
    public static JsonObject object(String text, String what) {
        char[] chars = text.toCharArray();
        return parse(chars, 0, chars.length, what);
    }

    private static JsonObject parse(char[] chars, int offset, int length, String what) {
        try (JsonParser p = FACTORY.createParser(chars, offset, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw ParleyException.of(ErrorCode.INVALID_JSON, what + " must be a JSON object.");
            }
            Map<String, Object> root = readObject(p, what);
            if (p.nextToken() != null) {
                throw ParleyException.of(ErrorCode.INVALID_JSON, what + " has more after the JSON object; send exactly one object.");
            }
            return new JsonObject(root);
        } catch (JsonProcessingException e) {
            throw ParleyException.of(ErrorCode.INVALID_JSON, what + " is not valid JSON: " + reason(e));
        } catch (IOException e) {
            // a char array source cannot fail to read; kept as a client error rather than a 500
            throw ParleyException.of(ErrorCode.INVALID_JSON, what + " could not be read as JSON.");
        }
    }

    private static Map<String, Object> readObject(JsonParser p, String what) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            checkText(key, what);
            out.put(key, readValue(p, p.nextToken(), what));
        }
        if (t != JsonToken.END_OBJECT) {
            throw ParleyException.of(ErrorCode.INVALID_JSON, what + " is not valid JSON: an object is not closed.");
        }
        return out;
    }

    private static List<Object> readArray(JsonParser p, String what) throws IOException {
        List<Object> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw ParleyException.of(ErrorCode.INVALID_JSON, what + " is not valid JSON: a list is not closed.");
            }
            out.add(readValue(p, t, what));
        }
        return out;
    }

    private static Object readValue(JsonParser p, JsonToken t, String what) throws IOException {
        if (t == null) {
            throw ParleyException.of(ErrorCode.INVALID_JSON, what + " is not valid JSON: it ends too early.");
        }
        return switch (t) {
            case START_OBJECT -> new JsonObject(readObject(p, what));
            case START_ARRAY -> new JsonArray(readArray(p, what));
            case VALUE_STRING -> checkText(p.getText(), what);
            // int, long or BigInteger, whichever holds the literal exactly
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw ParleyException.of(ErrorCode.INVALID_JSON, what + " is not valid JSON.");
        };
    }

    /**
     * Refuses U+0000 (Postgres cannot store it in text) and UTF-16 surrogates that do not form a pair
     * (a "\ud800" escape is valid JSON syntax but no character; the driver would store "?").
     */
    public static String checkText(String s, String what) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw ParleyException.of(ErrorCode.VALIDATION, what + " must not contain the NUL character (U+0000).");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw ParleyException.of(ErrorCode.INVALID_JSON, what + " contains a lone surrogate (like \\ud800),"
                            + " which is not a character; send text as valid Unicode.");
                }
            }
        }
        return s;
    }

    /** Jackson's messages name its features and echo input; a person needs the kind of mistake. */
    private static String reason(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Duplicate field")) {
            int a = m.indexOf('\'');
            int b = m.lastIndexOf('\'');
            String key = a >= 0 && b > a ? m.substring(a + 1, b) : "a key";
            return "the key \"" + key + "\" appears twice in one object.";
        }
        if (m.contains("comment")) {
            return "comments are not allowed.";
        }
        if (m.contains("nesting depth")) {
            return "it is nested deeper than " + MAX_DEPTH + " levels.";
        }
        if (m.contains("Number value length") || m.contains("String value length")) {
            return "a value is too long.";
        }
        var at = e.getLocation();
        return at == null ? "it cannot be parsed." : "it cannot be parsed at line " + at.getLineNr() + ", column " + at.getColumnNr() + ".";
    }
}
