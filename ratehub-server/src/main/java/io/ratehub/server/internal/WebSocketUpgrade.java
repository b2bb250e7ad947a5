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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebSocketUpgrade.class);
    private static final Attribute<Link> LINK = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute(WebSocketUpgrade.class.getName() + ".link");
    private static final String REFUSED = WebSocketUpgrade.class.getName() + ".refused";

    /** How long a closed connection keeps reading (and dropping) what the client still sends before it closes. */
    static final long LINGER_MILLIS = 2_000;

    private final GrizzlyContainer container;
    private final java.util.function.BiPredicate<String, String> originAllowed;

    /**
     * @param container the Tyrus container whose engine answers handshakes, from any origin, and whose frame limit
     *     applies
     */
    public WebSocketUpgrade(GrizzlyContainer container) {
        this(container, (origin, host) -> true);
    }

    /**
     * @param container the Tyrus container whose engine answers handshakes, and whose frame limit applies
     * @param originAllowed whether a handshake with this {@code Origin} (or null) and this {@code Host} (or null)
     *     may be upgraded; a refused one gets a complete 403. Judged here because the Jakarta {@code checkOrigin}
     *     does not see the {@code Host} that tells the server's own origin.
     */
    public WebSocketUpgrade(GrizzlyContainer container, java.util.function.BiPredicate<String, String> originAllowed) {
        this.container = container;
        this.originAllowed = originAllowed;
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

    /**
     * A connection's Tyrus side, and what we watch of its input ourselves: each frame's header (for the size limit,
     * before Tyrus buffers a byte of an oversized frame) and, once the connection is closing, the client's close
     * frame. Reads of one connection arrive one at a time, in order.
     */
    private static final class Link {
        private final org.glassfish.tyrus.spi.Connection tyrus;
        private final TaskProcessor tasks;
        private final FrameGuard guard;
        private final LingeringWriter writer;
        private volatile boolean discarding; // refused or closing: nothing more goes to Tyrus

        Link(org.glassfish.tyrus.spi.Connection tyrus, TaskProcessor tasks, long maxMessageBytes,
             LingeringWriter writer) {
            this.tyrus = tyrus;
            this.tasks = tasks;
            this.guard = new FrameGuard(maxMessageBytes);
            this.writer = writer;
        }

        /** Hands bytes read to Tyrus's frame parser, which keeps a partial frame until the rest arrives. */
        void read(Buffer buffer) {
            if (!buffer.hasRemaining()) {
                return;
            }
            if (!buffer.isComposite()) {
                read(buffer.toByteBuffer());
                return;
            }
            ByteBufferArray parts = buffer.toByteBufferArray();
            ByteBuffer[] array = parts.getArray();
            for (int i = 0; i < parts.size(); i++) {
                read(array[i]);
            }
            parts.recycle();
        }

        private void read(ByteBuffer bytes) {
            int start = bytes.position();
            boolean wasDiscarding = discarding;
            String refusal = guard.feed(bytes);
            if (guard.peerClosed()) {
                writer.peerClosed();
            }
            if (wasDiscarding) {
                return;
            }
            if (refusal == null) {
                tasks.processTask(new Read(tyrus.getReadHandler(), bytes));
                return;
            }
            discarding = true;
            int end = guard.refusedAt(); // the refused frame's header began here (or in an earlier read)
            if (end > start) {
                ByteBuffer before = bytes.duplicate();
                before.position(start).limit(end);
                tasks.processTask(new Read(tyrus.getReadHandler(), before));
            }
            CloseReason.CloseCode code = guard.unmasked() ? CloseReason.CloseCodes.PROTOCOL_ERROR
                    : CloseReason.CloseCodes.TOO_BIG;
            LOG.info("closing a WebSocket connection with {}: {}", code.getCode(), refusal);
            tasks.processTask(new Close(tyrus, new CloseReason(code, refusal)));
        }

        /** From now on the client's bytes are read and dropped (the connection is closing). */
        void discard() {
            discarding = true;
        }

        /** Tells Tyrus the connection is gone (once is enough; Tyrus ignores a second close). */
        void close(CloseReason reason) {
            tasks.processTask(new Close(tyrus, reason));
        }
    }

    /**
     * Tyrus's writer, but a close does not drop the connection with the client's bytes unread (which a TCP stack
     * answers with a reset, so that the client may never read the close frame sent just before): once Tyrus has
     * queued its close frame, the connection reads and drops the client's input until the client's own close frame
     * (or its end of stream) arrives, for at most {@link #LINGER_MILLIS}, then closes after the queued writes.
     */
    private static final class LingeringWriter extends GrizzlyWriter {
        private final java.util.concurrent.ScheduledExecutorService timer;
        private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile boolean peerClosed;
        private volatile Link link;

        LingeringWriter(Connection<?> connection, java.util.concurrent.ScheduledExecutorService timer) {
            super(connection);
            this.timer = timer;
        }

        @Override
        public void close() {
            if (!closing.compareAndSet(false, true)) {
                return; // Tyrus closes again when the client's close frame or end of stream reaches it
            }
            Link l = link;
            if (l == null || peerClosed) {
                finish();
                return;
            }
            l.discard();
            if (peerClosed) { // the close frame arrived meanwhile; the read path may not have seen us closing
                finish();
                return;
            }
            timer.schedule(this::finish, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        }

        /** The client sent its close frame or closed its side: nothing more is coming. */
        void peerClosed() {
            peerClosed = true;
            if (closing.get()) {
                finish();
            }
        }

        private void finish() {
            if (closed.compareAndSet(false, true)) {
                super.close(); // after the writes queued before it (our close frame), then a graceful close
            }
        }
    }

    /**
     * Follows a client's frames by their headers alone (no unmasking): refuses a frame, or a fragmented message,
     * whose payload is over the limit as soon as its header says so (1009), and a frame the client did not mask
     * (1002, as RFC 6455 requires of a server; Tyrus would read it), and notes the client's close frame.
     */
    static final class FrameGuard {
        private final long limit;
        private final byte[] header = new byte[14];
        private int headerLength;
        private int headerStart = -1; // position of the current header in the buffer being read, or -1
        private long payloadLeft;
        private long messageBytes; // data payload of the message in progress (fragments add up)
        private boolean peerClosed;
        private boolean unmasked;
        private int refusedAt;

        FrameGuard(long limit) {
            this.limit = limit;
        }

        /**
         * Reads {@code bytes} (without moving its position).
         *
         * @return why the frame whose header ends in these bytes is refused, or {@code null}
         */
        String feed(ByteBuffer bytes) {
            String refusal = null;
            headerStart = headerLength > 0 ? -1 : bytes.position();
            for (int pos = bytes.position(), end = bytes.limit(); pos < end; ) {
                if (payloadLeft > 0) {
                    long skip = Math.min(payloadLeft, end - pos);
                    pos += (int) skip;
                    payloadLeft -= skip;
                    continue;
                }
                if (headerLength == 0) {
                    headerStart = pos;
                }
                header[headerLength++] = bytes.get(pos++);
                if (headerLength < headerSize()) {
                    continue;
                }
                long length = payloadLength();
                int opcode = header[0] & 0x0F;
                boolean fin = (header[0] & 0x80) != 0;
                headerLength = 0;
                payloadLeft = Math.max(length, 0);
                if (opcode == 0x8) {
                    peerClosed = true;
                }
                String why = null;
                if ((header[1] & 0x80) == 0) {
                    unmasked |= refusal == null;
                    why = "a client frame must be masked";
                } else if (length < 0 || length > limit) {
                    why = "a frame of " + (length < 0 ? "over 2^63" : length) + " bytes is over the limit of "
                            + limit;
                } else if (opcode < 0x8) {
                    messageBytes = opcode == 0 ? messageBytes + length : length;
                    if (messageBytes > limit) {
                        why = "a message of over " + limit + " bytes is over the limit";
                    }
                    if (fin) {
                        messageBytes = 0;
                    }
                }
                if (why != null && refusal == null) {
                    refusal = why;
                    refusedAt = Math.max(headerStart, bytes.position());
                }
            }
            return refusal;
        }

        /** Where the refused frame's header began in the buffer of the refusing {@link #feed}. */
        int refusedAt() {
            return refusedAt;
        }

        boolean peerClosed() {
            return peerClosed;
        }

        /** Whether the refusal was of an unmasked frame. */
        boolean unmasked() {
            return unmasked;
        }

        private int headerSize() {
            if (headerLength < 2) {
                return 2;
            }
            int len7 = header[1] & 0x7F;
            return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
        }

        private long payloadLength() {
            int len7 = header[1] & 0x7F;
            if (len7 < 126) {
                return len7;
            }
            if (len7 == 126) {
                return ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            }
            long n = 0;
            for (int i = 2; i < 10; i++) {
                n = (n << 8) | (header[i] & 0xFF);
            }
            return n; // negative when the top bit is set: over any limit
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
                link.writer.peerClosed();
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
            WebSocketEngine.UpgradeStatus status;
            WebSocketEngine.UpgradeInfo info = null;
            if (originAllowed.test(request.getHeader("Origin"), request.getHeader("Host"))) {
                info = container.getWebSocketEngine().upgrade(upgradeRequest(request), response);
                status = info.getStatus();
            } else {
                response.setStatus(403);
                status = WebSocketEngine.UpgradeStatus.HANDSHAKE_FAILED;
            }
            Connection<?> connection = ctx.getConnection();
            switch (status) {
                case SUCCESS -> {
                    ctx.write(HttpContent.builder(responsePacket(request, response)).build());
                    LingeringWriter writer = new LingeringWriter(connection, container.timer());
                    org.glassfish.tyrus.spi.Connection tyrus = info.createConnection(writer,
                            reason -> connection.closeSilently()); // (Tyrus closes through the writer)
                    Link link = new Link(tyrus, new TaskProcessor(), container.maxFrameBytes(), writer);
                    writer.link = link;
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
