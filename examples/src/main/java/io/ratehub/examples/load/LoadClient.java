package io.ratehub.examples.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The load tool's WebSocket client: thousands of plain {@code ws://} connections on one or two selector threads,
 * written on {@code java.nio} (RFC 6455 client handshake and frames), which accounts every live update it receives
 * without building Strings: how many, in how many frames, the gaps and reorderings in each connection's
 * {@code seq}, and the latency from the update's event {@code time} to its arrival.
 *
 * <p>Connections are numbered from 0 in the order {@link #open} creates them (across calls) and spread over the IO
 * threads round-robin. Each connection is assumed to subscribe to one channel: its opening messages typically
 * authenticate and subscribe; its {@code subscribed} frame sets its live baseline (the channel's head seq), the
 * {@code count} catch-up updates that follow are not counted, and every later update is.
 *
 * <pre>{@code
 * try (LoadClient client = new LoadClient(1)) {
 *     client.open(uri, 1000, i -> List.of(auth, subscribe(i % 10)), 200).get(60, TimeUnit.SECONDS);
 *     client.sample();                  // start an interval
 *     ...
 *     LoadSample s = client.sample();   // what arrived since
 * }
 * }</pre>
 *
 * <p>Thread-safe. Pings are answered with pongs, close frames are answered and their codes counted. On request
 * ({@link #startPinging}) every live connection also sends pings of its own, and the pongs that come back are
 * counted.
 */
public final class LoadClient implements AutoCloseable {
    /** Most IO threads. */
    public static final int MAX_IO_THREADS = 16;

    private final WsIoThread[] threads;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicInteger openCount = new AtomicInteger();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong pingsSent = new AtomicLong();
    private final AtomicLong pongs = new AtomicLong();
    private final ConcurrentHashMap<Integer, Integer> closes = new ConcurrentHashMap<>();
    private final List<WsOpening> openings = new CopyOnWriteArrayList<>();
    private volatile long connectNanos;
    private volatile boolean closed;
    private long lastSampleNanos = System.nanoTime(); // guarded by this

    /**
     * Starts the IO threads.
     *
     * @param ioThreads selector threads, 1 to {@link #MAX_IO_THREADS}
     * @throws IllegalArgumentException when {@code ioThreads} is out of range
     * @throws UncheckedIOException when a selector cannot be opened
     */
    public LoadClient(int ioThreads) {
        if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
            throw new IllegalArgumentException("ioThreads must be 1 to " + MAX_IO_THREADS + ", was " + ioThreads);
        }
        threads = new WsIoThread[ioThreads];
        try {
            for (int i = 0; i < ioThreads; i++) {
                threads[i] = new WsIoThread(this, i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        for (WsIoThread t : threads) {
            t.start();
        }
    }

    /**
     * Opens {@code count} connections to {@code uri}: each does the HTTP/1.1 upgrade (checking 101 and
     * Sec-WebSocket-Accept), sends its opening messages as masked text frames, and waits for its
     * {@code {"type":"subscribed",...}} frame. At most {@code maxConcurrentHandshakes} connections are in flight
     * (between TCP connect and {@code subscribed}) at once.
     *
     * <p>The future completes when every connection is subscribed (at once after the upgrade for a connection
     * without opening messages). It fails with an {@link IOException} naming the connection and what happened when a
     * connect, an upgrade or a subscription fails ({@code error} frame before {@code subscribed}), or when one of
     * these connections closes before the future completes; no further connection is started then, and those
     * already open stay open until {@link #close()}.
     *
     * @param uri {@code ws://host[:port]/path}
     * @param count connections to open, >= 0
     * @param openingMessages given the connection's index (counted across all opens of this client), the text
     *     messages it sends once upgraded, typically auth then subscribe; called on an IO thread
     * @param maxConcurrentHandshakes most connections in flight, >= 1
     * @return completed when all are subscribed
     * @throws IllegalArgumentException for a URI other than {@code ws://} or a bad count
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<Void> open(URI uri, int count, IntFunction<List<String>> openingMessages,
            int maxConcurrentHandshakes) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (uri == null || uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("ws")
                || uri.getHost() == null) {
            throw new IllegalArgumentException("need a ws://host[:port]/path URI, got " + uri);
        }
        if (count < 0 || maxConcurrentHandshakes < 1 || openingMessages == null) {
            throw new IllegalArgumentException("count must be >= 0 and maxConcurrentHandshakes >= 1, got " + count
                    + " and " + maxConcurrentHandshakes);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
        if (count == 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (address.isUnresolved()) {
            return CompletableFuture.failedFuture(new IOException("cannot resolve " + uri.getHost()));
        }
        int first = nextIndex.getAndAdd(count);
        WsOpening o = new WsOpening(this, address, uri.getHost() + ":" + port, path, count, first, openingMessages);
        openings.add(o);
        o.future.whenComplete((v, e) -> openings.remove(o));
        if (closed) {
            o.fail("the load client was closed");
        }
        for (int i = Math.min(count, maxConcurrentHandshakes); i > 0; i--) {
            o.launchNext();
        }
        return o.future;
    }

    /** Starts connection {@code index} of {@code o} on its IO thread. */
    void launch(WsOpening o, int index) {
        WsIoThread t = threads[index % threads.length];
        t.execute(() -> t.connect(o, index));
    }

    /** An open() finished: all subscribed after {@code nanos}. */
    void openedIn(long nanos) {
        connectNanos = nanos;
    }

    /** A connection completed its upgrade. */
    void connectionOpened() {
        openCount.incrementAndGet();
    }

    /** An upgraded connection closed. */
    void connectionClosed() {
        openCount.decrementAndGet();
    }

    /** A ping was answered. */
    void pingAnswered() {
        pings.incrementAndGet();
    }

    /** The server's pings answered so far (for tests and the bench). */
    long pingsAnswered() {
        return pings.get();
    }

    /** A ping of this client's was written (or queued). */
    void pingSent() {
        pingsSent.incrementAndGet();
    }

    /** A pong arrived. */
    void pongReceived() {
        pongs.incrementAndGet();
    }

    /** Pings this client sent so far ({@link #startPinging}), over all connections. */
    public long pingsSent() {
        return pingsSent.get();
    }

    /** Pong frames received so far, over all connections (answers to {@link #startPinging}'s pings, or unsolicited). */
    public long pongsReceived() {
        return pongs.get();
    }

    /**
     * Makes every live, reading connection send a masked ping frame (8 bytes of payload) once per {@code period},
     * as a client keeping a liveness bound would, until {@link #stopPinging()}. The pings are spread evenly over the
     * period, each IO thread's connections in turn, never all at once; they are written on the IO threads like every
     * other frame. Waits until every IO thread has applied it; do not call it from an IO thread.
     *
     * @param period each connection's interval between pings, at least 1 ms
     * @throws IllegalArgumentException for a period under 1 ms
     * @throws IllegalStateException when an IO thread did not apply it within 10 seconds
     */
    public void startPinging(Duration period) {
        if (period.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("period must be at least 1 ms, was " + period);
        }
        long nanos = period.toNanos();
        onEveryThread("startPinging", t -> t.startPinging(nanos));
    }

    /**
     * Stops the pings {@link #startPinging} started (no-op when none). Waits until every IO thread has applied it:
     * no ping is sent after it returns.
     *
     * @throws IllegalStateException when an IO thread did not apply it within 10 seconds
     */
    public void stopPinging() {
        onEveryThread("stopPinging", WsIoThread::stopPinging);
    }

    /** A close with {@code code} was seen (received, or abnormal). */
    void recordClose(int code) {
        closes.merge(code, 1, Integer::sum);
    }

    /**
     * The figures since the previous call (or since the client started), then starts a new interval. Cheap: each IO
     * thread swaps its counters and histogram for a spare set, without stopping.
     *
     * @return the interval's counters, a latency histogram of its own, and its length
     */
    public synchronized LoadSample sample() {
        WsTally sum = new WsTally();
        for (WsIoThread t : threads) {
            t.drainInto(sum);
        }
        long now = System.nanoTime();
        long nanos = now - lastSampleNanos;
        lastSampleNanos = now;
        return new LoadSample(sum.updates, sum.frames, sum.lost, sum.outOfOrder, sum.bytes, sum.latency, nanos);
    }

    /**
     * Makes connections {@code 0..k-1} (those created so far) stop reading their sockets entirely, as slow
     * consumers: nothing they would receive is counted from when this returns (they no longer answer pings
     * either). Waits until every IO thread has applied it; do not call it from an IO thread (an
     * {@code openingMessages} function).
     *
     * @param k how many of the first connections stop
     * @throws IllegalStateException when an IO thread did not apply it within 10 seconds
     */
    public void stopReading(int k) {
        onEveryThread("stopReading", t -> t.stopReading(k));
    }

    /** Runs {@code task} on every IO thread and waits up to 10 s for all of them (nothing after close). */
    private void onEveryThread(String what, Consumer<WsIoThread> task) {
        if (closed) {
            return;
        }
        CompletableFuture<?>[] done = new CompletableFuture<?>[threads.length];
        for (int i = 0; i < threads.length; i++) {
            WsIoThread t = threads[i];
            if (t.isCurrent()) {
                throw new IllegalStateException(what + " called on an IO thread");
            }
            done[i] = t.submit(() -> task.accept(t));
        }
        try {
            CompletableFuture.allOf(done).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(what + " not applied", e);
        }
    }

    /** Connections whose upgrade succeeded and that are not closed. */
    public int openConnections() {
        return openCount.get();
    }

    /**
     * Closes seen so far, code to count: close frames received (their code, 1005 without one), 1006 for
     * connections that ended without a close frame, and the codes this client closed with on a protocol error.
     * Closes done by {@link #close()} are not counted.
     *
     * @return a sorted snapshot
     */
    public Map<Integer, Integer> closeCodes() {
        return Collections.unmodifiableMap(new TreeMap<>(closes));
    }

    /** Wall time of the last successful {@link #open} from its first connect to all subscribed, in ns (0 before). */
    public long connectNanos() {
        return connectNanos;
    }

    /**
     * Closes every connection (with a close frame 1000 where the socket takes it) and stops the IO threads; fails
     * opens still in progress. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (WsIoThread t : threads) {
            t.shutdown();
        }
        try {
            for (WsIoThread t : threads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (WsOpening o : openings) {
            o.fail("the load client was closed");
        }
    }
}
