package io.parley.cache;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Cached values: plain up to the threshold, gzipped over it, the same bytes back either way")
class CodecTest {

    private static Buffer json(int size) {
        StringBuilder s = new StringBuilder("{\"items\":[");
        while (s.length() < size - 10) {
            s.append("{\"seq\":").append(s.length()).append(",\"body\":\"hello\"},");
        }
        return Buffer.buffer(s.append("{}]}").toString());
    }

    @Test
    @DisplayName("a page of about 8 KB is stored plain under the default 16 KiB, a larger value gzipped, both read back as stored")
    void roundTrip() {
        Buffer page = json(8_000);
        Buffer stored = Codec.encode(page, 16_384);
        assertThat(stored.getByte(0)).isEqualTo((byte) 'p');
        assertThat(stored.length()).isEqualTo(page.length() + 1);
        assertThat(Codec.decode(stored)).isEqualTo(page);

        Buffer big = json(40_000);
        Buffer zipped = Codec.encode(big, 16_384);
        assertThat(zipped.getByte(0)).isEqualTo((byte) 'z');
        assertThat(zipped.length()).isLessThan(big.length() / 4);
        assertThat(Codec.decode(zipped)).isEqualTo(big);
    }
}
