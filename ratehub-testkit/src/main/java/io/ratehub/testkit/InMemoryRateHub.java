package io.ratehub.testkit;

import io.ratehub.client.ReconnectPolicy;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.RateHub;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import io.ratehub.testkit.internal.TestCredentials;
import io.ratehub.core.protocol.ProtocolService;
import io.ratehub.core.protocol.ProtocolSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import io.ratehub.core.internal.Require;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A whole ratehub in memory for tests, in the spirit of OkHttp's MockWebServer: the real engine, hub and protocol,
 * and real {@link RateHubClient}s joined to them by an in-memory transport, all on {@link VirtualTime}. Tests run in
 * milliseconds, with no sockets, yet exercise the same code as production.
 *
 * <pre>{@code
 * try (InMemoryRateHub hub = InMemoryRateHub.create()) {
 *     hub.engine().setSpread("s1", CurrencyPair.parse("USD/CAD"), SpreadRule.bps("50", "50"), "owner");
 *     hub.market().set("USD/CAD", "1.36120", "1.36140");
 *     RateHubClient terminal = hub.connect(Principal.terminal("t1", "s1"));
 *     terminal.subscribeStoreRates("s1", e -> { });
 *     hub.awaitIdle();
 *     assertThat(terminal.rate("s1", CurrencyPair.parse("USD/CAD")).orElseThrow().live()).isTrue();
 *     hub.advance(Duration.ofSeconds(11));                    // every source is now stale
 *     assertThat(terminal.rate("s1", CurrencyPair.parse("USD/CAD")).orElseThrow().live()).isFalse();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Close it (or use {@link RateHubExtension}) to stop its clients and worker thread.
 */
public final class InMemoryRateHub implements AutoCloseable {
    /** Where virtual time starts: 2026-01-05T09:00:00Z, a Monday morning. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-05T09:00:00Z");
    /** The market's sources. */
    public static final List<String> SOURCES = List.of("feed-a", "feed-b", "feed-c");

    private final VirtualTime time;
    private final AuditLog audit = AuditLog.inMemory();
    private final RateEngine engine;
    private final RateHub hub;
    private final ProtocolService protocol;
    private final ScriptedMarket market;
    private final TestCredentials credentials = new TestCredentials();
    private final Map<RateHubClient, InMemoryTransport> transports = new ConcurrentHashMap<>();
    private final List<RateHubClient> clients = new CopyOnWriteArrayList<>();
    private final Random random = new Random(42);

    private InMemoryRateHub(Builder b) {
        this.time = new VirtualTime(b.start);
        RateEngine.Builder eb = RateEngine.builder().clock(time.clock()).scheduler(time.scheduler()).auditLog(audit);
        b.engine.accept(eb);
        this.engine = eb.build();
        this.hub = RateHub.builder().clock(time.clock()).scheduler(time.scheduler()).build();
        hub.attach(engine);
        this.protocol = ProtocolService.builder().engine(engine).hub(hub).scheduler(time.scheduler())
                .authenticator(credentials)
                .settings(b.protocolSettings).sessionSettings(b.sessionSettings).limits(ConnectionLimits.unlimited())
                .build();
        this.market = new ScriptedMarket(engine, SOURCES);
    }

    /** A hub with every default. */
    public static InMemoryRateHub create() {
        return builder().build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The engine (commands, reads). */
    public RateEngine engine() {
        return engine;
    }

    /** The hub (publish app events, private messages). */
    public RateHub hub() {
        return hub;
    }

    /** The protocol service (connections). */
    public ProtocolService protocol() {
        return protocol;
    }

    /** The scripted market of sources {@link #SOURCES}. */
    public ScriptedMarket market() {
        return market;
    }

    /** The audit trail (in memory). */
    public AuditLog audit() {
        return audit;
    }

    /** Virtual time. */
    public VirtualTime time() {
        return time;
    }

    /** Moves virtual time forward and waits until everything it set off has run. */
    public void advance(Duration d) {
        time.advance(d);
    }

    /** Waits until every delivery, command and listener under way has run. */
    public void awaitIdle() {
        time.awaitIdle();
    }

    /** Credentials for {@code principal}: an API key this hub accepts. */
    public String apiKeyFor(Principal principal) {
        return credentials.keyFor(principal);
    }

    /**
     * A client for {@code principal}, not yet connected, with the kit's defaults: in-memory transport, virtual time,
     * listeners on the kit's worker, the client's liveness defaults (rates not live after 5 s of silence, a ping
     * after 1.7 s of it, dead link after 15 s), reconnect from 250 ms.
     */
    public RateHubClient client(Principal principal) {
        return client(principal, b -> { });
    }

    /** A client for {@code principal} with the builder adjusted by {@code customizer}, not yet connected. */
    public RateHubClient client(Principal principal, Consumer<RateHubClient.Builder> customizer) {
        InMemoryTransport transport = new InMemoryTransport(protocol, time);
        RateHubClient.Builder b = RateHubClient.builder()
                .uri(URI.create("memory://ratehub"))
                .apiKey(apiKeyFor(principal))
                .transport(transport)
                .scheduler(time.scheduler())
                .listenerExecutor(time.scheduler())
                .clock(time.clock())
                .reconnect(ReconnectPolicy.DEFAULT)
                .random(new Random(random.nextLong()));
        customizer.accept(b);
        RateHubClient c = b.build();
        transports.put(c, transport);
        clients.add(c);
        return c;
    }

    /** A client for {@code principal}, connected and authenticated. */
    public RateHubClient connect(Principal principal) {
        RateHubClient c = client(principal);
        try {
            c.connect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the in-memory client did not connect", e);
        }
        return c;
    }

    /** The network between {@code client} and this hub, for fault injection. */
    public Network network(RateHubClient client) {
        InMemoryTransport t = transports.get(client);
        if (t == null) {
            throw new IllegalArgumentException("not a client of this hub");
        }
        return t;
    }

    @Override
    public void close() {
        for (RateHubClient c : clients) {
            c.close();
        }
        hub.close("in-memory hub closed");
        time.shutdown();
    }

    /** Builds an {@link InMemoryRateHub}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private Instant start = DEFAULT_START;
        private Consumer<RateEngine.Builder> engine = b -> { };
        private ProtocolSettings protocolSettings = ProtocolSettings.builder().messagesPerMinute(100_000)
                .messageBurst(10_000).build();
        private SessionSettings sessionSettings = SessionSettings.defaults();

        private Builder() {
        }

        /** Where virtual time starts. Default {@link #DEFAULT_START}. */
        public Builder start(Instant t) {
            this.start = Require.notNull("start", t);
            return this;
        }

        /** Adjusts the engine (clock, scheduler and audit log are the kit's). Default: engine defaults. */
        public Builder engine(Consumer<RateEngine.Builder> customizer) {
            this.engine = Require.notNull("customizer", customizer);
            return this;
        }

        /** Protocol limits. Default: generous message rates, so tests are not rate-limited. */
        public Builder protocolSettings(ProtocolSettings s) {
            this.protocolSettings = Require.notNull("protocolSettings", s);
            return this;
        }

        /** Per-connection queue settings. Default {@link SessionSettings#defaults()}. */
        public Builder sessionSettings(SessionSettings s) {
            this.sessionSettings = Require.notNull("sessionSettings", s);
            return this;
        }

        /** The hub. */
        public InMemoryRateHub build() {
            return new InMemoryRateHub(this);
        }
    }
}
