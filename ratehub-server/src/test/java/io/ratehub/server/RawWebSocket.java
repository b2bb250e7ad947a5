package io.ratehub.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * A WebSocket client written by hand on a {@link Socket}: it does the HTTP upgrade itself and then reads and writes
 * frames, and it answers nothing on its own (in particular, never a ping with a pong). For what the JDK client does
 * for us and must not: heartbeat timeouts.
 */
final class RawWebSocket implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A frame as read: its opcode and payload. */
    record Frame(int opcode, byte[] payload) {
        static final int TEXT = 1;
        static final int BINARY = 2;
        static final int CLOSE = 8;
        static final int PING = 9;
        static final int PONG = 10;

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, 1005 when it carries none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens the connection and completes the upgrade; fails unless the server answers 101. */
    static RawWebSocket connect(URI ws, Map<String, String> headers) throws IOException {
        return connect(ws, headers, new byte[0]);
    }

    /**
     * As {@link #connect(URI, Map)}, sending {@code early} (frames, say) in the same write as the upgrade request,
     * before the 101 has arrived.
     */
    static RawWebSocket connect(URI ws, Map<String, String> headers, byte[] early) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 5_000);
        s.setSoTimeout(10_000);
        RawWebSocket c = new RawWebSocket(s);
        byte[] request = upgradeRequest(ws, headers).getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(request, request.length + early.length);
        System.arraycopy(early, 0, all, request.length, early.length);
        c.out.write(all);
        c.out.flush();
        String status = c.readHeaderBlock();
        if (!status.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("upgrade refused: " + status.lines().findFirst().orElse(status));
        }
        return c;
    }

    /** A WebSocket upgrade request for {@code ws} (version 13, a fresh key) with {@code headers} added. */
    static String upgradeRequest(URI ws, Map<String, String> headers) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        StringBuilder req = new StringBuilder()
                .append("GET ").append(ws.getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(ws.getHost()).append(':').append(ws.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
        if (!headers.containsKey("Sec-WebSocket-Version")) {
            req.append("Sec-WebSocket-Version: 13\r\n");
        }
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        return req.append("\r\n").toString();
    }

    /** Reads the response head up to the blank line, byte by byte (so no frame byte is consumed). */
    private String readHeaderBlock() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Sends a masked text frame. */
    void sendText(String text) throws IOException {
        sendFrame(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a masked frame with {@code opcode}, FIN set. */
    synchronized void sendFrame(int opcode, byte[] payload) throws IOException {
        out.write(maskedFrame(opcode, payload));
        out.flush();
    }

    /** Sends raw bytes as they are (part of a frame, say). */
    synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A whole masked frame with {@code opcode}, FIN set, as a client sends it. */
    static byte[] maskedFrame(int opcode, byte[] payload) {
        int n = payload.length;
        ByteBuffer frame = ByteBuffer.allocate(14 + n);
        frame.put((byte) (0x80 | opcode));
        if (n < 126) {
            frame.put((byte) (0x80 | n));
        } else if (n < 65536) {
            frame.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(n);
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < n; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return java.util.Arrays.copyOf(frame.array(), frame.position());
    }

    /** Whether TCP sends each small write at once (true: one segment per {@link #sendRaw} call). */
    void noDelay(boolean on) throws IOException {
        socket.setTcpNoDelay(on);
    }

    /** Reads the next frame (unfragmented frames only: the server sends no others), waiting up to {@code timeout}. */
    Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0f, payload);
    }

    /** Reads frames until a close frame and returns its code; fails after {@code timeout} in total. */
    int awaitClose(Duration timeout, java.util.function.Consumer<Frame> seen) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no close frame within " + timeout);
            }
            Frame f;
            try {
                f = read(Duration.ofNanos(left));
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no close frame within " + timeout, e);
            }
            seen.accept(f);
            if (f.opcode() == Frame.CLOSE) {
                return f.closeCode();
            }
        }
    }

    /** The client side's local port (the server sees it as the peer's port). */
    int localPort() {
        return socket.getLocalPort();
    }

    InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
