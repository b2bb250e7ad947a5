package io.ratehub.server.internal;

import io.ratehub.core.protocol.CloseCodes;
import io.ratehub.core.protocol.Credentials;
import io.ratehub.core.protocol.ProtocolConnection;
import io.ratehub.core.protocol.ProtocolService;
import io.ratehub.core.hub.Outbound;
import io.ratehub.server.ServerOptions;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint: one instance per connection, a thin adapter between a Jakarta WebSocket
 * {@link Session} and a {@link ProtocolConnection}. Uses only the Jakarta API, so any container can host it.
 *
 * <p>Sends are asynchronous with at most one in flight (the hub's session guarantees it), never
 * {@code getBasicRemote()}. The heartbeat pings at the configured interval and closes the connection with 4009
 * when nothing (no message, no pong) arrives within the timeout after a ping.
 */
public final class HubEndpoint extends Endpoint {
    /** The user property under which the handshake leaves the credentials it found. */
    public static final String CREDENTIALS = "io.ratehub.credentials";
    /** The user property under which the handshake leaves the client's address, when the container told it. */
    public static final String REMOTE_ADDRESS = "io.ratehub.remoteAddress";

    private static final Logger LOG = LoggerFactory.getLogger(HubEndpoint.class);

    private final ProtocolService service;
    private final ServerOptions options;
    private final BooleanSupplier accepting;
    private volatile ProtocolConnection connection;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile ScheduledFuture<?> heartbeat;

    /**
     * @param service the protocol
     * @param options frame size and heartbeat
     * @param accepting false once the server is shutting down: new connections are closed with 1001 at once
     */
    public HubEndpoint(ProtocolService service, ServerOptions options, BooleanSupplier accepting) {
        this.service = service;
        this.options = options;
        this.accepting = accepting;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        if (!accepting.getAsBoolean()) {
            closeQuietly(session, CloseCodes.GOING_AWAY, "server shutting down");
            return;
        }
        // Idle links are found by our heartbeat. A negative idle timeout also spares Tyrus (whose default, 0, still
        // re-arms an idle-timeout task on every send) a task cancel and reschedule per frame.
        session.setMaxIdleTimeout(-1);
        session.setMaxTextMessageBufferSize(options.maxFrameBytes());
        session.setMaxBinaryMessageBufferSize(options.maxFrameBytes());
        Object creds = session.getUserProperties().get(CREDENTIALS);
        ProtocolConnection conn = service.open(new SessionOutbound(session),
                creds instanceof Credentials c ? c : null, remoteAddress(session));
        connection = conn;
        if (creds == HandshakeCredentials.MALFORMED) {
            conn.refuseAuthentication("malformed credentials in the handshake headers");
            return;
        }
        if (conn.isClosed() || !session.isOpen()) {
            return; // refused at once (credentials, limits): no handlers, no heartbeat
        }
        try {
            addHandlers(session, conn);
        } catch (IllegalStateException closedMeanwhile) {
            LOG.debug("connection {}: closed while opening", conn.id());
            return;
        }
        long interval = options.pingInterval().toNanos();
        heartbeat = service.scheduler().scheduleAtFixedRate(() -> ping(session, conn), interval, interval,
                TimeUnit.NANOSECONDS);
    }

    /** The client's address for logs: from our handshake, else Jetty's user property, else "unknown". */
    static String remoteAddress(Session session) {
        Object ours = session.getUserProperties().get(REMOTE_ADDRESS);
        if (ours instanceof String s) {
            return s;
        }
        Object jetty = session.getUserProperties().get("jakarta.websocket.endpoint.remoteAddress");
        if (jetty instanceof java.net.InetSocketAddress a) {
            return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        }
        return "unknown";
    }

    private void addHandlers(Session session, ProtocolConnection conn) {
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            lastSeenNanos = System.nanoTime();
            conn.onText(text);
        });
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) bytes -> {
            lastSeenNanos = System.nanoTime();
            conn.onBinary();
        });
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong ->
                lastSeenNanos = System.nanoTime());
    }

    private void ping(Session session, ProtocolConnection conn) {
        if (conn.isClosed() || !session.isOpen()) {
            cancelHeartbeat();
            return;
        }
        long sentAt = System.nanoTime();
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.wrap(Long.toString(sentAt).getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | RuntimeException e) {
            LOG.debug("connection {}: ping failed", conn.id(), e);
        }
        service.scheduler().schedule(() -> {
            if (lastSeenNanos - sentAt < 0 && !conn.isClosed()) {
                LOG.info("connection {}: nothing received within {} of a ping; closing", conn.id(),
                        options.pongTimeout());
                conn.close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
            }
        }, options.pongTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        cancelHeartbeat();
        ProtocolConnection conn = connection;
        if (conn != null) {
            LOG.debug("connection {} closed: {} {}", conn.id(), reason.getCloseCode().getCode(),
                    reason.getReasonPhrase());
            conn.onClosed();
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        ProtocolConnection conn = connection;
        LOG.debug("connection {}: transport error", conn == null ? "?" : conn.id(), error);
    }

    private void cancelHeartbeat() {
        ScheduledFuture<?> h = heartbeat;
        if (h != null) {
            h.cancel(false);
        }
    }

    static void closeQuietly(Session session, int code, String reason) {
        try {
            String phrase = reason.length() > 120 ? reason.substring(0, 120) : reason;
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), phrase));
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing a session failed", e);
        }
    }

    /** Writes a hub session's frames to a WebSocket session, asynchronously. */
    private static final class SessionOutbound implements Outbound {
        private final Session session;

        SessionOutbound(Session session) {
            this.session = session;
        }

        @Override
        public void send(String frame, Consumer<Throwable> done) {
            try {
                session.getAsyncRemote().sendText(frame, result -> done.accept(result.isOK() ? null
                        : result.getException() != null ? result.getException() : new IOException("send failed")));
            } catch (Throwable e) { // Tyrus throws java.lang.Error for text it cannot encode, and never completes
                done.accept(e);
            }
        }

        @Override
        public void close(int code, String reason) {
            closeQuietly(session, code, reason);
        }
    }
}
