package io.ratehub.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.HubSession;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.ProtocolConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link RateHubServer} on port 0 with an API key per test principal, an in-memory {@link ProbeAuditLog} and
 * (after {@link #withMarket()}) a live USD/CAD market priced by stores {@code s1} and {@code s2}. Closes every
 * client it opened and stops the server.
 */
final class ServerFixture implements AutoCloseable {
    static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    static final CurrencyPair EUR_USD = CurrencyPair.parse("EUR/USD");
    static final CurrencyPair GBP_USD = CurrencyPair.parse("GBP/USD");
    static final Duration MAX_SOURCE_AGE = Duration.ofSeconds(30);
    /** The application channels ({@code app:<name>}) every test server declares. */
    static final List<String> APP_CHANNELS = List.of("orders", "news", "ticks", "big", "stream", "firehose", "a",
            "b", "c", "x", "busy", "feed");

    /** The test principals and their API keys. */
    enum Who {
        ADMIN("admin-key-000000000001", Principal.admin("root")),
        MANAGER1("manager-key-0000000001", Principal.manager("mgr1", "s1")),
        TERMINAL1("terminal-key-000000001", Principal.terminal("term1", "s1")),
        VIEWER1("viewer-key-00000000001", Principal.viewer("view1", "s1")),
        MANAGER2("manager-key-0000000002", Principal.manager("mgr2", "s2")),
        TERMINAL2("terminal-key-000000002", Principal.terminal("term2", "s2"));

        final String key;
        final Principal principal;

        Who(String key, Principal principal) {
            this.key = key;
            this.principal = principal;
        }

        Map<String, String> header() {
            return Map.of("X-Api-Key", key);
        }
    }

    /** Grizzly and Tyrus log through java.util.logging; their INFO chatter would drown the test output. */
    private static final java.util.logging.Logger GLASSFISH = java.util.logging.Logger.getLogger("org.glassfish");

    static {
        quietLogs();
    }

    static void quietLogs() {
        GLASSFISH.setLevel(java.util.logging.Level.SEVERE);
    }

    final ProbeAuditLog audit = new ProbeAuditLog();
    final RateEngine engine;
    final RateHubServer server;
    private final List<WsClient> clients = new CopyOnWriteArrayList<>();
    private final Map<WsClient, String> connectionIds = new ConcurrentHashMap<>();

    private ServerFixture(Consumer<RateEngine.Builder> engineConfig, Consumer<RateHubServer.Builder> serverConfig) {
        this(engineConfig, serverConfig, false);
    }

    private ServerFixture(Consumer<RateEngine.Builder> engineConfig, Consumer<RateHubServer.Builder> serverConfig,
                          boolean closeAuditOnStop) {
        RateEngine.Builder eb = RateEngine.builder().auditLog(audit).maxSourceAge(MAX_SOURCE_AGE);
        engineConfig.accept(eb);
        this.engine = eb.build();
        RateHubServer.Builder sb = RateHubServer.builder().port(0).engine(engine).authenticator(apiKeys())
                .timerInterval(Duration.ofMillis(20)).stopDeadline(Duration.ofSeconds(2));
        if (closeAuditOnStop) {
            sb.closeOnStop(audit); // as an application does with its audit log
        }
        serverConfig.accept(sb);
        this.server = sb.start();
        for (String app : APP_CHANNELS) {
            server.hub().declareAppChannel(app); // as the application does for the channels it offers
        }
    }

    /** The API keys of every {@link Who}. */
    static ApiKeyAuthenticator apiKeys() {
        ApiKeyAuthenticator.Builder keys = ApiKeyAuthenticator.builder();
        for (Who w : Who.values()) {
            keys.key(w.key, w.principal);
        }
        return keys.build();
    }

    static ServerFixture start() {
        return new ServerFixture(e -> { }, s -> { });
    }

    static ServerFixture start(Consumer<RateHubServer.Builder> serverConfig) {
        return new ServerFixture(e -> { }, serverConfig);
    }

    /** A server given its engine's audit log to close on stop. */
    static ServerFixture startClosingAuditOnStop() {
        return new ServerFixture(e -> { }, s -> { }, true);
    }

    static ServerFixture start(Consumer<RateEngine.Builder> engineConfig,
                               Consumer<RateHubServer.Builder> serverConfig) {
        return new ServerFixture(engineConfig, serverConfig);
    }

    /** A live USD/CAD market (mid 1.36130) with 50/50 bps at s1 and 80/80 bps at s2. */
    ServerFixture withMarket() {
        quote(USD_CAD, "1.36120", "1.36140");
        engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("s2", USD_CAD, SpreadRule.bps("80", "80"), "owner");
        return this;
    }

    void quote(CurrencyPair pair, String bid, String ask) {
        quote(pair, "feed-a", bid, ask, Instant.now());
    }

    void quote(CurrencyPair pair, String source, String bid, String ask, Instant time) {
        engine.onQuote(new MarketQuote(pair, new BigDecimal(bid), new BigDecimal(ask), source, time));
    }

    URI ws() {
        return server.webSocketUri();
    }

    /** Connects as {@code who} with its API key in the handshake, and takes the {@code welcome}. */
    WsClient connect(Who who) {
        WsClient c = track(WsClient.connect(ws(), who.header()));
        JsonNode welcome = c.next();
        if (!welcome.path("type").asText().equals("welcome")) {
            throw new AssertionError("expected welcome, got " + welcome);
        }
        connectionIds.put(c, welcome.path("connection").asText());
        return c;
    }

    /** Connects with these handshake headers and reads nothing. */
    WsClient connect(Map<String, String> headers) {
        return track(WsClient.connect(ws(), headers));
    }

    WsClient track(WsClient c) {
        clients.add(c);
        return c;
    }

    /** Remembers the connection id of a client that authenticated by message. */
    void welcomed(WsClient c, JsonNode welcome) {
        connectionIds.put(c, welcome.path("connection").asText());
    }

    /** The server side of a client's connection (the client must have been welcomed). */
    ProtocolConnection connectionOf(WsClient c) {
        String id = connectionIds.get(c);
        return server.protocol().connections().stream().filter(pc -> pc.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no open connection " + id));
    }

    HubSession sessionOf(WsClient c) {
        return connectionOf(c).session();
    }

    HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri().resolve(path)).GET();
        headers.forEach(b::header);
        return send(b.build());
    }

    HttpResponse<String> get(String path, Who who) {
        return get(path, who.header());
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b.build());
    }

    HttpResponse<String> post(String path, String body, Who who) {
        return post(path, body, who.header());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return WsClient.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            StringBuilder dump = new StringBuilder("no HTTP response within 10 s to " + request + "; threads:\n");
            Thread.getAllStackTraces().forEach((t, stack) -> {
                dump.append(t.getName()).append(" ").append(t.getState()).append('\n');
                for (StackTraceElement el : stack) {
                    dump.append("    at ").append(el).append('\n');
                }
            });
            System.out.println(dump);
            throw new AssertionError("no HTTP response within 10 s to " + request);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new UncheckedIOException(new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (WsClient c : clients) {
            c.abort();
        }
        server.stop(Duration.ofSeconds(1));
    }
}
