package io.ratehub.testkit;

import io.ratehub.client.RateHubClient;
import io.ratehub.client.ReconnectPolicy;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import io.ratehub.testkit.internal.TestCredentials;
import io.ratehub.core.protocol.ProtocolSettings;
import io.ratehub.server.RateHubServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real ratehub server on a free loopback port, for end-to-end tests over real WebSockets: the same engine and
 * server a production deployment runs, with an in-memory audit trail and test credentials.
 *
 * <p>Thread-safe. Close it (or use {@link RealRateHubExtension}) to stop the server and its clients.
 */
public final class RealRateHub implements AutoCloseable {
    private final AuditLog audit = AuditLog.inMemory();
    private final RateEngine engine;
    private final RateHubServer server;
    private final ScriptedMarket market;
    private final TestCredentials credentials = new TestCredentials();
    private final List<RateHubClient> clients = new CopyOnWriteArrayList<>();

    /** Starts a server with engine defaults. */
    public RealRateHub() {
        this(b -> { });
    }

    /** Starts a server with the engine builder adjusted by {@code engineCustomizer}. */
    public RealRateHub(Consumer<RateEngine.Builder> engineCustomizer) {
        RateEngine.Builder eb = RateEngine.builder().auditLog(audit);
        engineCustomizer.accept(eb);
        this.engine = eb.build();
        this.server = RateHubServer.builder().port(0).engine(engine)
                .protocolSettings(ProtocolSettings.builder().messagesPerMinute(100_000).messageBurst(10_000).build())
                .limits(ConnectionLimits.unlimited())
                .authenticator(credentials)
                .start();
        this.market = new ScriptedMarket(engine, InMemoryRateHub.SOURCES);
    }

    /** The server. */
    public RateHubServer server() {
        return server;
    }

    /** The engine. */
    public RateEngine engine() {
        return engine;
    }

    /** The scripted market. */
    public ScriptedMarket market() {
        return market;
    }

    /** The audit trail. */
    public AuditLog audit() {
        return audit;
    }

    /** An API key this server accepts for {@code principal}. */
    public String apiKeyFor(Principal principal) {
        return credentials.keyFor(principal);
    }

    /** A Tyrus client for {@code principal}, not yet connected, adjusted by {@code customizer}. */
    public RateHubClient client(Principal principal, Consumer<RateHubClient.Builder> customizer) {
        RateHubClient.Builder b = RateHubClient.builder().uri(server.webSocketUri()).apiKey(apiKeyFor(principal))
                .reconnect(new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(200), 0.2, 0));
        customizer.accept(b);
        RateHubClient c = b.build();
        clients.add(c);
        return c;
    }

    /** A Tyrus client for {@code principal}, connected. */
    public RateHubClient connect(Principal principal) {
        RateHubClient c = client(principal, b -> { });
        try {
            c.connect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the client did not connect to " + server.webSocketUri(), e);
        }
        return c;
    }

    @Override
    public void close() {
        for (RateHubClient c : clients) {
            c.close();
        }
        server.stop(Duration.ofSeconds(2));
    }
}
