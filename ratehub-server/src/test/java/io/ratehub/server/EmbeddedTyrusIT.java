package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.RateHub;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.ProtocolService;
import io.ratehub.server.ServerFixture.Who;
import jakarta.websocket.Endpoint;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An existing application with its own Jakarta WebSocket endpoint in a plain Tyrus server, which adds the ratehub
 * endpoint through {@link RateHubEndpoints#config}: both work side by side.
 */
class EmbeddedTyrusIT {
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");

    /** How the test hands the hand-built protocol to the application's config, which Tyrus instantiates itself. */
    static final class Holder {
        static volatile ProtocolService service;
        static volatile ServerOptions options;

        private Holder() {
        }
    }

    /** The application's own endpoint. */
    @ServerEndpoint("/chat")
    public static final class ChatEndpoint {
        @OnMessage
        public String onMessage(String text) {
            return "{\"chat\":\"" + text + "\"}";
        }
    }

    /** The application's deployment: its own endpoint and ratehub's. */
    public static final class AppConfig implements ServerApplicationConfig {
        @Override
        public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
            return Set.of(RateHubEndpoints.config(Holder.service, Holder.options));
        }

        @Override
        public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
            return Set.of(ChatEndpoint.class);
        }
    }

    private ScheduledThreadPoolExecutor scheduler;
    private RateEngine engine;
    private RateHub hub;
    private Server tyrus;
    private ProbeAuditLog audit;

    @BeforeEach
    void start() throws Exception {
        ServerFixture.quietLogs();
        audit = new ProbeAuditLog();
        scheduler = new ScheduledThreadPoolExecutor(2);
        engine = RateEngine.builder().auditLog(audit).scheduler(scheduler).build();
        // as RateHubServer does it
        hub = RateHub.builder().clock(engine.clock()).scheduler(scheduler).build();
        hub.attach(engine);
        Holder.service = ProtocolService.builder().engine(engine).hub(hub).scheduler(scheduler)
                .authenticator(ServerFixture.apiKeys()).build();
        Holder.options = ServerOptions.builder().pingInterval(Duration.ofMillis(200))
                .pongTimeout(Duration.ofMillis(300)).build();
        engine.onQuote(new MarketQuote(USD_CAD, new BigDecimal("1.36120"), new BigDecimal("1.36140"), "feed-a",
                Instant.now()));
        engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        hub.declareAppChannel("feed");
        tyrus = new Server("127.0.0.1", 0, "/app", Map.of(), AppConfig.class);
        tyrus.start();
    }

    @AfterEach
    void stop() {
        tyrus.stop();
        hub.close("test over");
        scheduler.shutdownNow();
    }

    private URI uri(String path) {
        assertThat(tyrus.getPort()).as("Tyrus reports the port it bound").isPositive();
        return URI.create("ws://127.0.0.1:" + tyrus.getPort() + "/app" + path);
    }

    @Test
    void theApplicationsEndpointAndRatehubWorkSideBySide() {
        WsClient chat = WsClient.connect(uri("/chat"), Map.of());
        WsClient rates = WsClient.connect(uri("/ratehub"), Who.TERMINAL1.header());
        try {
            assertThat(rates.next().path("type").asText()).isEqualTo("welcome");
            chat.ws.sendText("hello", true).join();
            assertThat(chat.next().path("chat").asText()).isEqualTo("hello");
            JsonNode subscribed = rates.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates"));
            assertThat(subscribed.path("type").asText()).isEqualTo("subscribed");
            assertThat(rates.nextFlat().at("/event/rate/sell").asText()).isEqualTo("1.36811");
            JsonNode lock = rates.call(obj("op", "lock", "id", "l", "storeId", "s1", "pair", "USD/CAD", "side",
                    "SELL", "amount", "10.00"));
            assertThat(lock.at("/result/lock/status").asText()).isEqualTo("ACTIVE");
            assertThat(audit.entries()).anyMatch(e -> e.action().equals("lock.created") && e.actor().equals("term1"));
            engine.onQuote(new MarketQuote(USD_CAD, new BigDecimal("1.36200"), new BigDecimal("1.36220"), "feed-a",
                    Instant.now()));
            assertThat(rates.nextMatching(n -> n.path("type").asText().equals("update")).at("/event/rate/mid")
                    .asText()).isEqualTo("1.36210");
            assertThat(Holder.service.connectionCount()).isEqualTo(1);
        } finally {
            chat.close();
            rates.close();
        }
    }

    @Test
    void theApplicationsEndpointAnswersWhileRatehubIsBusy() throws Exception {
        WsClient rates = WsClient.connect(uri("/ratehub"), Who.ADMIN.header());
        WsClient chat = WsClient.connect(uri("/chat"), Map.of());
        try {
            rates.next();
            rates.call(obj("op", "subscribe", "id", "s", "channel", "app:feed"));
            for (int i = 0; i < 500; i++) {
                hub.publishEvent("app:feed", Map.of("n", i));
            }
            chat.ws.sendText("ping?", true).join();
            assertThat(chat.next().path("chat").asText()).isEqualTo("ping?");
            for (int i = 0; i < 500; i++) {
                int n = i;
                assertThat(rates.nextMatching(u -> u.path("type").asText().equals("update")).at("/event/n").asInt())
                        .isEqualTo(n);
            }
        } finally {
            rates.close();
            chat.close();
        }
    }

    @Test
    void authenticationByMessageHeartbeatsAndRefusalsWorkEmbeddedToo() throws Exception {
        WsClient c = WsClient.connect(uri("/ratehub"), Map.of());
        JsonNode w = c.call(obj("op", "auth", "id", "a", "apiKey", Who.VIEWER1.key));
        assertThat(w.path("type").asText()).isEqualTo("welcome");
        Await.until("pings from the embedded endpoint", () -> c.pings() >= 2);
        assertThat(c.call(obj("op", "subscribe", "id", "s", "channel", "store:s2:rates")).path("code").asText())
                .isEqualTo("forbidden");
        c.close();
        WsClient refused = WsClient.connect(uri("/ratehub"), Map.of("X-Api-Key", "nobody-nobody-nobody"));
        assertThat(refused.next().path("code").asText()).isEqualTo("unauthenticated");
        assertThat(refused.awaitClose()).isEqualTo(4001);
        try (RawWebSocket raw = RawWebSocket.connect(uri("/ratehub"), Who.VIEWER1.header())) {
            raw.read(Duration.ofSeconds(5));
            assertThat(raw.awaitClose(Duration.ofSeconds(5), f -> { })).as("no pongs: heartbeat timeout")
                    .isEqualTo(4009);
        }
    }

    @Test
    void aFrameOverTheLimitClosesWith1009Embedded() {
        WsClient c = WsClient.connect(uri("/ratehub"), Who.VIEWER1.header());
        c.next();
        c.ws.sendText("x".repeat((1 << 20) + 100), true);
        assertThat(c.awaitClose()).isEqualTo(1009);
    }
}
