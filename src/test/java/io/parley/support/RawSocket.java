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
import java.util.function.Consumer;

/**
 * The bare-socket transport of {@link WsClient}, for the attacks a library client would not make: the
 * upgrade and the framing are done by hand, so it reads only when asked, writes whatever bytes it is given
 * (many frames in one TCP write) and can flood. Frames are masked with a zero key (legal, and the payload
 * stays readable). It knows bytes and frames only; what the frames say comes from {@link WsClient}.
 */
final class RawSocket {

    private final SocketChannel channel;
    /** Bytes read and not yet taken apart into frames (in write mode). */
    private ByteBuffer in = ByteBuffer.allocate(1 << 16);
    /** The text message whose fragments are being read. */
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();

    private RawSocket(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and upgrades; {@code receiveBuffer} > 0 shrinks the socket's receive buffer (a slow reader). */
    static RawSocket connect(int port, String token, int receiveBuffer) throws IOException {
        SocketChannel ch = SocketChannel.open();
        if (receiveBuffer > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        }
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        String upgrade = "GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        ch.write(ByteBuffer.wrap(upgrade.getBytes(StandardCharsets.US_ASCII)));
        RawSocket ws = new RawSocket(ch);
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
    static byte[] textFrame(String text) {
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
    void write(byte[] bytes) throws IOException {
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
    long flood(byte[] frame, long maxBytes, long stallMillis, long maxMillis) throws IOException {
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

    /**
     * Reads for up to {@code millis}, until at least one text message or the close has come: each message
     * goes to {@code onText}, the close code to {@code onClose} (1006 if the connection ended without one).
     */
    void read(long millis, Consumer<String> onText, Consumer<Short> onClose) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            long left;
            while (!takeFrames(onText, onClose) && (left = deadline - System.currentTimeMillis()) > 0) {
                if (!in.hasRemaining()) {
                    in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                }
                int n = channel.read(in);
                if (n < 0) {
                    onClose.accept((short) 1006);
                    break;
                }
                if (n == 0) {
                    // nothing yet: wait until bytes arrive, at most until the end of the window
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
        }
        channel.configureBlocking(true);
    }

    /** Hands on every whole frame read so far (server frames are not masked); answers whether one said something. */
    private boolean takeFrames(Consumer<String> onText, Consumer<Short> onClose) {
        boolean handed = false;
        in.flip();
        while (in.remaining() >= 2) {
            int start = in.position();
            int first = in.get() & 0xff;
            int length = in.get() & 0x7f;
            int extended = length == 126 ? 2 : length == 127 ? 8 : 0;
            if (in.remaining() < extended) {
                in.position(start);
                break;
            }
            long size = extended == 2 ? in.getShort() & 0xffff : extended == 8 ? in.getLong() : length;
            if (in.remaining() < size) {
                in.position(start);
                break;
            }
            byte[] payload = new byte[(int) size];
            in.get(payload);
            int opcode = first & 0x0f;
            if (opcode == 8) {
                onClose.accept(size >= 2 ? (short) ((payload[0] & 0xff) << 8 | payload[1] & 0xff) : 1005);
                handed = true;
            } else if (opcode <= 1) { // a text frame or its continuation; the server's pings need no answer here
                message.write(payload, 0, payload.length);
                if ((first & 0x80) != 0) {
                    onText.accept(message.toString(StandardCharsets.UTF_8));
                    message.reset();
                    handed = true;
                }
            }
        }
        in.compact();
        return handed;
    }

    void close() throws IOException {
        channel.close();
    }
}
