package io.ratehub.examples.load;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.net.StandardSocketOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.HdrHistogram.WriterReaderPhaser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread of a {@link LoadClient}: it owns a share of the connections, reads them through one direct
 * buffer, parses frames in place and accounts updates into its own {@link WsTally}.
 *
 * <p><b>Reading.</b> Each readable socket gets one read of up to {@value #READ_BUFFER_BYTES} bytes into the direct
 * buffer, which is copied into a heap array and parsed there; complete frames are scanned where they lie. Only the
 * bytes of an incomplete frame at the end are copied into the connection's carry buffer, and the next read is
 * appended to them (and parsed only once the frame is complete).
 *
 * <p><b>Sampling.</b> The counters are plain fields of the active tally, written only by this thread inside a
 * {@link WriterReaderPhaser} writer critical section (entered once per select round, not per update);
 * {@link #drainInto} swaps in the spare tally, flips the phase (waiting for a round in progress to end) and reads
 * the old one at leisure: no lock and no atomic write per update.
 *
 * <p><b>Client pings.</b> After {@link #startPinging}, every live connection of this thread sends a masked ping
 * frame once per period, the connections' pings spread evenly over the period (the thread wakes at least every
 * millisecond and sends the pings that fell due since, in connection order); {@link #stopPinging} ends it.
 *
 * <p>Other threads talk to it only through {@link #execute}, {@link #drainInto} and {@link #shutdown}.
 */
final class WsIoThread implements Runnable {
    /** Size of the per-thread read buffer. */
    static final int READ_BUFFER_BYTES = 256 * 1024;
    /** Largest message accepted from a server; larger closes the connection with 1009. */
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    /** Largest upgrade response header. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(WsIoThread.class);
    private static final VarHandle BIG_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.BIG_ENDIAN);

    private final LoadClient client;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile WsTally active = new WsTally();
    private WsTally spare = new WsTally(); // guarded by the phaser's reader lock
    private volatile boolean running = true;

    // Owned by the IO thread.
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final byte[] work = new byte[READ_BUFFER_BYTES];
    private final ByteBuffer control = ByteBuffer.allocate(WsFrames.frameSize(125));
    private final UpdateScanner scanner = new UpdateScanner();
    private final List<WsConnection> connections = new ArrayList<>();
    private final Clock clock = Clock.systemUTC();
    private final Consumer<SelectionKey> onKey = this::onKey;
    private WsTally tally;
    private long criticalToken;
    private boolean inCritical;
    private long nowMicros;
    private long pingPeriodNanos; // 0: not pinging
    private long pingStartNanos;
    private long pingSlots; // ping slots passed since pingStartNanos, one per connection per period
    private final byte[] pingPayload = new byte[8];

    /**
     * @param client the owner, told about opened and closed connections
     * @param number the thread's number, for its name
     * @throws IOException when no selector can be opened
     */
    WsIoThread(LoadClient client, int number) throws IOException {
        this.client = client;
        this.selector = Selector.open();
        this.thread = new Thread(this, "ratehub-load-io-" + number);
        this.thread.setDaemon(true);
    }

    /** Starts the thread. */
    void start() {
        thread.start();
    }

    /** Runs {@code task} on this thread soon. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Asks the thread to close its connections and end. */
    void shutdown() {
        execute(() -> running = false);
    }

    /** Waits up to {@code millis} for the thread to end. */
    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    /** Whether the calling thread is this IO thread. */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (pingPeriodNanos > 0) {
                    selector.select(onKey, 1);
                } else {
                    selector.select(onKey);
                }
                leave();
                runTasks();
                if (pingPeriodNanos > 0) {
                    sendDuePings();
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.warn("load client IO thread failed", e);
        } finally {
            leave();
            closeAll();
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("load client task failed", e);
            }
        }
    }

    private void enter() {
        if (!inCritical) {
            criticalToken = phaser.writerCriticalSectionEnter();
            tally = active;
            inCritical = true;
        }
    }

    private void leave() {
        if (inCritical) {
            inCritical = false;
            tally = null;
            phaser.writerCriticalSectionExit(criticalToken);
        }
    }

    /** Adds the figures since the previous call into {@code into}; any thread (one at a time). */
    void drainInto(WsTally into) {
        phaser.readerLock();
        try {
            WsTally old = active;
            active = spare;
            phaser.flipPhase(500_000L);
            old.addTo(into);
            old.reset();
            spare = old;
        } finally {
            phaser.readerUnlock();
        }
    }

    // ---------------------------------------------------------------- tasks

    /** Opens connection {@code index} of {@code opening} (on this thread). */
    void connect(WsOpening opening, int index) {
        WsConnection c = new WsConnection(index, opening);
        if (!running || opening.future.isDone()) {
            return;
        }
        try {
            SocketChannel ch = SocketChannel.open();
            c.channel = ch;
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connections.add(c);
            c.state = WsConnection.CONNECTING;
            boolean connected = ch.connect(opening.address);
            c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
            if (connected) {
                onConnectable(c);
            }
        } catch (IOException | RuntimeException e) {
            failOpening(c, "connect to " + opening.address + " failed: " + e);
        }
    }

    /** Stops reading connections with an index below {@code k} (on this thread). */
    void stopReading(int k) {
        for (WsConnection c : connections) {
            if (c.index < k && c.reading) {
                c.reading = false;
                c.carry = null;
                c.carryLen = 0;
                c.carryNeed = 0;
                c.clearFragments();
                c.frag = null;
                updateInterest(c);
            }
        }
    }

    /** Starts pinging every live connection once per {@code periodNanos}, spread evenly (on this thread). */
    void startPinging(long periodNanos) {
        pingPeriodNanos = periodNanos;
        pingStartNanos = System.nanoTime();
        pingSlots = 0;
    }

    /** Stops pinging (on this thread). */
    void stopPinging() {
        pingPeriodNanos = 0;
    }

    /**
     * Sends the pings due by now: the n connections of this thread take slots in turn, slot k falls due at
     * {@code start + k * period / n}. A connection that is not live or not reading lets its slot pass. The payload is
     * the send time ({@link System#nanoTime()}, 8 bytes).
     */
    private void sendDuePings() {
        int n = connections.size();
        if (n == 0) {
            return;
        }
        long now = System.nanoTime();
        long due = (now - pingStartNanos) / pingPeriodNanos * n
                + (now - pingStartNanos) % pingPeriodNanos * n / pingPeriodNanos + 1;
        for (; pingSlots < due; pingSlots++) {
            WsConnection c = connections.get((int) (pingSlots % n));
            if (c.state != WsConnection.LIVE || !c.reading) {
                continue;
            }
            BIG_LONGS.set(pingPayload, 0, now);
            control.clear();
            WsFrames.putFrame(control, WsFrames.OP_PING, pingPayload, 0, pingPayload.length);
            send(c, control.flip());
            client.pingSent();
        }
    }

    // ---------------------------------------------------------------- events

    private void onKey(SelectionKey key) {
        WsConnection c = (WsConnection) key.attachment();
        enter();
        try {
            if (!key.isValid() || c.state == WsConnection.CLOSED) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                onConnectable(c);
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                onWritable(c);
            }
            if ((ready & SelectionKey.OP_READ) != 0 && c.reading && c.state != WsConnection.CLOSED) {
                onReadable(c);
            }
        } catch (RuntimeException e) {
            LOG.warn("connection {}: unexpected failure", c.index, e);
            abnormal(c, e.toString());
        }
    }

    private void onConnectable(WsConnection c) {
        try {
            if (!c.channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            failOpening(c, "connect to " + c.opening.address + " failed: " + e.getMessage());
            return;
        }
        c.state = WsConnection.HANDSHAKING;
        c.handshakeKey = WsFrames.newKey();
        updateInterest(c);
        send(c, ByteBuffer.wrap(WsFrames.upgradeRequest(c.opening.hostHeader, c.opening.path, c.handshakeKey)));
    }

    private void onWritable(WsConnection c) {
        ByteBuffer out = c.out;
        if (out != null) {
            out.flip();
            try {
                c.channel.write(out);
            } catch (IOException e) {
                abnormal(c, "write failed: " + e.getMessage());
                return;
            }
            out.compact();
            if (out.position() == 0) {
                c.out = null;
            }
        }
        updateInterest(c);
    }

    private void onReadable(WsConnection c) {
        ByteBuffer rb = readBuffer;
        rb.clear();
        int n;
        try {
            n = c.channel.read(rb);
        } catch (IOException e) {
            abnormal(c, "read failed: " + e.getMessage());
            return;
        }
        if (n <= 0) {
            if (n < 0) {
                abnormal(c, "end of stream");
            }
            return;
        }
        tally.bytes += n;
        Instant now = clock.instant();
        nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        rb.flip();
        if (c.carryLen == 0) {
            rb.get(work, 0, n);
            int used = process(c, work, 0, n);
            if (used >= 0 && used < n) {
                c.keep(work, used, n);
            }
        } else {
            c.append(rb, n);
            if (c.carryLen >= c.carryNeed) {
                int used = process(c, c.carry, 0, c.carryLen);
                if (used >= 0) {
                    c.consume(used);
                }
            }
        }
    }

    /**
     * Consumes what it can of {@code b[off, end)}, the next bytes of {@code c}'s stream.
     *
     * @return the index of the first byte not consumed (the start of an incomplete frame), or -1 when {@code c} was
     *     closed meanwhile
     */
    private int process(WsConnection c, byte[] b, int off, int end) {
        int p = off;
        if (c.state == WsConnection.HANDSHAKING) {
            int h = WsFrames.headerEnd(b, p, end);
            if (h < 0) {
                if (end - p > MAX_HEADER_BYTES) {
                    failOpening(c, "no complete upgrade response within " + MAX_HEADER_BYTES + " bytes");
                    return -1;
                }
                return p;
            }
            String problem = WsFrames.checkUpgradeResponse(new String(b, p, h - p, StandardCharsets.ISO_8859_1),
                    c.handshakeKey);
            if (problem != null) {
                failOpening(c, problem);
                return -1;
            }
            upgraded(c);
            if (c.state == WsConnection.CLOSED) {
                return -1;
            }
            p = h;
        }
        return frames(c, b, p, end);
    }

    private void upgraded(WsConnection c) {
        c.handshakeKey = null;
        List<String> messages;
        try {
            messages = c.opening.messages.apply(c.index);
        } catch (RuntimeException e) {
            failOpening(c, "opening messages failed: " + e);
            return;
        }
        client.connectionOpened();
        if (messages == null || messages.isEmpty()) {
            c.state = WsConnection.LIVE;
            c.opening.onSubscribed(c);
            return;
        }
        c.state = WsConnection.SUBSCRIBING;
        List<byte[]> payloads = new ArrayList<>(messages.size());
        int size = 0;
        for (String m : messages) {
            byte[] p = m.getBytes(StandardCharsets.UTF_8);
            payloads.add(p);
            size += WsFrames.frameSize(p.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (byte[] p : payloads) {
            WsFrames.putFrame(buf, WsFrames.OP_TEXT, p, 0, p.length);
        }
        send(c, buf.flip());
    }

    private int frames(WsConnection c, byte[] b, int off, int end) {
        int p = off;
        while (true) {
            int avail = end - p;
            if (avail < 2) {
                c.carryNeed = 0;
                return p;
            }
            int b0 = b[p] & 0xFF;
            int b1 = b[p + 1] & 0xFF;
            if ((b0 & 0x70) != 0) {
                protocolError(c, "reserved bits set in a server frame");
                return -1;
            }
            if ((b1 & 0x80) != 0) {
                protocolError(c, "masked server frame");
                return -1;
            }
            int hdr;
            long len = b1 & 0x7F;
            if (len == 126) {
                if (avail < 4) {
                    c.carryNeed = 0;
                    return p;
                }
                len = (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
                hdr = 4;
            } else if (len == 127) {
                if (avail < 10) {
                    c.carryNeed = 0;
                    return p;
                }
                len = (long) BIG_LONGS.get(b, p + 2);
                hdr = 10;
            } else {
                hdr = 2;
            }
            if (len < 0 || len > MAX_MESSAGE_BYTES) {
                closeWith(c, WsFrames.CLOSE_TOO_BIG, "server frame of " + len + " bytes");
                return -1;
            }
            int total = hdr + (int) len;
            if (avail < total) {
                c.carryNeed = total;
                return p;
            }
            int s = p + hdr;
            int e = p + total;
            p = e;
            boolean fin = (b0 & 0x80) != 0;
            int op = b0 & 0x0F;
            switch (op) {
                case WsFrames.OP_TEXT, WsFrames.OP_BINARY -> {
                    if (c.fragOp != 0) {
                        protocolError(c, "new message inside a fragmented one");
                        return -1;
                    }
                    if (fin) {
                        if (op == WsFrames.OP_TEXT) {
                            onText(c, b, s, e);
                        }
                    } else {
                        c.fragOp = op;
                        c.appendFragment(b, s, e);
                    }
                }
                case WsFrames.OP_CONTINUATION -> {
                    if (c.fragOp == 0) {
                        protocolError(c, "continuation frame without a message");
                        return -1;
                    }
                    if ((long) c.fragLen + len > MAX_MESSAGE_BYTES) {
                        closeWith(c, WsFrames.CLOSE_TOO_BIG, "server message over " + MAX_MESSAGE_BYTES + " bytes");
                        return -1;
                    }
                    c.appendFragment(b, s, e);
                    if (fin) {
                        if (c.fragOp == WsFrames.OP_TEXT) {
                            onText(c, c.frag, 0, c.fragLen);
                        }
                        c.clearFragments();
                    }
                }
                case WsFrames.OP_PING -> {
                    if (!fin || len > 125) {
                        protocolError(c, "bad ping frame");
                        return -1;
                    }
                    control.clear();
                    WsFrames.putFrame(control, WsFrames.OP_PONG, b, s, (int) len);
                    send(c, control.flip());
                    client.pingAnswered();
                }
                case WsFrames.OP_PONG -> client.pongReceived();
                case WsFrames.OP_CLOSE -> {
                    if (!fin || len > 125 || len == 1) {
                        protocolError(c, "bad close frame");
                        return -1;
                    }
                    int code = len >= 2 ? (b[s] & 0xFF) << 8 | (b[s + 1] & 0xFF) : WsFrames.CLOSE_NO_STATUS;
                    String reason = len > 2 ? new String(b, s + 2, (int) len - 2, StandardCharsets.UTF_8) : "";
                    onCloseFrame(c, code, reason);
                    return -1;
                }
                default -> {
                    protocolError(c, "unknown opcode " + op);
                    return -1;
                }
            }
            if (c.state == WsConnection.CLOSED) {
                return -1;
            }
        }
    }

    private void onText(WsConnection c, byte[] b, int s, int e) {
        int state = c.state;
        if (state == WsConnection.LIVE) {
            int type = UpdateScanner.frameType(b, s, e);
            if (type == UpdateScanner.UPDATE || type == UpdateScanner.BATCH) {
                scanner.scanUpdates(b, s, e, c, tally, nowMicros);
            }
            return;
        }
        if (state != WsConnection.SUBSCRIBING) {
            return;
        }
        int type = UpdateScanner.frameType(b, s, e);
        if (type == UpdateScanner.SUBSCRIBED) {
            long seq = UpdateScanner.seqField(b, s, e);
            long count = UpdateScanner.countField(b, s, e);
            c.lastSeq = seq >= 0 ? seq : UpdateScanner.NO_SEQ;
            c.snapshotLeft = Math.max(0, count);
            c.state = WsConnection.LIVE;
            c.opening.onSubscribed(c);
        } else if (type == UpdateScanner.ERROR) {
            c.opening.fail(c.index, "error before subscribed: " + new String(b, s, e - s, StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------- writing and closing

    /** Writes {@code src} now, or queues what the socket does not take. */
    private void send(WsConnection c, ByteBuffer src) {
        if (c.state == WsConnection.CLOSED) {
            return;
        }
        if (c.out == null) {
            try {
                c.channel.write(src);
            } catch (IOException e) {
                abnormal(c, "write failed: " + e.getMessage());
                return;
            }
            if (!src.hasRemaining()) {
                return;
            }
            c.out = ByteBuffer.allocate(Math.max(1024, src.remaining()));
            c.out.put(src);
            updateInterest(c);
        } else {
            if (c.out.remaining() < src.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(c.out.capacity() * 2,
                        c.out.position() + src.remaining()));
                c.out.flip();
                bigger.put(c.out);
                c.out = bigger;
            }
            c.out.put(src);
        }
    }

    private void updateInterest(WsConnection c) {
        SelectionKey key = c.key;
        if (key == null || !key.isValid()) {
            return;
        }
        int ops;
        if (c.state == WsConnection.CONNECTING) {
            ops = SelectionKey.OP_CONNECT;
        } else {
            ops = (c.reading ? SelectionKey.OP_READ : 0) | (c.out != null ? SelectionKey.OP_WRITE : 0);
        }
        key.interestOps(ops);
    }

    private void onCloseFrame(WsConnection c, int code, String reason) {
        client.recordClose(code);
        int echo = code == WsFrames.CLOSE_NO_STATUS ? WsFrames.CLOSE_NORMAL : code;
        send(c, WsFrames.closeFrame(echo));
        close(c, "closed by the server with " + code + (reason.isEmpty() ? "" : " (" + reason + ")"));
    }

    private void protocolError(WsConnection c, String why) {
        closeWith(c, WsFrames.CLOSE_PROTOCOL_ERROR, why);
    }

    private void closeWith(WsConnection c, int code, String why) {
        LOG.debug("connection {}: closing with {}: {}", c.index, code, why);
        client.recordClose(code);
        send(c, WsFrames.closeFrame(code));
        close(c, "closed with " + code + ": " + why);
    }

    private void abnormal(WsConnection c, String why) {
        if (c.state == WsConnection.CLOSED) {
            return;
        }
        if (c.state >= WsConnection.SUBSCRIBING) {
            client.recordClose(WsFrames.CLOSE_ABNORMAL);
        }
        close(c, "closed without a close frame (1006): " + why);
    }

    private void failOpening(WsConnection c, String why) {
        close(c, why);
    }

    /** Closes the socket; fails the connection's open() if it is not done. */
    private void close(WsConnection c, String why) {
        if (c.state == WsConnection.CLOSED) {
            return;
        }
        boolean wasOpen = c.state >= WsConnection.SUBSCRIBING;
        c.state = WsConnection.CLOSED;
        if (wasOpen) {
            client.connectionClosed();
        }
        if (c.key != null) {
            c.key.cancel();
        }
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (IOException e) {
                LOG.debug("connection {}: close failed", c.index, e);
            }
        }
        c.release();
        WsOpening o = c.opening;
        if (o != null && !o.future.isDone()) {
            o.fail(c.index, why);
        }
    }

    private void closeAll() {
        for (WsConnection c : connections) {
            if (c.state == WsConnection.CLOSED) {
                continue;
            }
            if (c.state >= WsConnection.SUBSCRIBING && c.out == null) {
                try {
                    c.channel.write(WsFrames.closeFrame(WsFrames.CLOSE_NORMAL));
                } catch (IOException e) {
                    LOG.debug("connection {}: close frame not sent", c.index, e);
                }
            }
            close(c, "the load client was closed");
        }
        connections.clear();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("selector close failed", e);
        }
    }

    /** Runs {@code task} on this thread and returns a future of its end. */
    CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
