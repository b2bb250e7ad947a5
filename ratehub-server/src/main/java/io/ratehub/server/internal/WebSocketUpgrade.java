package io.ratehub.server.internal;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeHolder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.Parameters;
import org.glassfish.grizzly.utils.IdleTimeoutFilter;
import org.glassfish.grizzly.memory.ByteBufferArray;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter;
import org.glassfish.tyrus.container.grizzly.client.TaskProcessor;
import org.glassfish.tyrus.core.CloseReasons;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.core.TyrusUpgradeResponse;
import org.glassfish.tyrus.core.Utils;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Plugs a Tyrus engine into a Grizzly HTTP listener, in place of Tyrus's own {@code WebSocketAddOn}, and lets the
 * HTTP layer go once a connection is upgraded.
 *
 * <p>Tyrus's add-on leaves every upgraded connection's bytes flowing through Grizzly's HTTP codec, as the endless body
 * of the upgrade request, so the connection keeps that request for its whole life: the parsed request and response,
 * their header tables, some thirty parsed-text holders and the bytes they point into. That was 10 KB of the 17.5 KB
 * of heap an idle subscribed connection cost (the bench's {@code connections} scenario and {@code jmap -histo:live}
 * on its 10,000 connections; 6.9 KB with this filter). Here two filters share the work:
 * <ul>
 *   <li>the <em>upgrade</em> filter, after the HTTP codec (where Tyrus's sits), answers the handshake through the
 *       engine and, on success, links the connection to its Tyrus connection and drops the codec's hold on the
 *       request;</li>
 *   <li>the <em>frame</em> filter, before the codec, hands a linked connection's bytes straight to Tyrus's frame
 *       parser; the codec never sees them again. Since the listener's keep-alive idle-timeout filter sits after the
 *       codec and would no longer see the client's bytes, an upgraded connection gets no idle timeout there: idle
 *       links are found by the WebSocket heartbeat (ping, then 4009 when no pong comes back).</li>
 * </ul>
 * Frames a client sends before the 101 has reached it are read, not dropped. A refused handshake (a disallowed origin,
 * an unsupported version) gets a complete response ({@code Content-Length: 0}, {@code Connection: close}) and the
 * connection is closed once it is written, so a client learns the status at once instead of waiting on an open socket.
 * A malformed one (no {@code Sec-WebSocket-Key}, to which Tyrus answers 500, or one that is not the base64 of 16
 * bytes, which Tyrus accepts) gets a 400 with a JSON body {@code {"code":"bad_request",...}} instead, whatever its
 * path.
 *
 * <p>Threading: as Tyrus's own filter, reads and closes of one connection run through one {@link TaskProcessor}, so
 * Tyrus sees them one at a time.
 */
public final class WebSocketUpgrade implements AddOn {
    private static final Attribute<Link> LINK = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute(WebSocketUpgrade.class.getName() + ".link");
    private static final String REFUSED = WebSocketUpgrade.class.getName() + ".refused";

    private final ServerContainer container;

    /** @param container the Tyrus container whose engine answers handshakes */
    public WebSocketUpgrade(ServerContainer container) {
        this.container = container;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int handler = builder.indexOfType(org.glassfish.grizzly.http.server.HttpServerFilter.class);
        int codec = builder.indexOfType(HttpServerFilter.class);
        if (handler < 0 || codec < 0) {
            throw new IllegalStateException("the listener's filter chain has no HTTP codec or handler filter");
        }
        builder.add(handler, new UpgradeFilter());
        builder.add(codec, new FrameFilter());
    }

    /** Whether {@code connection} has been upgraded (its bytes are WebSocket frames now). */
    static boolean upgraded(Connection<?> connection) {
        return LINK.get(connection) != null;
    }

    /** A connection's Tyrus side. */
    private record Link(org.glassfish.tyrus.spi.Connection tyrus, TaskProcessor tasks) {
        /** Hands bytes read to Tyrus's frame parser, which keeps a partial frame until the rest arrives. */
        void read(Buffer buffer) {
            if (!buffer.hasRemaining()) {
                return;
            }
            ReadHandler reader = tyrus.getReadHandler();
            if (!buffer.isComposite()) {
                tasks.processTask(new Read(reader, buffer.toByteBuffer()));
                return;
            }
            ByteBufferArray parts = buffer.toByteBufferArray();
            ByteBuffer[] array = parts.getArray();
            for (int i = 0; i < parts.size(); i++) {
                tasks.processTask(new Read(reader, array[i]));
            }
            parts.recycle();
        }

        /** Tells Tyrus the connection is gone (once is enough; Tyrus ignores a second close). */
        void close(CloseReason reason) {
            tasks.processTask(new Close(tyrus, reason));
        }
    }

    /** Before the HTTP codec: the bytes of an upgraded connection go to Tyrus. */
    private static final class FrameFilter extends BaseFilter {
        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            Link link = LINK.get(ctx.getConnection());
            if (link == null) {
                return ctx.getInvokeAction();
            }
            link.read(ctx.<Buffer>getMessage());
            return ctx.getStopAction();
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            Link link = LINK.get(ctx.getConnection());
            if (link != null) {
                link.close(CloseReasons.CLOSED_ABNORMALLY.getCloseReason());
            }
            return ctx.getInvokeAction(); // the idle-timeout filter, further on, forgets the connection
        }
    }

    /** After the HTTP codec: a WebSocket upgrade request is answered by the Tyrus engine. */
    private final class UpgradeFilter extends BaseFilter {
        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            if (!(ctx.getMessage() instanceof HttpContent content)
                    || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                    || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
                return ctx.getInvokeAction();
            }
            if (request.getAttribute(REFUSED) != null) {
                return ctx.getStopAction(); // more bytes of a refused request, whose connection is closing
            }
            String malformed = malformedHandshake(request);
            if (malformed != null) {
                // Tyrus answers 500 to a handshake without a key, and upgrades one with a key that is not base64 of
                // 16 bytes: the client's fault either way, so a 400 that says so
                request.setAttribute(REFUSED, Boolean.TRUE);
                HttpResponsePacket packet = request.getResponse();
                packet.setProtocol(Protocol.HTTP_1_1);
                packet.setStatus(400);
                packet.setHeader("Connection", "close");
                byte[] body = ("{\"code\":\"bad_request\",\"message\":\"" + malformed + "\"}")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                packet.setContentType("application/json");
                packet.setContentLength(body.length);
                ctx.write(HttpContent.builder(packet).content(Buffers.wrap(ctx.getMemoryManager(), body)).last(true)
                        .build());
                ctx.getConnection().closeSilently(); // graceful: after the answer queued above
                return ctx.getStopAction();
            }
            TyrusUpgradeResponse response = new TyrusUpgradeResponse();
            WebSocketEngine.UpgradeInfo info = container.getWebSocketEngine().upgrade(upgradeRequest(request),
                    response);
            Connection<?> connection = ctx.getConnection();
            switch (info.getStatus()) {
                case SUCCESS -> {
                    ctx.write(HttpContent.builder(responsePacket(request, response)).build());
                    org.glassfish.tyrus.spi.Connection tyrus = info.createConnection(new GrizzlyWriter(connection),
                            reason -> connection.closeSilently());
                    Link link = new Link(tyrus, new TaskProcessor());
                    LINK.set(connection, link);
                    if (!connection.isOpen()) { // closed before the link was set: the close event missed it
                        link.close(CloseReasons.GOING_AWAY.getCloseReason());
                    }
                    releaseHttpState(connection.getAttributes());
                    // The listener's keep-alive idle timeout (30 s) would now see only our writes, not the client's
                    // reads, and close without a close frame; idle WebSocket links are the heartbeat's business.
                    if (ctx.getFilterChain().indexOfType(IdleTimeoutFilter.class) >= 0) {
                        IdleTimeoutFilter.setCustomTimeout(connection, -1, TimeUnit.MILLISECONDS);
                    }
                    link.read(content.getContent()); // frames a client sent without waiting for the 101
                    return ctx.getStopAction();
                }
                case HANDSHAKE_FAILED -> {
                    request.setAttribute(REFUSED, Boolean.TRUE);
                    HttpResponsePacket packet = responsePacket(request, response);
                    packet.setContentLength(0);
                    packet.setHeader("Connection", "close");
                    ctx.write(HttpContent.builder(packet).last(true).build());
                    connection.closeSilently(); // graceful: after the answer queued above
                    return ctx.getStopAction();
                }
                default -> {
                    return ctx.getInvokeAction(); // no endpoint at this path: the HTTP handler answers
                }
            }
        }
    }

    /**
     * What makes a WebSocket handshake malformed (RFC 6455, 4.2.1: its {@code Sec-WebSocket-Key} must be the base64
     * of 16 bytes), or null when nothing does. A missing or unsupported version is Tyrus's to answer (426).
     */
    static String malformedHandshake(HttpRequestPacket request) {
        String key = request.getHeader("Sec-WebSocket-Key");
        if (key == null || key.isBlank()) {
            return "the WebSocket handshake has no Sec-WebSocket-Key";
        }
        try {
            if (java.util.Base64.getDecoder().decode(key.trim()).length != 16) {
                return "Sec-WebSocket-Key must be the base64 of 16 bytes";
            }
        } catch (IllegalArgumentException e) {
            return "Sec-WebSocket-Key must be the base64 of 16 bytes";
        }
        return null;
    }

    /**
     * Drops what the HTTP codec keeps on the connection for a request in progress (the request itself and its
     * keep-alive context), found by what they are rather than by Grizzly's private attribute names.
     */
    static void releaseHttpState(AttributeHolder attributes) {
        for (String name : List.copyOf(attributes.getAttributeNames())) {
            Object value = attributes.getAttribute(name);
            if (value instanceof HttpRequestPacket
                    || value != null && value.getClass().getEnclosingClass() == HttpServerFilter.class) {
                attributes.removeAttribute(name);
            }
        }
    }

    private static HttpResponsePacket responsePacket(HttpRequestPacket request, UpgradeResponse upgrade) {
        HttpResponsePacket packet = request.getResponse();
        packet.setProtocol(Protocol.HTTP_1_1);
        packet.setStatus(upgrade.getStatus());
        upgrade.getHeaders().forEach((name, values) -> packet.setHeader(name, Utils.getHeaderFromList(values)));
        return packet;
    }

    /** The handshake as Tyrus reads it: URI, query parameters, addresses and every header, split at commas. */
    private static RequestContext upgradeRequest(HttpRequestPacket request) {
        Parameters parameters = new Parameters();
        parameters.setQuery(request.getQueryStringDC());
        parameters.setQueryStringEncoding(java.nio.charset.StandardCharsets.UTF_8);
        Map<String, String[]> parameterMap = new HashMap<>();
        for (String name : parameters.getParameterNames()) {
            parameterMap.put(name, parameters.getParameterValues(name));
        }
        RequestContext context = RequestContext.Builder.create()
                .requestURI(URI.create(request.getRequestURI()))
                .queryString(request.getQueryString())
                .parameterMap(parameterMap)
                .secure(request.isSecure())
                .remoteAddr(request.getRemoteAddress())
                .serverAddr(request.getLocalHost() == null ? request.getLocalAddress() : request.getLocalHost())
                .serverPort(request.getLocalPort())
                .build();
        for (String name : request.getHeaders().names()) {
            for (String value : request.getHeaders().values(name)) {
                context.getHeaders().computeIfAbsent(name, n -> new java.util.ArrayList<>())
                        .addAll(Utils.parseHeaderValue(value.trim()));
            }
        }
        return context;
    }

    private static final class Read extends TaskProcessor.Task {
        private final ReadHandler reader;
        private final ByteBuffer bytes;

        Read(ReadHandler reader, ByteBuffer bytes) {
            this.reader = reader;
            this.bytes = bytes;
        }

        @Override
        public void execute() {
            reader.handle(bytes);
        }
    }

    private static final class Close extends TaskProcessor.Task {
        private final org.glassfish.tyrus.spi.Connection tyrus;
        private final CloseReason reason;

        Close(org.glassfish.tyrus.spi.Connection tyrus, CloseReason reason) {
            this.tyrus = tyrus;
            this.reason = reason;
        }

        @Override
        public void execute() {
            tyrus.close(reason);
        }
    }
}
