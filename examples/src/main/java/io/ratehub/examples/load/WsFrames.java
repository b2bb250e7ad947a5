package io.ratehub.examples.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of RFC 6455's wire format: the HTTP/1.1 upgrade request and the check of its response, and
 * masked client frames. Stateless.
 */
final class WsFrames {
    /** Continuation frame. */
    static final int OP_CONTINUATION = 0x0;
    /** Text frame. */
    static final int OP_TEXT = 0x1;
    /** Binary frame. */
    static final int OP_BINARY = 0x2;
    /** Close frame. */
    static final int OP_CLOSE = 0x8;
    /** Ping frame. */
    static final int OP_PING = 0x9;
    /** Pong frame. */
    static final int OP_PONG = 0xA;

    /** Close code: normal closure. */
    static final int CLOSE_NORMAL = 1000;
    /** Close code: protocol error. */
    static final int CLOSE_PROTOCOL_ERROR = 1002;
    /** Close code: no status code in the close frame (never sent). */
    static final int CLOSE_NO_STATUS = 1005;
    /** Close code: closed without a close frame (never sent). */
    static final int CLOSE_ABNORMAL = 1006;
    /** Close code: message too big. */
    static final int CLOSE_TOO_BIG = 1009;

    /** Largest header of a client frame: 2 + 8 (length) + 4 (mask). */
    static final int MAX_HEADER = 14;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WsFrames() {
    }

    /** A fresh Sec-WebSocket-Key: 16 random bytes, Base64. */
    static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The Sec-WebSocket-Accept a server must answer to {@code key}. */
    static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    /** The upgrade request for {@code path} (with its query) on {@code hostHeader}. */
    static byte[] upgradeRequest(String hostHeader, String path, String key) {
        String req = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
        return req.getBytes(StandardCharsets.US_ASCII);
    }

    /** The index just past the blank line ending an HTTP header in {@code b[off, end)}, or -1. */
    static int headerEnd(byte[] b, int off, int end) {
        for (int i = off; i + 3 < end; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * Checks an upgrade response header (the text up to and including the blank line).
     *
     * @return null when it is a 101 with the right Sec-WebSocket-Accept; otherwise what is wrong
     */
    static String checkUpgradeResponse(String header, String key) {
        String[] lines = header.split("\r\n");
        String status = lines.length == 0 ? "" : lines[0];
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].equals("101")) {
            return "upgrade refused: " + status;
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT)
                    .equals("sec-websocket-accept")) {
                accept = lines[i].substring(colon + 1).trim();
            }
        }
        String expected = acceptFor(key);
        if (!expected.equals(accept)) {
            return "bad Sec-WebSocket-Accept: expected " + expected + ", got " + accept;
        }
        return null;
    }

    /** Bytes a masked client frame with {@code len} payload bytes takes. */
    static int frameSize(int len) {
        return len + (len < 126 ? 6 : len < 65536 ? 8 : 14);
    }

    /**
     * Writes one final, masked client frame (random mask) of {@code opcode} carrying {@code payload[off, off+len)}
     * into {@code dst}, which must have {@link #frameSize(int)} bytes free.
     */
    static void putFrame(ByteBuffer dst, int opcode, byte[] payload, int off, int len) {
        dst.put((byte) (0x80 | opcode));
        if (len < 126) {
            dst.put((byte) (0x80 | len));
        } else if (len < 65536) {
            dst.put((byte) (0x80 | 126));
            dst.putShort((short) len);
        } else {
            dst.put((byte) (0x80 | 127));
            dst.putLong(len);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] m = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        dst.put(m);
        for (int i = 0; i < len; i++) {
            dst.put((byte) (payload[off + i] ^ m[i & 3]));
        }
    }

    /** A masked close frame with {@code code} and no reason. */
    static ByteBuffer closeFrame(int code) {
        ByteBuffer buf = ByteBuffer.allocate(frameSize(2));
        putFrame(buf, OP_CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, 0, 2);
        return buf.flip();
    }
}
