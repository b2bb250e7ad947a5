package io.ratehub.examples.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Reads the server's text frames straight from their UTF-8 bytes, without building Strings or JSON trees: the frame
 * type, the {@code seq} of every update (one update frame or each update of a {@code batch}) and the event
 * {@code time} that follows it, which gives the update's latency.
 *
 * <p>It relies on the servers' fixed layout: a frame starts with {@code {"type":"...",}, an update carries exactly one
 * {@code "seq":} and, after it, its event's {@code "time":"..."} (a UTC instant with 0 to 9 fractional digits).
 * Keys are found by looking for their rare letter ({@code q} of {@code seq}, {@code m} of {@code time}) eight bytes
 * at a time.
 *
 * <p>One instance per IO thread (it caches the epoch second of the last date seen); not thread-safe.
 */
final class UpdateScanner {
    /** A frame of another type (welcome, pong, reply, unsubscribed...), or not a JSON object with a leading type. */
    static final int OTHER = 0;
    /** {@code {"type":"update",...}}. */
    static final int UPDATE = 1;
    /** {@code {"type":"batch",...}}. */
    static final int BATCH = 2;
    /** {@code {"type":"subscribed",...}}. */
    static final int SUBSCRIBED = 3;
    /** {@code {"type":"error",...}}. */
    static final int ERROR = 4;

    /** A connection's last live seq before it has a baseline. */
    static final long NO_SEQ = Long.MIN_VALUE;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QS = ONES * 'q';
    private static final long MS = ONES * 'm';
    private static final byte[] TYPE_PREFIX = ascii("{\"type\":\"");
    private static final byte[] T_UPDATE = ascii("update\"");
    private static final byte[] T_BATCH = ascii("batch\"");
    private static final byte[] T_SUBSCRIBED = ascii("subscribed\"");
    private static final byte[] T_ERROR = ascii("error\"");
    private static final byte[] K_SEQ = ascii("\"seq\":");
    private static final byte[] K_COUNT = ascii("\"count\":");
    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L, 1_000_000_000L};

    // The date prefix (YYYY-MM-DD) last parsed, as its first 8 bytes and last 2, and its epoch second.
    private long dateHead = -1;
    private int dateTail = -1;
    private long dateSeconds;

    /** A scanner with an empty date cache. */
    UpdateScanner() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The type of the frame in {@code b[off, end)}: {@link #UPDATE}, {@link #BATCH}, ... or {@link #OTHER}. */
    static int frameType(byte[] b, int off, int end) {
        if (!startsWith(b, off, end, TYPE_PREFIX)) {
            return OTHER;
        }
        int p = off + TYPE_PREFIX.length;
        if (startsWith(b, p, end, T_UPDATE)) {
            return UPDATE;
        }
        if (startsWith(b, p, end, T_BATCH)) {
            return BATCH;
        }
        if (startsWith(b, p, end, T_SUBSCRIBED)) {
            return SUBSCRIBED;
        }
        if (startsWith(b, p, end, T_ERROR)) {
            return ERROR;
        }
        return OTHER;
    }

    private static boolean startsWith(byte[] b, int off, int end, byte[] prefix) {
        if (end - off < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The non-negative integer after the first {@code "seq":} of a frame (a {@code subscribed} frame's head seq).
     *
     * @return the value, or -1 when absent
     */
    static long seqField(byte[] b, int off, int end) {
        return longField(b, off, end, K_SEQ);
    }

    /**
     * The non-negative integer after the first {@code "count":} of a frame (a {@code subscribed} frame's catch-up
     * count).
     *
     * @return the value, or -1 when absent
     */
    static long countField(byte[] b, int off, int end) {
        return longField(b, off, end, K_COUNT);
    }

    private static long longField(byte[] b, int off, int end, byte[] key) {
        int last = end - key.length;
        outer:
        for (int i = off; i <= last; i++) {
            for (int k = 0; k < key.length; k++) {
                if (b[i + k] != key[k]) {
                    continue outer;
                }
            }
            return digits(b, i + key.length, end);
        }
        return -1;
    }

    private static long digits(byte[] b, int p, int end) {
        long v = 0;
        int start = p;
        while (p < end) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
            p++;
        }
        return p == start ? -1 : v;
    }

    /**
     * Accounts every update of an {@code update} or {@code batch} frame to connection {@code c}: up to
     * {@code c.snapshotLeft} updates with a seq not above the head ({@code c.lastSeq}) are catch-up and only counted
     * down (the first one above the head ends the catch-up); each live one is counted in {@code t}, checked
     * against {@code c.lastSeq} (gap: {@code lost}; not above it: {@code outOfOrder}) and its latency
     * {@code nowMicros - time} recorded. A frame with at least one live update counts as one frame.
     *
     * @param nowMicros the receive time, in microseconds since the epoch
     * @return the live updates found
     */
    int scanUpdates(byte[] b, int off, int end, WsConnection c, WsTally t, long nowMicros) {
        int live = 0;
        boolean haveSeq = false;
        long seq = 0;
        // Between one update's time and the next one's seq lies the next update's fixed prefix
        // ("}},{"type":"update","channel":"...","epoch":"...",), the same for every update of the frame: once
        // its length is known, the next seq is checked for there instead of searched for.
        int gap = -1;
        int k = findKey(b, off, end);
        while (k >= 0) {
            if (b[k + 1] == 's') { // "seq":
                if (haveSeq) {
                    live += account(c, t, seq, -1, nowMicros); // the previous update had no time
                }
                int p = k + 6;
                long v = 0;
                while (p < end) {
                    int d = b[p] - '0';
                    if (d < 0 || d > 9) {
                        break;
                    }
                    v = v * 10 + d;
                    p++;
                }
                haveSeq = p > k + 6;
                seq = v;
                k = findKey(b, p, end);
            } else { // "time":"
                int p = k + 8;
                if (haveSeq) {
                    live += account(c, t, seq, parseMicros(b, p, end), nowMicros);
                    haveSeq = false;
                }
                int q = p;
                while (q < end && b[q] != '"') {
                    q++;
                }
                if (gap > 0 && isNextSeq(b, q, q + gap, end)) {
                    k = q + gap;
                } else {
                    k = findKey(b, Math.min(q + 1, end), end);
                    if (k >= 0 && b[k + 1] == 's' && isNextSeq(b, q, k, end)) {
                        gap = k - q;
                    }
                }
            }
        }
        if (haveSeq) {
            live += account(c, t, seq, -1, nowMicros);
        }
        if (live > 0) {
            t.frames++;
        }
        return live;
    }

    /** Whether {@code b[q]} ends a time string that ends its update, and the next update's seq key is at {@code k}. */
    private static boolean isNextSeq(byte[] b, int q, int k, int end) {
        return k + 6 <= end && q + 4 < k
                && b[q + 1] == '}' && b[q + 2] == '}' && b[q + 3] == ',' && b[q + 4] == '{'
                && b[k] == '"' && b[k + 1] == 's' && b[k + 2] == 'e' && b[k + 3] == 'q' && b[k + 4] == '"'
                && b[k + 5] == ':';
    }

    private static int account(WsConnection c, WsTally t, long seq, long eventMicros, long nowMicros) {
        if (c.snapshotLeft > 0) {
            // Catch-up updates have seq <= the head seq of subscribed (still lastSeq). A later one means the rest
            // of the catch-up was conflated away by a newer value of its key (the server's queue does that).
            if (seq <= c.lastSeq) {
                c.snapshotLeft--;
                return 0;
            }
            c.snapshotLeft = 0;
        }
        t.updates++;
        long last = c.lastSeq;
        if (seq > last) {
            if (last != NO_SEQ && seq != last + 1) {
                t.lost += seq - last - 1;
            }
            c.lastSeq = seq;
        } else {
            t.outOfOrder++;
        }
        if (eventMicros >= 0) {
            t.record(nowMicros - eventMicros);
        }
        return 1;
    }

    /** The index of the opening quote of the first {@code "seq":} or {@code "time":"} in {@code b[from, end)}, or -1. */
    static int findKey(byte[] b, int from, int end) {
        int i = from;
        while (true) {
            int m = indexOfQorM(b, i, end);
            if (m < 0) {
                return -1;
            }
            if (m - 3 >= from && b[m - 3] == '"') {
                if (b[m] == 'q') {
                    if (m + 2 < end && b[m - 2] == 's' && b[m - 1] == 'e' && b[m + 1] == '"' && b[m + 2] == ':') {
                        return m - 3;
                    }
                } else if (m + 4 < end && b[m - 2] == 't' && b[m - 1] == 'i' && b[m + 1] == 'e'
                        && b[m + 2] == '"' && b[m + 3] == ':' && b[m + 4] == '"') {
                    return m - 3;
                }
            }
            i = m + 1;
        }
    }

    /** The index of the first {@code q} or {@code m} in {@code b[from, end)}, or -1; sixteen bytes per step. */
    static int indexOfQorM(byte[] b, int from, int end) {
        int i = from;
        for (; i + 16 <= end; i += 16) {
            long w = (long) LONGS.get(b, i);
            long v = (long) LONGS.get(b, i + 8);
            long hw = hits(w);
            long hv = hits(v);
            if ((hw | hv) != 0) {
                return hw != 0 ? i + (Long.numberOfTrailingZeros(hw) >>> 3)
                        : i + 8 + (Long.numberOfTrailingZeros(hv) >>> 3);
            }
        }
        for (; i < end; i++) {
            byte c = b[i];
            if (c == 'q' || c == 'm') {
                return i;
            }
        }
        return -1;
    }

    /** The high bit of each byte of {@code w} that is a q or an m; exact for the lowest such byte. */
    private static long hits(long w) {
        long x = w ^ QS;
        long y = w ^ MS;
        return (((x - ONES) & ~x) | ((y - ONES) & ~y)) & HIGHS;
    }

    /**
     * Parses the UTC instant {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z} starting at {@code p} (up to {@code end}).
     *
     * @return microseconds since the epoch (the fraction truncated), or -1 when it is not such an instant
     */
    long parseMicros(byte[] b, int p, int end) {
        if (end - p < 20) {
            return -1;
        }
        long head = (long) LONGS.get(b, p);
        int tail = (b[p + 8] & 0xFF) << 8 | (b[p + 9] & 0xFF);
        if (head != dateHead || tail != dateTail) {
            long s = dateSeconds(b, p);
            if (s == Long.MIN_VALUE) {
                return -1;
            }
            dateHead = head;
            dateTail = tail;
            dateSeconds = s;
        }
        if (b[p + 10] != 'T' || b[p + 13] != ':' || b[p + 16] != ':') {
            return -1;
        }
        int hh = twoDigits(b, p + 11);
        int mm = twoDigits(b, p + 14);
        int ss = twoDigits(b, p + 17);
        if ((hh | mm | ss) < 0 || hh > 23 || mm > 59 || ss > 59) {
            return -1;
        }
        int q = p + 19;
        long frac = 0;
        int n = 0;
        if (b[q] == '.') {
            q++;
            while (q < end && n <= 9) {
                int d = b[q] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                frac = frac * 10 + d;
                n++;
                q++;
            }
            if (n == 0 || n > 9) {
                return -1;
            }
        }
        if (q >= end || b[q] != 'Z') {
            return -1;
        }
        long nanos = frac * POW10[9 - n];
        return (dateSeconds + hh * 3600L + mm * 60L + ss) * 1_000_000L + nanos / 1_000L;
    }

    private static int twoDigits(byte[] b, int p) {
        int a = b[p] - '0';
        int c = b[p + 1] - '0';
        if (a < 0 || a > 9 || c < 0 || c > 9) {
            return -1;
        }
        return a * 10 + c;
    }

    private static long dateSeconds(byte[] b, int p) {
        if (b[p + 4] != '-' || b[p + 7] != '-') {
            return Long.MIN_VALUE;
        }
        int y1 = twoDigits(b, p);
        int y2 = twoDigits(b, p + 2);
        int mo = twoDigits(b, p + 5);
        int d = twoDigits(b, p + 8);
        if ((y1 | y2 | mo | d) < 0) {
            return Long.MIN_VALUE;
        }
        try {
            return LocalDate.of(y1 * 100 + y2, mo, d).toEpochDay() * 86_400L;
        } catch (DateTimeException e) {
            return Long.MIN_VALUE;
        }
    }
}
