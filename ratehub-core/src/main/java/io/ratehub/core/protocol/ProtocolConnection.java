package io.ratehub.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.hub.Channels;
import io.ratehub.core.hub.HubSession;
import io.ratehub.core.hub.Outbound;
import io.ratehub.core.hub.Position;
import io.ratehub.core.hub.SubscribeResult;
import io.ratehub.core.internal.Require;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking the wire protocol: it authenticates, subscribes and runs commands, and writes
 * every reply, error and update through its {@link HubSession}, so that replies and updates keep their order.
 *
 * <p>The transport calls {@link #onText} for each text message (one at a time, in order, as WebSocket containers
 * do), {@link #onBinary()} for a binary one, and {@link #onClosed()} when the connection is gone. Bad input never
 * closes the connection (except failed authentication and message floods); it is answered with an {@code error}
 * frame naming what was wrong. Thread-safe.
 */
public final class ProtocolConnection {
    /** The protocol version in {@code welcome}. */
    public static final int PROTOCOL_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolConnection.class);
    private static final int MAX_ID_LENGTH = 64;
    private static final java.math.BigDecimal MIN_MAX_RATE = new java.math.BigDecimal("0.001");
    private static final java.math.BigDecimal MAX_MAX_RATE = java.math.BigDecimal.valueOf(1000);

    private final ProtocolService service;
    private final String id;
    private final Outbound out;
    private final String remoteAddress;
    private final HubSession session;
    private final Bucket bucket;
    private volatile Principal principal;
    private volatile boolean closed;
    private volatile boolean closing;
    private int rateStrikes; // guarded by this

    ProtocolConnection(ProtocolService service, String id, Outbound out, String remoteAddress) {
        this.service = service;
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.out = new Outbound() {
            @Override
            public void send(String frame, java.util.function.Consumer<Throwable> done) {
                out.send(frame, done);
            }

            @Override
            public void close(int code, String reason) {
                markClosed();
                out.close(code, reason);
            }
        };
        this.session = service.hub().openSession(this.out, service.sessionSettings());
        ProtocolSettings s = service.settings();
        this.bucket = Bucket.builder()
                .withCustomTimePrecision(new io.ratehub.core.internal.ClockTimeMeter(service.engine().clock()))
                .addLimit(Bandwidth.builder().capacity(s.messageBurst())
                        .refillGreedy(s.messagesPerMinute(), Duration.ofMinutes(1)).build())
                .build();
    }

    void start(Credentials handshake) {
        if (handshake != null) {
            authenticate(null, handshake);
            return;
        }
        long deadline = service.settings().authDeadline().toNanos();
        service.scheduler().schedule(() -> {
            if (principal == null && !closed) {
                LOG.info("connection {} from {}: no authentication within {}", id, remoteAddress,
                        service.settings().authDeadline());
                sendError(null, ErrorCode.UNAUTHENTICATED, "authentication deadline passed", null);
                closeAfterFlush(CloseCodes.UNAUTHENTICATED, "authentication deadline passed");
            }
        }, deadline, TimeUnit.NANOSECONDS);
    }

    /** The connection's id, for logs. */
    public String id() {
        return id;
    }

    /** The authenticated principal, or {@code null} before authentication. */
    public Principal principal() {
        return principal;
    }

    /** The hub session that feeds this connection. */
    public HubSession session() {
        return session;
    }

    /** Whether the connection is closed. */
    public boolean isClosed() {
        return closed;
    }

    /** The connection is gone (closed by the peer or failed). Idempotent. */
    public void onClosed() {
        markClosed();
        session.disconnected();
    }

    /** Closes the connection with {@code code} now, dropping anything queued. Idempotent. */
    public void close(int code, String reason) {
        markClosed();
        session.close(code, reason);
    }

    /**
     * Takes no more input and closes the connection with {@code code} once everything queued for it is written
     * (for example an error frame explaining why). Idempotent.
     */
    public void closeAfterFlush(int code, String reason) {
        closing = true;
        session.closeAfterFlush(code, reason);
    }

    private void markClosed() {
        Principal admitted;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            admitted = principal;
        }
        service.closed(this);
        if (admitted != null) {
            service.limits().release(admitted);
        }
    }

    /**
     * Refuses the connection's authentication before it starts (for example, the handshake carried malformed
     * credentials): sends an {@code unauthenticated} error and closes with 4001 once it is written.
     */
    public void refuseAuthentication(String why) {
        sendError(null, ErrorCode.UNAUTHENTICATED, why, null);
        closeAfterFlush(CloseCodes.UNAUTHENTICATED, "authentication failed");
    }

    /** A binary message: not part of the protocol; answered with an error, the connection stays open. */
    public void onBinary() {
        if (!closed && !closing && admit(null)) {
            sendError(null, ErrorCode.INVALID_JSON, "binary frames are not supported; send JSON text frames", null);
        }
    }

    /** One text message. */
    public void onText(String text) {
        service.received();
        if (closed || closing) {
            return;
        }
        io.ratehub.core.codec.JsonCodec.Input input;
        try {
            input = service.codec().readInput(text);
        } catch (ValidationException e) {
            if (admit(null)) {
                sendError(null, ErrorCode.INVALID_JSON, e.getMessage(), null);
            }
            return;
        }
        JsonNode msg = input.tree();
        if (msg == null || !msg.isObject()) {
            if (admit(null)) {
                sendError(null, ErrorCode.INVALID_JSON, "a message must be a JSON object", null);
            }
            return;
        }
        String requestId = null;
        try {
            requestId = requestId(msg.get("id"));
        } catch (ValidationException e) {
            if (admit(null)) {
                sendError(null, e.code(), e.getMessage(), e.field());
            }
            return;
        }
        if (!admit(requestId)) {
            return;
        }
        try {
            if (input.problem() != null) {
                throw input.problem(); // a value that breaks the input rules: refused before anything reads it
            }
            JsonNode opNode = msg.get("op");
            if (opNode == null || !opNode.isTextual()) {
                throw new ValidationException("op", opNode, "is required and must be a string");
            }
            ObjectNode args = (ObjectNode) msg; // parsed for this call only: no copy needed
            args.remove("op");
            args.remove("id");
            handle(opNode.asText(), requestId, args);
        } catch (RateHubException e) {
            sendError(requestId, e.code(), e.getMessage(), e instanceof ValidationException v ? v.field() : null);
        } catch (RuntimeException e) {
            LOG.error("connection {}: failed on a message", id, e);
            sendError(requestId, ErrorCode.INTERNAL, "internal error", null);
        }
    }

    private static java.time.ZoneId zone(String tz) {
        try {
            return java.time.ZoneId.of(tz);
        } catch (java.time.DateTimeException e) {
            throw new ValidationException("tz", tz, "must be a time zone id such as Africa/Lagos or UTC");
        }
    }

    private static String requestId(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isEmpty() || node.asText().length() > MAX_ID_LENGTH
                || io.ratehub.core.internal.Unicode.loneSurrogate(node.asText()) >= 0) {
            throw new ValidationException("id", node.toString(), "must be a string of 1-64 characters");
        }
        return node.asText();
    }

    /**
     * Takes one message from the bucket; refuses it (and, once more than {@code maxRateStrikes} messages were
     * refused, closes) when empty. The refusal carries the message's id when it had a readable one.
     */
    private boolean admit(String requestId) {
        if (bucket.tryConsume(1)) {
            return true;
        }
        int strikes;
        synchronized (this) {
            strikes = ++rateStrikes;
        }
        if (strikes > service.settings().maxRateStrikes()) {
            LOG.warn("connection {} from {} ({}): message flood; closing", id, remoteAddress, describePrincipal());
            sendError(requestId, ErrorCode.RATE_LIMITED, "too many messages; closing", null);
            closeAfterFlush(CloseCodes.RATE_LIMITED, "too many messages");
        } else {
            sendError(requestId, ErrorCode.RATE_LIMITED, "more than " + service.settings().messagesPerMinute()
                    + " messages per minute; message dropped", null);
        }
        return false;
    }

    private void handle(String op, String requestId, ObjectNode args) {
        if (op.equals("ping")) {
            if (args.size() > 0) {
                String extra = args.fieldNames().next();
                throw new ValidationException(extra, args.get(extra).toString(), "is not a field of ping");
            }
            ObjectNode pong = frame("pong", requestId);
            pong.put("time", service.engine().clock().instant().toString());
            send(pong);
            return;
        }
        if (op.equals("auth")) {
            if (principal != null) {
                throw new ValidationException("op", op, "the connection is already authenticated");
            }
            Args.Auth a = service.codec().treeToValue(args, Args.Auth.class);
            Credentials c;
            if (a.token() != null && a.apiKey() == null) {
                c = new Credentials(Credentials.Scheme.BEARER, a.token(), remoteAddress);
            } else if (a.apiKey() != null && a.token() == null) {
                c = new Credentials(Credentials.Scheme.API_KEY, a.apiKey(), remoteAddress);
            } else {
                throw new ValidationException("token", null, "give exactly one of token or apiKey");
            }
            if (a.tz() != null) {
                session.timeZone(zone(a.tz()));
            }
            authenticate(requestId, c);
            return;
        }
        Principal p = principal;
        if (p == null) {
            throw new RateHubException(ErrorCode.UNAUTHENTICATED, "authenticate first: send {\"op\":\"auth\",...}");
        }
        switch (op) {
            case "subscribe" -> subscribe(p, requestId, service.codec().treeToValue(args, Args.Subscribe.class));
            case "timezone" -> {
                Args.TimeZone a = service.codec().treeToValue(args, Args.TimeZone.class);
                java.time.ZoneId z = a.tz() == null ? null : zone(a.tz());
                session.timeZone(z);
                ObjectNode reply = frame("reply", requestId);
                reply.put("op", op);
                reply.putObject("result").put("tz", z == null ? null : z.getId());
                send(reply);
            }
            case "unsubscribe" -> {
                Args.Unsubscribe a = service.codec().treeToValue(args, Args.Unsubscribe.class);
                Require.notNull("channel", a.channel());
                boolean was = session.unsubscribe(a.channel());
                ObjectNode reply = frame("unsubscribed", requestId);
                reply.put("channel", a.channel());
                reply.put("wasSubscribed", was);
                send(reply);
            }
            default -> {
                Command command = Command.ofOp(op);
                if (command == null) {
                    throw new ValidationException(ErrorCode.UNKNOWN_OP, "op", op, "is not a known operation");
                }
                service.execute(p, command, args).whenComplete((result, error) -> {
                    if (error == null) {
                        ObjectNode reply = frame("reply", requestId);
                        reply.put("op", op);
                        reply.set("result", service.codec().valueToTree(result));
                        send(reply);
                    } else {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        if (cause instanceof RateHubException r) {
                            sendError(requestId, r.code(), r.getMessage(),
                                    r instanceof ValidationException v ? v.field() : null);
                        } else {
                            LOG.error("connection {}: request {} failed", id, op, cause);
                            sendError(requestId, ErrorCode.INTERNAL, "internal error", null);
                        }
                    }
                });
            }
        }
    }

    private void authenticate(String requestId, Credentials c) {
        Principal p;
        try {
            p = service.authenticator().authenticate(c);
            if (p == null) {
                throw new AuthenticationException("credentials refused");
            }
        } catch (AuthenticationException e) {
            LOG.info("connection {} from {}: authentication refused: {}", id, remoteAddress, e.getMessage());
            sendError(requestId, ErrorCode.UNAUTHENTICATED, e.getMessage(), null);
            closeAfterFlush(CloseCodes.UNAUTHENTICATED, "authentication failed");
            return;
        }
        String refusal = service.limits().admit(p);
        if (refusal != null) {
            LOG.info("connection {} from {}: refused for {} {}: {}", id, remoteAddress, p.role(), p.id(), refusal);
            sendError(requestId, ErrorCode.LIMIT_EXCEEDED, refusal, null);
            closeAfterFlush(CloseCodes.TRY_AGAIN_LATER, "connection limit");
            return;
        }
        synchronized (this) {
            if (closed) { // the transport went away while we authenticated
                service.limits().release(p);
                return;
            }
            principal = p;
        }
        LOG.debug("connection {} from {}: authenticated as {} {}", id, remoteAddress, p.role(), p.id());
        ObjectNode welcome = frame("welcome", requestId);
        welcome.put("protocol", PROTOCOL_VERSION);
        welcome.put("connection", id);
        welcome.set("principal", service.principalNode(p));
        welcome.put("time", service.engine().clock().instant().toString());
        if (session.timeZone() != null) {
            welcome.put("timezone", session.timeZone().getId());
        }
        send(welcome);
    }

    private void subscribe(Principal p, String requestId, Args.Subscribe a) {
        String channel = Require.notNull("channel", a.channel());
        Channels.kindOf(channel);
        if (!service.authorizer().canSubscribe(p, channel)) {
            throw ProtocolService.forbidden(p, "subscribe to " + channel);
        }
        if (channel.startsWith("app:") && !service.hub().hasChannel(channel)) {
            throw new ValidationException("channel", channel, "is not an application channel of this hub");
        }
        if (!session.subscriptions().contains(channel)
                && session.subscriptions().size() >= service.settings().maxSubscriptions()) {
            throw new RateHubException(ErrorCode.LIMIT_EXCEEDED, "at most "
                    + service.settings().maxSubscriptions() + " subscriptions per connection");
        }
        Position from = null;
        if (a.from() != null) {
            long seq = Require.notNull("from.seq", a.from().seq());
            if (seq < 0) {
                throw new ValidationException("from.seq", seq, "must be >= 0");
            }
            try {
                from = new Position(Require.notNull("from.epoch", a.from().epoch()), seq);
            } catch (ValidationException e) {
                throw new ValidationException(e.code(), e.field().startsWith("from.") ? e.field() : "from." + e.field(),
                        e.value(), "must be the epoch of a subscribed reply or an update");
            }
        }
        Duration minInterval = null;
        if (a.maxRate() != null) {
            java.math.BigDecimal rate = a.maxRate();
            if (rate.compareTo(MIN_MAX_RATE) < 0 || rate.compareTo(MAX_MAX_RATE) > 0) {
                throw new ValidationException("maxRate", Require.show(rate),
                        "must be between 0.001 and 1000 updates per second");
            }
            minInterval = Duration.ofNanos(java.math.BigDecimal.valueOf(1_000_000_000L)
                    .divide(rate, 0, java.math.RoundingMode.CEILING).longValueExact());
        }
        try {
            session.subscribe(channel, from, r -> subscribedFrame(requestId, r), minInterval);
        } catch (IllegalStateException closedMeanwhile) {
            LOG.debug("connection {}: subscribe after the session closed", id);
        }
    }

    private String subscribedFrame(String requestId, SubscribeResult r) {
        ObjectNode n = frame("subscribed", requestId);
        n.put("channel", r.channel());
        n.put("kind", r.kind().name());
        n.put("epoch", r.epoch());
        n.put("seq", r.headSeq());
        n.put("recovery", r.recovery().name());
        n.put("count", r.sent());
        if (r.lostFrom() > 0) {
            n.put("lostFrom", r.lostFrom());
            n.put("lostTo", r.lostTo());
        }
        return service.codec().encode(n);
    }

    private ObjectNode frame(String type, String requestId) {
        ObjectNode n = service.codec().newObject();
        n.put("type", type);
        if (requestId != null) {
            n.put("id", requestId);
        }
        return n;
    }

    private void send(ObjectNode frame) {
        String text = service.codec().encode(frame);
        if (io.ratehub.core.internal.Unicode.loneSurrogate(text) >= 0) {
            // Client input with one is refused at the door; only an application's own result can carry one, and a
            // frame that cannot be written as UTF-8 must not reach the transport.
            LOG.warn("connection {}: a {} frame holds text that is not well-formed Unicode (a lone surrogate); "
                    + "answering with an internal error instead", id, frame.path("type").asText());
            String requestId = frame.path("id").asText(null);
            ObjectNode error = frame("error", requestId == null || io.ratehub.core.internal.Unicode.loneSurrogate(requestId) >= 0 ? null
                    : requestId);
            error.put("code", ErrorCode.INTERNAL.wireName());
            error.put("message", "the server could not encode its answer");
            text = service.codec().encode(error);
        }
        java.time.ZoneId z = session.timeZone();
        session.sendControl(z == null ? text : io.ratehub.core.internal.LocalTimes.render(text, z));
    }

    private void sendError(String requestId, ErrorCode code, String message, String field) {
        ObjectNode n = frame("error", requestId);
        n.put("code", code.wireName());
        n.put("message", message);
        if (field != null) {
            n.put("field", field);
        }
        send(n);
    }

    private String describePrincipal() {
        Principal p = principal;
        return p == null ? "unauthenticated" : p.role() + " " + p.id();
    }

    @Override
    public String toString() {
        return "ProtocolConnection[" + id + ", " + describePrincipal() + "]";
    }
}
