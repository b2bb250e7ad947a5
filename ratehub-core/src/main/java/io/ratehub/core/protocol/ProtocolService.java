package io.ratehub.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.codec.JsonCodec;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.engine.OverrideRequest;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.Channels;
import io.ratehub.core.hub.Outbound;
import io.ratehub.core.hub.RateHub;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.internal.Require;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The wire protocol of docs/PROTOCOL.md over any transport: authentication, authorization, subscriptions and
 * commands, joining a {@link RateEngine} and a {@link RateHub}. The Tyrus server and the in-memory testkit each
 * open one {@link ProtocolConnection} per connection through {@link #open}; the server's HTTP API runs commands
 * through {@link #execute}, under the same rules.
 *
 * <p>Thread-safe.
 */
public final class ProtocolService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProtocolService.class);
    private final RateEngine engine;
    private final RateHub hub;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final ProtocolSettings settings;
    private final SessionSettings sessionSettings;
    private final ScheduledExecutorService scheduler;
    private final Map<String, AppRequestHandler> handlers;
    private final ConnectionLimits limits;
    private final Map<String, ProtocolConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong messagesReceived = new AtomicLong();

    private ProtocolService(Builder b) {
        this.engine = b.engine;
        this.hub = b.hub;
        this.authenticator = b.authenticator;
        this.authorizer = b.authorizer;
        this.settings = b.settings;
        this.sessionSettings = b.sessionSettings;
        this.scheduler = b.scheduler;
        this.handlers = Map.copyOf(b.handlers);
        this.limits = b.limits;
    }

    /** A builder; engine, hub, authenticator and scheduler are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a connection that writes to {@code out}. With {@code handshake} credentials (from the WebSocket
     * handshake's headers) it authenticates at once; otherwise the client must send an {@code auth} message within
     * the deadline.
     *
     * @param remoteAddress the peer's address for logs, or {@code null}
     */
    public ProtocolConnection open(Outbound out, Credentials handshake, String remoteAddress) {
        ProtocolConnection c = new ProtocolConnection(this, "c" + ids.incrementAndGet(), out, remoteAddress);
        connections.put(c.id(), c);
        c.start(handshake);
        return c;
    }

    /** How many connections are open. */
    public int connectionCount() {
        return connections.size();
    }

    /** The open connections. */
    public java.util.Collection<ProtocolConnection> connections() {
        return java.util.List.copyOf(connections.values());
    }

    /** Client messages received over every connection since the service started. */
    public long messagesReceived() {
        return messagesReceived.get();
    }

    void received() {
        messagesReceived.incrementAndGet();
    }

    void closed(ProtocolConnection c) {
        connections.remove(c.id(), c);
    }

    /** The engine. */
    public RateEngine engine() {
        return engine;
    }

    /** The hub. */
    public RateHub hub() {
        return hub;
    }

    /** The codec of every frame. */
    public JsonCodec codec() {
        return hub.codec();
    }

    /** The authenticator. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** The authorizer. */
    public Authorizer authorizer() {
        return authorizer;
    }

    ProtocolSettings settings() {
        return settings;
    }

    SessionSettings sessionSettings() {
        return sessionSettings;
    }

    /** The scheduler the protocol runs deadlines on; transports may run their heartbeats on it too. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The connection limits in force. */
    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Runs a command for {@code principal}, after authorizing it, with the command's fields in {@code args} (a
     * JSON object, as in a WebSocket message without {@code op} and {@code id}).
     *
     * @return the result object that the reply carries
     * @throws RateHubException with the error's code: invalid arguments, {@link ErrorCode#FORBIDDEN}, or the
     *     engine's refusal. Application requests may also complete exceptionally. An audit trail's failure is
     *     logged in full and thrown with the code only and a fixed message: its own names the server's files and
     *     errors, which are not the client's business.
     */
    public CompletionStage<Object> execute(Principal principal, Command command, JsonNode args) {
        try {
            return run(principal, command, args);
        } catch (io.ratehub.core.AuditException e) {
            LOG.error("{} by {}: {}", command, principal.id(), e.getMessage(), e);
            throw new io.ratehub.core.AuditException(e.code(), e.code() == ErrorCode.AUDIT_FAILURE
                    ? "the decision could not be recorded durably, so it was not made"
                    : "the audit trail is unavailable", null);
        }
    }

    private CompletionStage<Object> run(Principal principal, Command command, JsonNode args) {
        Require.notNull("principal", principal);
        Require.notNull("op", command);
        if (args == null || !args.isObject()) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "args", String.valueOf(args), "must be an object");
        }
        JsonCodec codec = codec();
        String actor = principal.id();
        switch (command) {
            case SET_SPREAD -> {
                Args.SetSpread a = codec.treeToValue(args, Args.SetSpread.class);
                authorize(principal, command, a.storeId());
                SpreadRule rule = new SpreadRule(a.unit(), a.buyMargin(), a.sellMargin(), a.minMargin(),
                        a.maxMargin());
                return done(result("rate", engine.setSpread(a.storeId(), required("pair", a.pair()), rule, actor)
                        .orElse(null)));
            }
            case REMOVE_SPREAD -> {
                Args.StorePair a = codec.treeToValue(args, Args.StorePair.class);
                authorize(principal, command, a.storeId());
                return done(result("removed", engine.removeSpread(a.storeId(), required("pair", a.pair()), actor)));
            }
            case SET_OVERRIDE -> {
                Args.SetOverride a = codec.treeToValue(args, Args.SetOverride.class);
                authorize(principal, command, a.storeId());
                OverrideRequest req = new OverrideRequest(a.storeId(), a.pair(), a.buy(), a.sell(), actor,
                        a.reason(), a.validFrom(), a.validUntil(), Boolean.TRUE.equals(a.force()));
                return done(result("override", engine.setOverride(req)));
            }
            case CLEAR_OVERRIDE -> {
                Args.ClearOverride a = codec.treeToValue(args, Args.ClearOverride.class);
                authorize(principal, command, a.storeId());
                return done(result("cleared", engine.clearOverride(a.storeId(), required("pair", a.pair()), actor,
                        a.reason())));
            }
            case SET_THRESHOLD -> {
                Args.SetThreshold a = codec.treeToValue(args, Args.SetThreshold.class);
                authorize(principal, command, a.storeId());
                BigDecimal percent = Require.percent("percent", a.percent());
                BigDecimal clear = a.clearPercent() != null ? a.clearPercent()
                        : percent.multiply(new BigDecimal("0.8"));
                ThresholdRule rule = new ThresholdRule(a.storeId(), a.pair(), a.kind(), percent, clear, a.window());
                engine.setThreshold(rule, actor);
                return done(result("rule", rule));
            }
            case REMOVE_THRESHOLD -> {
                Args.RemoveThreshold a = codec.treeToValue(args, Args.RemoveThreshold.class);
                authorize(principal, command, a.storeId());
                return done(result("removed", engine.removeThreshold(a.storeId(), required("pair", a.pair()),
                        required("kind", a.kind()), actor)));
            }
            case LOCK -> {
                Args.Lock a = codec.treeToValue(args, Args.Lock.class);
                authorize(principal, command, a.storeId());
                return done(result("lock", engine.lock(new LockRequest(a.storeId(), a.pair(), a.side(), a.amount(),
                        a.ttl(), actor, a.requestId()))));
            }
            case COMPLETE_LOCK -> {
                Args.CompleteLock a = codec.treeToValue(args, Args.CompleteLock.class);
                ownLock(principal, command, a.lockId());
                return done(result("lock", engine.completeLock(a.lockId(), a.transactionRef(), actor)));
            }
            case CANCEL_LOCK -> {
                Args.CancelLock a = codec.treeToValue(args, Args.CancelLock.class);
                ownLock(principal, command, a.lockId());
                return done(result("lock", engine.cancelLock(a.lockId(), actor, a.reason())));
            }
            case REQUEST -> {
                Args.Request a = codec.treeToValue(args, Args.Request.class);
                Require.id("name", a.name());
                AppRequestHandler handler = handlers.get(a.name());
                if (handler == null) {
                    throw new ValidationException(ErrorCode.UNKNOWN_OP, "name", a.name(), "is not a known request");
                }
                if (!authorizer.canRun(principal, command, null)) {
                    throw forbidden(principal, command.op() + " " + a.name());
                }
                CompletionStage<?> stage = handler.handle(principal, a.body());
                if (stage == null) {
                    throw new RateHubException(ErrorCode.INTERNAL, "request handler " + a.name() + " returned null");
                }
                return stage.thenApply(v -> v);
            }
            default -> throw new IllegalStateException(command.name());
        }
    }

    private static <T> T required(String field, T value) {
        return Require.notNull(field, value);
    }

    private void authorize(Principal p, Command command, String storeId) {
        Require.id("storeId", storeId);
        if (!authorizer.canRun(p, command, storeId)) {
            throw forbidden(p, command.op() + " on store " + storeId);
        }
    }

    /** A lock of a store the principal may not handle is reported as not found: its existence is not leaked. */
    private void ownLock(Principal p, Command command, String lockId) {
        Require.id("lockId", lockId);
        Optional<RateLock> lock = engine.findLock(lockId);
        if (lock.isEmpty() || !authorizer.canSubscribe(p, Channels.storeLocks(lock.get().storeId()))) {
            throw new LockStateException(ErrorCode.LOCK_NOT_FOUND, lockId, "no rate lock " + lockId);
        }
        if (!authorizer.canRun(p, command, lock.get().storeId())) { // it may see the lock, not handle it
            throw forbidden(p, command.op() + " on store " + lock.get().storeId());
        }
    }

    static RateHubException forbidden(Principal p, String what) {
        return new RateHubException(ErrorCode.FORBIDDEN, p.role() + " " + p.id() + " may not " + what);
    }

    private static Map<String, Object> result(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, value);
        return m;
    }

    private static CompletionStage<Object> done(Object value) {
        return CompletableFuture.completedFuture(value);
    }

    /** The JSON object of a principal, as welcome frames and the HTTP API show it. */
    ObjectNode principalNode(Principal p) {
        ObjectNode n = codec().newObject();
        n.put("id", p.id());
        n.put("role", p.role().name());
        p.stores().stream().sorted().forEach(n.putArray("stores")::add);
        return n;
    }

    /** Builds a {@link ProtocolService}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private RateEngine engine;
        private RateHub hub;
        private Authenticator authenticator;
        private Authorizer authorizer = Authorizer.roles();
        private ProtocolSettings settings = ProtocolSettings.defaults();
        private SessionSettings sessionSettings = SessionSettings.defaults();
        private ScheduledExecutorService scheduler;
        private final Map<String, AppRequestHandler> handlers = new LinkedHashMap<>();
        private ConnectionLimits limits = ConnectionLimits.unlimited();

        private Builder() {
        }

        /**
         * Limits on authenticated connections (total, per store, per principal); a refused connection gets a
         * {@code limit_exceeded} error and is closed with 1013. Default {@link ConnectionLimits#unlimited()}; the
         * server applies {@link ConnectionLimits#defaults()}.
         */
        public Builder limits(ConnectionLimits l) {
            this.limits = Require.notNull("limits", l);
            return this;
        }

        /** The engine commands run against; required. */
        public Builder engine(RateEngine e) {
            this.engine = Require.notNull("engine", e);
            return this;
        }

        /** The hub subscriptions read from; required. */
        public Builder hub(RateHub h) {
            this.hub = Require.notNull("hub", h);
            return this;
        }

        /** Who may connect; required. */
        public Builder authenticator(Authenticator a) {
            this.authenticator = Require.notNull("authenticator", a);
            return this;
        }

        /** What each principal may read and do. Default {@link Authorizer#roles()}. */
        public Builder authorizer(Authorizer a) {
            this.authorizer = Require.notNull("authorizer", a);
            return this;
        }

        /** Per-connection limits. Default {@link ProtocolSettings#defaults()}. */
        public Builder settings(ProtocolSettings s) {
            this.settings = Require.notNull("settings", s);
            return this;
        }

        /** How each connection's hub session is fed. Default {@link SessionSettings#defaults()}. */
        public Builder sessionSettings(SessionSettings s) {
            this.sessionSettings = Require.notNull("sessionSettings", s);
            return this;
        }

        /** Runs deadlines (the authentication deadline); required. Usually the hub's scheduler. */
        public Builder scheduler(ScheduledExecutorService s) {
            this.scheduler = Require.notNull("scheduler", s);
            return this;
        }

        /** Registers the handler of application requests named {@code name}. Default: none. */
        public Builder onRequest(String name, AppRequestHandler handler) {
            handlers.put(Require.id("name", name), Require.notNull("handler", handler));
            return this;
        }

        /** The service. */
        public ProtocolService build() {
            Require.notNull("engine", engine);
            Require.notNull("hub", hub);
            Require.notNull("authenticator", authenticator);
            Require.notNull("scheduler", scheduler);
            return new ProtocolService(this);
        }
    }
}
