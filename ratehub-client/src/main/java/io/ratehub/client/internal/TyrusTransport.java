package io.ratehub.client.internal;

import io.ratehub.client.ClientTransport;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * The WebSocket transport on the Tyrus client, connecting asynchronously (a synchronous connect can block for
 * good) with a handshake timeout, and reporting each link's end exactly once.
 */
public final class TyrusTransport implements ClientTransport {
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    private static final ExecutorService CONNECT_WAITERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ratehub-client-connect");
        t.setDaemon(true);
        return t;
    });

    private final ClientManager manager;

    /** A transport with its own Tyrus client manager. */
    public TyrusTransport() {
        this.manager = ClientManager.createClient();
        manager.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT_MILLIS);
    }

    @Override
    public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Listener listener) {
        CompletableFuture<Link> result = new CompletableFuture<>();
        AtomicBoolean ended = new AtomicBoolean();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> h) {
                        headers.forEach((k, v) -> h.put(k, List.of(v)));
                    }
                }).build();
        Endpoint endpoint = new Endpoint() {
            @Override
            public void onOpen(Session session, EndpointConfig c) {
                session.setMaxTextMessageBufferSize(16 << 20);
                session.addMessageHandler(String.class, (MessageHandler.Whole<String>) listener::onText);
                session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> listener.onPong());
                result.complete(new TyrusLink(session));
            }

            @Override
            public void onClose(Session session, CloseReason reason) {
                if (ended.compareAndSet(false, true)) {
                    listener.onClosed(reason.getCloseCode().getCode(), reason.getReasonPhrase());
                }
            }

            @Override
            public void onError(Session session, Throwable error) {
                // Tyrus follows an error on an open session with onClose.
            }
        };
        try {
            Future<Session> pending = manager.asyncConnectToServer(endpoint, config, uri);
            CONNECT_WAITERS.execute(() -> {
                try {
                    pending.get(HANDSHAKE_TIMEOUT_MILLIS + 1_000L, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    pending.cancel(true);
                    result.completeExceptionally(e);
                }
            });
        } catch (Exception e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private static final class TyrusLink implements Link {
        private final Session session;

        TyrusLink(Session session) {
            this.session = session;
        }

        @Override
        public CompletableFuture<Void> send(String text) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                session.getAsyncRemote().sendText(text, r -> {
                    if (r.isOK()) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(r.getException());
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
            return done;
        }

        @Override
        public boolean ping() {
            try {
                session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                // The link is broken: its silence ends it (the client's dead-link timeout), as with a lost pong.
            }
            return true;
        }

        @Override
        public void close(int code, String reason) {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            } catch (IOException | RuntimeException e) {
                // already closed
            }
        }
    }
}
