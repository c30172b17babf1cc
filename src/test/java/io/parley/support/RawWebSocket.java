package io.parley.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client written on a bare socket, for the attacks a library client would not make: it can
 * stop reading while it keeps writing, put many frames in one TCP write, and measure how much the server
 * accepted. Frames are masked with a zero key (legal, and the payload stays readable).
 */
public final class RawWebSocket implements AutoCloseable {

    private final SocketChannel channel;
    /** What the server sent after the 101 answer's headers, read only when asked. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private RawWebSocket(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and upgrades; {@code receiveBuffer} > 0 shrinks the socket's receive buffer (a slow reader). */
    public static RawWebSocket connect(int port, String token, int receiveBuffer) throws IOException {
        SocketChannel ch = SocketChannel.open();
        if (receiveBuffer > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        }
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        String upgrade = "GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        ch.write(ByteBuffer.wrap(upgrade.getBytes(StandardCharsets.US_ASCII)));
        RawWebSocket ws = new RawWebSocket(ch);
        String head = ws.readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            ch.close();
            throw new IOException("upgrade refused: " + head);
        }
        return ws;
    }

    private String readHead() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("closed during the upgrade: " + head);
            }
            head.append((char) one.get(0));
        }
        return head.toString();
    }

    /** One masked text frame (FIN set) carrying {@code text}. */
    public static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write(0x81);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        out.write(new byte[4], 0, 4); // the zero mask key
        out.write(payload, 0, payload.length);
        return out.toByteArray();
    }

    /** Writes all of {@code bytes} (blocking). */
    public void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /**
     * Writes {@code frame} again and again without reading, until {@code maxBytes} went out or the server
     * stopped taking them for {@code stallMillis} (its reading paused and the TCP buffers are full), or
     * {@code maxMillis} passed. Answers the bytes the server's side accepted.
     */
    public long flood(byte[] frame, long maxBytes, long stallMillis, long maxMillis) throws IOException {
        long sent = 0;
        long start = System.currentTimeMillis();
        long lastProgress = start;
        ByteBuffer b = ByteBuffer.wrap(frame);
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            while (sent < maxBytes) {
                long now = System.currentTimeMillis();
                if (now - start > maxMillis || now - lastProgress > stallMillis) {
                    break;
                }
                int n = channel.write(b);
                if (n > 0) {
                    sent += n;
                    lastProgress = now;
                } else {
                    // the send buffer is full: wait until it takes bytes again, at most until the stall or the end
                    long wait = Math.min(lastProgress + stallMillis, start + maxMillis) - now + 1;
                    selector.select(Math.max(1, wait));
                    selector.selectedKeys().clear();
                }
                if (!b.hasRemaining()) {
                    b.rewind();
                }
            }
        }
        channel.configureBlocking(true);
        return sent;
    }

    /** Reads what the server sent for up to {@code millis}; answers everything received so far as text. */
    public String readFor(long millis) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long deadline = System.currentTimeMillis() + millis;
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            long left;
            while ((left = deadline - System.currentTimeMillis()) > 0) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    received.write(buf.array(), 0, n);
                } else {
                    // nothing yet: wait until bytes arrive, at most until the end of the window
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
        }
        channel.configureBlocking(true);
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
