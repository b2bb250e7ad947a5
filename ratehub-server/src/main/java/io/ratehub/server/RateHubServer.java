package io.ratehub.server;

import io.ratehub.core.ValidationException;
import io.ratehub.core.engine.ListenerRegistration;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.RateHub;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.internal.Require;
import io.ratehub.core.protocol.AppRequestHandler;
import io.ratehub.core.protocol.Authenticator;
import io.ratehub.core.protocol.Authorizer;
import io.ratehub.core.protocol.CloseCodes;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.ProtocolConnection;
import io.ratehub.core.protocol.ProtocolService;
import io.ratehub.core.protocol.ProtocolSettings;
import io.ratehub.server.internal.GrizzlyContainer;
import io.ratehub.server.internal.BoardPage;
import io.ratehub.server.internal.HttpApi;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ratehub server: the WebSocket endpoint and the HTTP API on one port (Tyrus on Grizzly), serving a
 * {@link RateEngine} through a {@link RateHub}.
 *
 * <pre>{@code
 * RateHubServer server = RateHubServer.builder()
 *         .engine(engine)
 *         .authenticator(ApiKeyAuthenticator.builder().keyHash(hash, Principal.terminal("t1", "downtown")).build())
 *         .port(0)                                  // any free port
 *         .closeOnStop(auditLog)
 *         .start();
 * URI ws = server.webSocketUri();                   // ws://127.0.0.1:<port>/ratehub
 * ...
 * server.stop(Duration.ofSeconds(5));               // 1001 to every client after flushing, then the audit log
 * }</pre>
 *
 * <p>Thread-safe. The server owns a small scheduler (two daemon threads) for sending, batching, heartbeats and the
 * engine's timers; Grizzly owns its I/O threads.
 */
public final class RateHubServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RateHubServer.class);

    private final RateEngine engine;
    private final RateHub hub;
    private final ProtocolService protocol;
    private final ServerOptions options;
    private final ScheduledThreadPoolExecutor scheduler;
    private final HttpServer http;
    private final GrizzlyContainer container;
    private final HttpApi httpApi;
    private final ListenerRegistration routing;
    private final List<AutoCloseable> closeOnStop;
    private final Duration defaultStopDeadline;
    private final String host;
    private final int port;
    private volatile boolean accepting;
    private volatile boolean stopped;

    private RateHubServer(Builder b) throws IOException, DeploymentException {
        this.engine = b.engine;
        this.options = b.options;
        this.closeOnStop = List.copyOf(b.closeOnStop);
        this.defaultStopDeadline = b.stopDeadline;
        this.scheduler = new ScheduledThreadPoolExecutor(2, daemonThreads());
        scheduler.setRemoveOnCancelPolicy(true);
        this.hub = RateHub.builder().clock(engine.clock()).scheduler(scheduler).build();
        this.routing = hub.attach(engine);
        ProtocolService.Builder pb = ProtocolService.builder().engine(engine).hub(hub).scheduler(scheduler)
                .authenticator(b.authenticator).authorizer(b.authorizer).settings(b.protocolSettings)
                .sessionSettings(b.sessionSettings).limits(b.limits);
        b.handlers.forEach(pb::onRequest);
        this.protocol = pb.build();

        this.container = new GrizzlyContainer(options.maxFrameBytes(), "/");
        container.register(RateHubEndpoints.config(protocol, options, () -> accepting, true));
        this.http = new HttpServer();
        NetworkListener listener = new NetworkListener("ratehub", b.host, b.port);
        listener.registerAddOn(new io.ratehub.server.internal.WebSocketUpgrade(container, options::originAllowed));
        listener.registerAddOn(new io.ratehub.server.internal.RequestLineGuard());
        http.addListener(listener);
        http.getServerConfiguration().setMaxPayloadRemainderToSkip(HttpApi.MAX_SKIPPED_BODY);
        this.httpApi = new HttpApi(protocol, () -> accepting && !stopped,
                b.rateBoard ? new BoardPage(options.path()) : null, b.httpApiSettings);
        http.getServerConfiguration().addHttpHandler(httpApi, "/");
        try {
            http.start();
        } catch (IOException | RuntimeException e) {
            httpApi.close();
            throw e;
        }
        this.host = b.host;
        this.port = listener.getPort();
        try {
            container.start("/", port);
        } catch (IOException | DeploymentException | RuntimeException e) {
            http.shutdownNow();
            httpApi.close();
            throw e;
        }
        long tick = b.timerInterval.toNanos();
        scheduler.scheduleAtFixedRate(this::runEngineTimers, tick, tick, TimeUnit.NANOSECONDS);
        this.accepting = true;
        LOG.info("ratehub listening on {}:{} (WebSocket {}, HTTP /api, /health)", host, port, options.path());
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "ratehub-scheduler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void runEngineTimers() {
        try {
            engine.runDueTimers();
        } catch (RuntimeException e) {
            LOG.error("engine timers failed", e);
        }
    }

    /** A builder; engine and authenticator are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the server is bound to (the real one when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The WebSocket URI, for example {@code ws://127.0.0.1:41234/ratehub}. */
    public URI webSocketUri() {
        return URI.create("ws://" + hostForUri() + ":" + port + options.path());
    }

    /** The HTTP base URI, for example {@code http://127.0.0.1:41234}. */
    public URI httpUri() {
        return URI.create("http://" + hostForUri() + ":" + port);
    }

    /**
     * The address of the live rate board for a store, with the key in the fragment (never sent to the server), for
     * example {@code http://127.0.0.1:8080/board/#store=downtown&key=...}. Meaningful only when the board is enabled.
     */
    public URI boardUri(String storeId, String apiKey) {
        return URI.create(httpUri() + BoardPage.PREFIX + "/#store=" + urlEncode(Require.id("storeId", storeId))
                + "&key=" + urlEncode(Require.text("apiKey", apiKey)));
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private String hostForUri() {
        if (host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The hub, for publishing application events ({@link RateHub#publishEvent(String, Object)}). */
    public RateHub hub() {
        return hub;
    }

    /** The protocol service (connections, limits). */
    public ProtocolService protocol() {
        return protocol;
    }

    /** The engine. */
    public RateEngine engine() {
        return engine;
    }

    /** How many HTTP API requests wait for an API worker (for tests). */
    int httpApiQueueLength() {
        return httpApi.queuedRequests();
    }

    /** Stops with the builder's stop deadline. */
    @Override
    public void close() {
        stop(defaultStopDeadline);
    }

    /**
     * Stops gracefully: no new connections (they are closed with 1001 at once, and readiness turns 503); every
     * client gets its pending frames and then a 1001 close; whatever has not flushed by {@code deadline} is closed
     * anyway; then the listener, the scheduler and the {@link Builder#closeOnStop} resources (the audit log) are
     * closed. Idempotent.
     */
    public synchronized void stop(Duration deadline) {
        if (stopped) {
            return;
        }
        accepting = false;
        long until = System.nanoTime() + deadline.toNanos();
        for (ProtocolConnection c : protocol.connections()) {
            c.closeAfterFlush(CloseCodes.GOING_AWAY, "server shutting down");
        }
        while (protocol.connectionCount() > 0 && System.nanoTime() - until < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // waiting for flushes, bounded by the deadline
        }
        for (ProtocolConnection c : protocol.connections()) {
            c.close(CloseCodes.GOING_AWAY, "server shutting down");
        }
        stopped = true;
        routing.remove();
        hub.close("server shutting down");
        try {
            http.shutdown(1, TimeUnit.SECONDS).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            http.shutdownNow();
        }
        httpApi.close();
        container.stop();
        scheduler.shutdownNow();
        for (AutoCloseable c : closeOnStop) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.error("closing {} on stop failed", c, e);
            }
        }
        LOG.info("ratehub on port {} stopped", port);
    }

    /** Builds and starts a {@link RateHubServer}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        /** Default bind address: 127.0.0.1 (loopback only; set 0.0.0.0 to listen on every interface). */
        public static final String DEFAULT_HOST = "127.0.0.1";
        /** Default port: 8080. */
        public static final int DEFAULT_PORT = 8080;
        /** Default deadline of {@link RateHubServer#close()}: 5 seconds. */
        public static final Duration DEFAULT_STOP_DEADLINE = Duration.ofSeconds(5);
        /** Default interval at which the server runs the engine's due timers: 100 ms. */
        public static final Duration DEFAULT_TIMER_INTERVAL = Duration.ofMillis(100);

        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private RateEngine engine;
        private Authenticator authenticator;
        private Authorizer authorizer = Authorizer.roles();
        private ServerOptions options = ServerOptions.defaults();
        private ProtocolSettings protocolSettings = ProtocolSettings.defaults();
        private SessionSettings sessionSettings = SessionSettings.defaults();
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private HttpApiSettings httpApiSettings = HttpApiSettings.defaults();
        private final Map<String, AppRequestHandler> handlers = new LinkedHashMap<>();
        private final List<AutoCloseable> closeOnStop = new ArrayList<>();
        private Duration stopDeadline = DEFAULT_STOP_DEADLINE;
        private Duration timerInterval = DEFAULT_TIMER_INTERVAL;
        private boolean rateBoard = true;

        private Builder() {
        }

        /** Bind address. Default {@link #DEFAULT_HOST}. */
        public Builder host(String h) {
            this.host = Require.text("host", h);
            return this;
        }

        /** Port; 0 picks any free port (see {@link RateHubServer#port()}). Default {@link #DEFAULT_PORT}. */
        public Builder port(int p) {
            if (p < 0 || p > 65535) {
                throw new ValidationException("port", p, "must be between 0 and 65535");
            }
            this.port = p;
            return this;
        }

        /** The engine served; required. */
        public Builder engine(RateEngine e) {
            this.engine = Require.notNull("engine", e);
            return this;
        }

        /** Who may connect; required. */
        public Builder authenticator(Authenticator a) {
            this.authenticator = Require.notNull("authenticator", a);
            return this;
        }

        /** What each principal may do. Default {@link Authorizer#roles()}. */
        public Builder authorizer(Authorizer a) {
            this.authorizer = Require.notNull("authorizer", a);
            return this;
        }

        /** Path, frame size, origins, heartbeat. Default {@link ServerOptions#defaults()}. */
        public Builder options(ServerOptions o) {
            this.options = Require.notNull("options", o);
            return this;
        }

        /** Per-connection protocol limits. Default {@link ProtocolSettings#defaults()}. */
        public Builder protocolSettings(ProtocolSettings s) {
            this.protocolSettings = Require.notNull("protocolSettings", s);
            return this;
        }

        /** Batching window and queue bounds per connection. Default {@link SessionSettings#defaults()}. */
        public Builder sessionSettings(SessionSettings s) {
            this.sessionSettings = Require.notNull("sessionSettings", s);
            return this;
        }

        /** Connection limits. Default {@link ConnectionLimits#defaults()}. */
        public Builder limits(ConnectionLimits l) {
            this.limits = Require.notNull("limits", l);
            return this;
        }

        /**
         * Limits of the HTTP API: the body deadline, the requests per minute per principal and the API workers.
         * Default {@link HttpApiSettings#defaults()}.
         */
        public Builder httpApi(HttpApiSettings s) {
            this.httpApiSettings = Require.notNull("httpApi", s);
            return this;
        }

        /** Handles application requests named {@code name}. Default: none. */
        public Builder onRequest(String name, AppRequestHandler handler) {
            handlers.put(Require.id("name", name), Require.notNull("handler", handler));
            return this;
        }

        /** Closed after the server stops, in order (typically the audit log). Default: none. */
        public Builder closeOnStop(AutoCloseable resource) {
            closeOnStop.add(Require.notNull("resource", resource));
            return this;
        }

        /** Deadline of {@link RateHubServer#close()}. Default {@link #DEFAULT_STOP_DEADLINE}. */
        public Builder stopDeadline(Duration d) {
            this.stopDeadline = Require.positive("stopDeadline", d);
            return this;
        }

        /** How often the engine's due timers run. Default {@link #DEFAULT_TIMER_INTERVAL}. */
        public Builder timerInterval(Duration d) {
            this.timerInterval = Require.positive("timerInterval", d);
            return this;
        }

        /**
         * Whether to serve the live rate board at {@code /board/} (a static page that shows one store's rates over
         * the WebSocket protocol; it holds no data and needs a key to show any). Default true.
         */
        public Builder rateBoard(boolean enabled) {
            this.rateBoard = enabled;
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws UncheckedIOException when the port cannot be bound
         */
        public RateHubServer start() {
            Require.notNull("engine", engine);
            Require.notNull("authenticator", authenticator);
            try {
                return new RateHubServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start ratehub on " + host + ":" + port, e);
            } catch (DeploymentException e) {
                throw new IllegalStateException("cannot deploy the ratehub endpoint", e);
            }
        }
    }
}
