package io.ratehub.examples.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One {@link LoadClient#open} call: where to connect, what to send, how many connections are still to start, and
 * the future completed when all are subscribed. A connection is "in flight" from its TCP connect until its
 * {@code subscribed} frame; each one that gets there starts the next, so at most {@code maxInFlight} are in flight.
 *
 * <p>Thread-safe: used by the caller's thread and every IO thread.
 */
final class WsOpening {
    final InetSocketAddress address;
    final String hostHeader;
    final String path;
    final int count;
    final int firstIndex;
    final IntFunction<List<String>> messages;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    private final LoadClient client;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger subscribed = new AtomicInteger();
    private final long startNanos = System.nanoTime();

    WsOpening(LoadClient client, InetSocketAddress address, String hostHeader, String path, int count,
            int firstIndex, IntFunction<List<String>> messages) {
        this.client = client;
        this.address = address;
        this.hostHeader = hostHeader;
        this.path = path;
        this.count = count;
        this.firstIndex = firstIndex;
        this.messages = messages;
    }

    /** Starts the next connection, if any is left and nothing failed. */
    void launchNext() {
        if (future.isDone()) {
            return;
        }
        int i = next.getAndIncrement();
        if (i < count) {
            client.launch(this, firstIndex + i);
        }
    }

    /** Connection {@code c} got its {@code subscribed}: completes the open or starts another connection. */
    void onSubscribed(WsConnection c) {
        if (subscribed.incrementAndGet() == count) {
            client.openedIn(System.nanoTime() - startNanos);
            future.complete(null);
        } else {
            launchNext();
        }
    }

    /** Fails the open because of connection {@code index}. */
    void fail(int index, String why) {
        future.completeExceptionally(new IOException("connection " + index + ": " + why));
    }

    /** Fails the open for a reason of no particular connection. */
    void fail(String why) {
        future.completeExceptionally(new IOException(why));
    }
}
