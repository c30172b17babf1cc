package io.parley.cache;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Cached values: the JSON bytes of a response, gzipped over a size (first byte 'z'), else plain (first
 * byte 'p'). A hit gives back the bytes as they were stored, so they are served without being parsed
 * and encoded again.
 */
final class Codec {

    private Codec() {
    }

    static Buffer encode(Buffer json, int gzipOver) {
        if (json.length() <= gzipOver) {
            return Buffer.buffer(json.length() + 1).appendByte((byte) 'p').appendBuffer(json);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length() / 4 + 16);
        out.write('z');
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json.getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }

    static Buffer decode(Buffer stored) {
        if (stored.getByte(0) == 'p') {
            return stored.getBuffer(1, stored.length());
        }
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(stored.getBytes(1, stored.length())))) {
            return Buffer.buffer(gz.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
