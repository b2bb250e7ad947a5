package io.ratehub.testkit;

import io.ratehub.client.ClientTransport;
import io.ratehub.core.hub.Outbound;
import io.ratehub.core.protocol.Credentials;
import io.ratehub.core.protocol.ProtocolConnection;
import io.ratehub.core.protocol.ProtocolService;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link ClientTransport} that joins a client to a {@link ProtocolService} in memory: the same protocol,
 * hub and engine code as over WebSocket, with no sockets. Every delivery runs on the {@link VirtualTime} worker, and
 * the {@link Network} it implements lets a test drop, delay and cut messages. The client's WebSocket pings
 * ({@link Link#ping()}) are answered with pongs, as a WebSocket server does by itself; they travel, and are
 * dropped or delayed, like messages.
 *
 * <p>Thread-safe.
 */
public final class InMemoryTransport implements ClientTransport, Network {
    private final ProtocolService service;
    private final VirtualTime time;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger pongs = new AtomicInteger();
    private volatile boolean dropping;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean refusing;
    private volatile MemoryLink current;

    /**
     * @param service the protocol the client talks to
     * @param time where deliveries run
     */
    public InMemoryTransport(ProtocolService service, VirtualTime time) {
        this.service = service;
        this.time = time;
    }

    @Override
    public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Listener listener) {
        CompletableFuture<Link> result = new CompletableFuture<>();
        time.scheduler().execute(() -> {
            if (refusing) {
                result.completeExceptionally(new IOException("connection refused (simulated)"));
                return;
            }
            opened.incrementAndGet();
            MemoryLink link = new MemoryLink(listener);
            current = link;
            link.connection = service.open(link.serverSide, credentials(headers), "in-memory");
            result.complete(link);
        });
        return result;
    }

    private static Credentials credentials(Map<String, String> headers) {
        String auth = headers.get("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            return new Credentials(Credentials.Scheme.BEARER, auth.substring(7), "in-memory");
        }
        String key = headers.get("X-Api-Key");
        return key == null ? null : new Credentials(Credentials.Scheme.API_KEY, key, "in-memory");
    }

    private void deliver(Runnable r) {
        Duration d = delay;
        if (d.isZero()) {
            time.scheduler().execute(r);
        } else {
            time.scheduler().schedule(r, d.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void drop(boolean on) {
        dropping = on;
    }

    @Override
    public void delay(Duration d) {
        this.delay = d == null ? Duration.ZERO : d;
    }

    @Override
    public void disconnect() {
        MemoryLink l = current;
        if (l != null) {
            time.scheduler().execute(() -> l.end(1006, "connection lost (simulated)"));
        }
    }

    @Override
    public void refuseConnections(boolean on) {
        refusing = on;
    }

    @Override
    public int linksOpened() {
        return opened.get();
    }

    @Override
    public int pingsAnswered() {
        return pongs.get();
    }

    /** One in-memory link: the client's end and the server's end. */
    private final class MemoryLink implements Link {
        private final Listener listener;
        private final AtomicBoolean ended = new AtomicBoolean();
        volatile ProtocolConnection connection;
        final Outbound serverSide = new Outbound() {
            @Override
            public void send(String frame, Consumer<Throwable> done) {
                if (!ended.get() && !dropping) {
                    deliver(() -> {
                        if (!ended.get()) {
                            listener.onText(frame);
                        }
                    });
                }
                done.accept(null); // the frame left the server either way
            }

            @Override
            public void close(int code, String reason) {
                deliver(() -> end(code, reason));
            }
        };

        MemoryLink(Listener listener) {
            this.listener = listener;
        }

        @Override
        public CompletableFuture<Void> send(String text) {
            if (!ended.get() && !dropping) {
                deliver(() -> {
                    ProtocolConnection c = connection;
                    if (!ended.get() && c != null) {
                        c.onText(text);
                    }
                });
            }
            return CompletableFuture.completedFuture(null);
        }

        /**
         * A WebSocket ping: the server's WebSocket stack answers it with a pong by itself (the protocol never sees
         * it), so it travels, and is lost, like any frame.
         */
        @Override
        public boolean ping() {
            if (!ended.get() && !dropping) {
                deliver(() -> {
                    if (!ended.get() && !dropping) {
                        pongs.incrementAndGet();
                        deliver(() -> {
                            if (!ended.get()) {
                                listener.onPong();
                            }
                        });
                    }
                });
            }
            return true;
        }

        @Override
        public void close(int code, String reason) {
            deliver(() -> end(code, reason));
        }

        void end(int code, String reason) {
            if (ended.compareAndSet(false, true)) {
                ProtocolConnection c = connection;
                if (c != null) {
                    c.onClosed();
                }
                listener.onClosed(code, reason);
            }
        }
    }
}
