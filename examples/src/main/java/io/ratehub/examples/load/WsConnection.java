package io.ratehub.examples.load;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client WebSocket connection of a {@link LoadClient}: its socket, where it is in opening, its live seq baseline
 * and its partial-frame buffers (allocated only while a frame is split across reads, released when large).
 *
 * <p>Owned by one IO thread, which alone reads and writes its fields; not thread-safe.
 */
final class WsConnection {
    /** TCP connect in progress. */
    static final int CONNECTING = 0;
    /** Upgrade request sent; reading the HTTP response. */
    static final int HANDSHAKING = 1;
    /** WebSocket open, opening messages sent; waiting for {@code subscribed}. */
    static final int SUBSCRIBING = 2;
    /** Subscribed: updates are accounted. */
    static final int LIVE = 3;
    /** Closed (by either side, or failed). */
    static final int CLOSED = 4;

    /** Partial-frame buffers at most this large are kept for reuse when they empty; larger ones are dropped. */
    static final int KEEP_BYTES = 16 * 1024;

    /** The connection's index within its client (0-based, across all opens). */
    final int index;
    /** The open() that created it; null in scanner tests. */
    final WsOpening opening;
    SocketChannel channel;
    SelectionKey key;
    int state;
    /** False once {@link LoadClient#stopReading(int)} reached it. */
    boolean reading = true;
    /** The handshake's Sec-WebSocket-Key, until the response is checked. */
    String handshakeKey;

    /** Highest live seq seen ({@link UpdateScanner#NO_SEQ} before a baseline). */
    long lastSeq = UpdateScanner.NO_SEQ;
    /** Catch-up updates still to come after {@code subscribed}; not live. */
    long snapshotLeft;

    /** Bytes of an incomplete frame (or response header) left from earlier reads: carry[0, carryLen). */
    byte[] carry;
    int carryLen;
    /** Bytes the carry must hold before the frame at its start is complete (0: unknown). */
    int carryNeed;

    /** A fragmented message being reassembled: frag[0, fragLen), of opcode fragOp (0: none). */
    byte[] frag;
    int fragLen;
    int fragOp;

    /** Bytes waiting to be written (in fill mode), or null. */
    ByteBuffer out;

    /**
     * @param index the connection's index
     * @param opening the open() it belongs to, or null
     */
    WsConnection(int index, WsOpening opening) {
        this.index = index;
        this.opening = opening;
    }

    /** Keeps {@code b[from, to)} as the carry (the carry is empty). */
    void keep(byte[] b, int from, int to) {
        int n = to - from;
        ensureCarry(Math.max(n, carryNeed));
        System.arraycopy(b, from, carry, 0, n);
        carryLen = n;
    }

    /** Appends the next {@code n} bytes of {@code src} to the carry. */
    void append(ByteBuffer src, int n) {
        ensureCarry(Math.max(carryLen + n, carryNeed));
        src.get(carry, carryLen, n);
        carryLen += n;
    }

    /** Drops the first {@code used} bytes of the carry. */
    void consume(int used) {
        int left = carryLen - used;
        if (left > 0 && used > 0) {
            System.arraycopy(carry, used, carry, 0, left);
        }
        carryLen = left;
        if (left == 0) {
            carryNeed = 0;
            if (carry.length > KEEP_BYTES) {
                carry = null;
            }
        } else if (carryNeed > carry.length) {
            ensureCarry(carryNeed);
        }
    }

    private void ensureCarry(int n) {
        if (carry == null || carry.length < n) {
            byte[] bigger = new byte[Math.max(1024, Integer.highestOneBit(Math.max(n, 1) - 1) << 1)];
            if (carryLen > 0) {
                System.arraycopy(carry, 0, bigger, 0, carryLen);
            }
            carry = bigger;
        }
    }

    /** Appends a fragment's payload to the message being reassembled. */
    void appendFragment(byte[] b, int from, int to) {
        int n = to - from;
        if (frag == null || frag.length < fragLen + n) {
            byte[] bigger = new byte[Math.max(1024, Integer.highestOneBit(fragLen + n - 1) << 1)];
            if (fragLen > 0) {
                System.arraycopy(frag, 0, bigger, 0, fragLen);
            }
            frag = bigger;
        }
        System.arraycopy(b, from, frag, fragLen, n);
        fragLen += n;
    }

    /** Forgets the reassembled message. */
    void clearFragments() {
        fragLen = 0;
        fragOp = 0;
        if (frag != null && frag.length > KEEP_BYTES) {
            frag = null;
        }
    }

    /** Drops every buffer (the connection is closed). */
    void release() {
        carry = null;
        carryLen = 0;
        carryNeed = 0;
        frag = null;
        fragLen = 0;
        out = null;
        handshakeKey = null;
    }
}
