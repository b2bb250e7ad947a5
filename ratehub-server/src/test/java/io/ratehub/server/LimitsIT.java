package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.ProtocolSettings;
import io.ratehub.server.ServerFixture.Who;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limits of docs/PROTOCOL.md: connections, subscriptions, message rate, frame size, origins. */
class LimitsIT {
    private final List<ServerFixture> fixtures = new ArrayList<>();

    private ServerFixture server(Consumer<RateHubServer.Builder> config) {
        ServerFixture f = ServerFixture.start(config).withMarket();
        fixtures.add(f);
        return f;
    }

    @AfterEach
    void stop() {
        fixtures.forEach(ServerFixture::close);
    }

    private static void assertRefusedForLimit(WsClient c) {
        JsonNode e = c.next();
        assertThat(e.path("type").asText()).as("%s", e).isEqualTo("error");
        assertThat(e.path("code").asText()).as("%s", e).isEqualTo("limit_exceeded");
        assertThat(c.awaitClose()).isEqualTo(1013);
    }

    // ------------------------------------------------------------------ live rate locks

    @Test
    void activeLocksPerTerminalAndPerStoreAreCappedOverHttpAndWebSocket() {
        ServerFixture f = ServerFixture.start(e -> e.maxActiveLocksPerActor(2).maxActiveLocksPerStore(3), b -> { })
                .withMarket();
        fixtures.add(f);
        String lock = obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount", "1.00");
        assertThat(f.post("/api/lock", lock, Who.TERMINAL1).statusCode()).isEqualTo(200);
        WsClient terminal = f.connect(Who.TERMINAL1);
        JsonNode second = terminal.call(obj("op", "lock", "id", "l2", "storeId", "s1", "pair", "USD/CAD", "side",
                "SELL", "amount", "1.00", "requestId", "r-2"));
        assertThat(second.path("type").asText()).as("%s", second).isEqualTo("reply");
        int audited = f.audit.entries().size();

        var overHttp = f.post("/api/lock", lock, Who.TERMINAL1);
        assertThat(overHttp.statusCode()).isEqualTo(429);
        JsonNode body = Json.parse(overHttp.body());
        assertThat(body.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(body.path("message").asText()).contains("maxActiveLocksPerActor");
        JsonNode overWs = terminal.call(obj("op", "lock", "id", "l3", "storeId", "s1", "pair", "USD/CAD", "side",
                "SELL", "amount", "1.00"));
        assertThat(overWs.path("code").asText()).as("%s", overWs).isEqualTo("limit_exceeded");
        assertThat(f.audit.entries()).as("refusals write no audit entry").hasSize(audited);
        JsonNode again = terminal.call(obj("op", "lock", "id", "l4", "storeId", "s1", "pair", "USD/CAD", "side",
                "SELL", "amount", "1.00", "requestId", "r-2"));
        assertThat(again.at("/result/lock/lockId").asText()).as("a repeated request id at the cap: %s", again)
                .isEqualTo(second.at("/result/lock/lockId").asText());

        assertThat(f.post("/api/lock", lock, Who.MANAGER1).statusCode()).as("the store's third").isEqualTo(200);
        JsonNode storeFull = Json.parse(f.post("/api/lock", lock, Who.ADMIN).body());
        assertThat(storeFull.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(storeFull.path("message").asText()).contains("maxActiveLocksPerStore");

        String first = second.at("/result/lock/lockId").asText();
        assertThat(terminal.call(obj("op", "cancel_lock", "id", "c", "lockId", first, "reason", "left"))
                .path("type").asText()).isEqualTo("reply");
        assertThat(f.post("/api/lock", lock, Who.TERMINAL1).statusCode()).as("a cancelled lock frees its place")
                .isEqualTo(200);
    }

    // ------------------------------------------------------------------ connections

    @Test
    void connectionsInTotal() {
        ServerFixture f = server(b -> b.limits(new ConnectionLimits(2, 100, 100)));
        WsClient a = f.connect(Who.TERMINAL1);
        f.connect(Who.MANAGER2);
        assertRefusedForLimit(f.connect(Who.ADMIN.header()));
        a.close();
        Await.until("a place is free again", () -> f.server.protocol().limits().total() == 1);
        f.connect(Who.ADMIN).assertAlive();
    }

    @Test
    void connectionsPerStore() {
        ServerFixture f = server(b -> b.limits(new ConnectionLimits(100, 2, 100)));
        f.connect(Who.TERMINAL1);
        f.connect(Who.VIEWER1);
        assertRefusedForLimit(f.connect(Who.MANAGER1.header()));
        f.connect(Who.MANAGER2).assertAlive(); // another store
        f.connect(Who.ADMIN).assertAlive(); // admins count for no store
    }

    @Test
    void connectionsPerPrincipal() {
        ServerFixture f = server(b -> b.limits(new ConnectionLimits(100, 100, 2)));
        f.connect(Who.TERMINAL1);
        f.connect(Who.TERMINAL1);
        assertRefusedForLimit(f.connect(Who.TERMINAL1.header()));
        f.connect(Who.VIEWER1).assertAlive();
    }

    @Test
    void theServerDefaultsAreTenPerPrincipalAndFiftyPerStore() {
        ServerFixture f = server(b -> b.authenticator(c -> Principal.viewer(c.secret(), "s9")));
        for (int i = 0; i < 10; i++) {
            f.connect(Map.of("X-Api-Key", "same-user")).next();
        }
        assertRefusedForLimit(f.connect(Map.of("X-Api-Key", "same-user")));
        for (int i = 0; i < 40; i++) {
            assertThat(f.connect(Map.of("X-Api-Key", "user-" + i)).next().path("type").asText())
                    .isEqualTo("welcome");
        }
        assertRefusedForLimit(f.connect(Map.of("X-Api-Key", "one-too-many")));
    }

    @Test
    void aLimitAlsoRefusesAnAuthMessageAndUnauthenticatedConnectionsDoNotCount() {
        ServerFixture f = server(b -> b.limits(new ConnectionLimits(1, 100, 100)));
        WsClient a = f.connect(Map.of());
        WsClient b = f.connect(Map.of());
        assertThat(a.call(obj("op", "auth", "id", "1", "apiKey", Who.VIEWER1.key)).path("type").asText())
                .isEqualTo("welcome");
        JsonNode e = b.call(obj("op", "auth", "id", "2", "apiKey", Who.MANAGER2.key));
        assertThat(e.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(b.awaitClose()).isEqualTo(1013);
    }

    @Test
    void placesAreReleasedWhenClientsVanishWithoutAClosingHandshake() {
        ServerFixture f = server(b -> b.limits(new ConnectionLimits(100, 100, 1)));
        for (int i = 0; i < 10; i++) {
            WsClient c = f.connect(Who.TERMINAL1);
            if (i % 2 == 0) {
                c.abort();
            } else {
                c.close();
            }
            Await.until("released after disconnect " + i, () -> f.server.protocol().limits().total() == 0);
        }
        assertThat(f.server.protocol().connectionCount()).isZero();
        assertThat(f.server.hub().sessionCount()).isZero();
    }

    @Test
    void refusedConnectionsDoNotHoldAPlace() {
        ServerFixture f = server(b -> b.limits(new ConnectionLimits(1, 100, 100)));
        WsClient first = f.connect(Who.VIEWER1);
        for (int i = 0; i < 5; i++) {
            assertRefusedForLimit(f.connect(Who.MANAGER2.header()));
        }
        assertThat(f.server.protocol().limits().total()).isEqualTo(1);
        first.close();
        Await.until("released", () -> f.server.protocol().limits().total() == 0);
        f.connect(Who.MANAGER2).assertAlive();
    }

    // ------------------------------------------------------------------ per connection

    @Test
    void subscriptionsPerConnection() {
        ServerFixture f = server(b -> b.protocolSettings(ProtocolSettings.builder().maxSubscriptions(3).build()));
        WsClient c = f.connect(Who.MANAGER1);
        for (String ch : List.of("market", "store:s1:rates", "store:s1:locks")) {
            assertThat(c.call(obj("op", "subscribe", "id", ch, "channel", ch)).path("type").asText())
                    .isEqualTo("subscribed");
        }
        JsonNode e = c.call(obj("op", "subscribe", "id", "4th", "channel", "store:s1:alerts"));
        assertThat(e.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(f.sessionOf(c).subscriptions()).hasSize(3);
        c.assertAlive();
    }

    @Test
    void theDefaultSubscriptionLimitIs100() {
        ServerFixture f = server(b -> b.protocolSettings(ProtocolSettings.builder().messageBurst(200).build()));
        for (int i = 0; i < 100; i++) {
            f.server.hub().declareAppChannel("a" + i);
        }
        f.server.hub().declareAppChannel("one-more");
        WsClient c = f.connect(Who.ADMIN);
        for (int i = 0; i < 100; i++) {
            c.send(obj("op", "subscribe", "id", "s" + i, "channel", "app:a" + i));
        }
        JsonNode e = c.call(obj("op", "subscribe", "id", "s100", "channel", "app:one-more"));
        assertThat(e.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(f.sessionOf(c).subscriptions()).hasSize(100);
    }

    @Test
    void messageRateWithBurst() {
        ServerFixture f = server(b -> b.protocolSettings(ProtocolSettings.builder().messageBurst(10)
                .messagesPerMinute(1).build()));
        WsClient c = f.connect(Who.VIEWER1);
        WsClient other = f.connect(Who.MANAGER1);
        for (int i = 0; i < 12; i++) {
            c.send(obj("op", "ping", "id", "p" + i));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(c.next().path("type").asText()).isEqualTo("pong");
        }
        for (int i = 0; i < 2; i++) {
            JsonNode e = c.next();
            assertThat(e.path("code").asText()).isEqualTo("rate_limited");
            assertThat(e.path("id").asText()).as("the refusal names the dropped message").isEqualTo("p" + (10 + i));
        }
        assertThat(c.isClosed()).isFalse();
        other.assertAlive(); // the limit is per connection
    }

    @Test
    void theDefaultFrameLimitIsOneMebibyte() {
        ServerFixture f = server(b -> { });
        WsClient c = f.connect(Who.VIEWER1);
        String envelope = obj("op", "subscribe", "id", "f", "channel", "market", "pad", "");
        String under = obj("op", "subscribe", "id", "f", "channel", "market", "pad",
                "x".repeat((1 << 20) - envelope.length()));
        assertThat(under.length()).isEqualTo(1 << 20);
        JsonNode e = c.call(under);
        assertThat(e.path("code").asText()).as("read, then refused for its unknown field")
                .isEqualTo("invalid_argument");
        c.ws.sendText(under + " ", true);
        assertThat(c.awaitClose()).isEqualTo(1009);
    }

    // ------------------------------------------------------------------ origins

    private ServerFixture withAllowedOrigin() {
        return server(b -> b.options(ServerOptions.builder()
                .allowedOrigins(List.of("https://dashboard.example.com")).build()));
    }

    /** The status line a handshake gets, read by hand: never 101 for a refused origin. */
    private static String statusLine(ServerFixture f, String origin) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.server.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("GET /ratehub HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n")
                    + "X-Api-Key: " + Who.ADMIN.key + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder line = new StringBuilder();
            java.io.InputStream in = s.getInputStream();
            for (int ch = in.read(); ch >= 0 && ch != '\r'; ch = in.read()) {
                line.append((char) ch);
            }
            return line.toString();
        }
    }

    @Test
    void anOriginOutsideTheAllowedListIsNeverUpgraded() throws Exception {
        ServerFixture f = withAllowedOrigin();
        assertThat(statusLine(f, "https://evil.example.com")).startsWith("HTTP/1.1 403");
        assertThat(statusLine(f, null)).as("no Origin once a list is set").startsWith("HTTP/1.1 403");
        WsClient ok = f.connect(Map.of("Origin", "https://dashboard.example.com", "X-Api-Key", Who.ADMIN.key));
        assertThat(ok.next().path("type").asText()).isEqualTo("welcome");
        assertThat(f.server.protocol().connectionCount()).isEqualTo(1);
    }

    /** PROTOCOL.md: "the handshake is refused with HTTP 403" - a complete response a client can act on. */
    @Test

    void anOriginOutsideTheAllowedListGetsACompleteHttp403() {
        ServerFixture f = withAllowedOrigin();
        assertThat(WsClient.handshakeStatus(f.ws(), Map.of("Origin", "https://evil.example.com",
                "X-Api-Key", Who.ADMIN.key), Duration.ofSeconds(3))).isEqualTo(403);
        assertThat(WsClient.handshakeStatus(f.ws(), Who.ADMIN.header(), Duration.ofSeconds(3))).isEqualTo(403);
    }

    @Test
    void byDefaultAPageOfAnotherSiteIsRefusedWithACompleteHttp403() throws Exception {
        ServerFixture f = server(b -> { });
        assertThat(WsClient.handshakeStatus(f.ws(), Map.of("Origin", "https://anywhere.example.com",
                "X-Api-Key", Who.ADMIN.key), Duration.ofSeconds(3))).isEqualTo(403);
        String own = "http://127.0.0.1:" + f.server.port();
        assertThat(WsClient.handshakeStatus(f.ws(), Map.of("Origin", "http://127.0.0.1:1",
                "X-Api-Key", Who.ADMIN.key), Duration.ofSeconds(3))).as("same host, another port").isEqualTo(403);
        assertThat(WsClient.handshakeStatus(f.ws(), Map.of("Origin", "http://localhost:" + f.server.port(),
                "X-Api-Key", Who.ADMIN.key), Duration.ofSeconds(3))).as("another name for it").isEqualTo(403);
        assertThat(statusLine(f, "null")).as("an opaque origin").startsWith("HTTP/1.1 403");
        assertThat(statusLine(f, own)).as("the Host header says 127.0.0.1 (port 80)").startsWith("HTTP/1.1 403");
        assertThat(f.server.protocol().connectionCount()).isZero();
    }

    @Test
    void byDefaultPagesOfTheServersOwnOriginAndClientsWithoutAnOriginConnect() {
        ServerFixture f = server(b -> { });
        for (String origin : List.of("http://127.0.0.1:" + f.server.port(), "https://127.0.0.1:" + f.server.port(),
                "HTTP://127.0.0.1:" + f.server.port())) {
            WsClient c = f.connect(Map.of("Origin", origin, "X-Api-Key", Who.ADMIN.key));
            assertThat(c.next().path("type").asText()).as(origin).isEqualTo("welcome");
        }
        WsClient noOrigin = f.connect(Who.ADMIN.header());
        assertThat(noOrigin.next().path("type").asText()).isEqualTo("welcome");
    }

    @Test
    void theServersOwnOriginStillConnectsOnceAListIsSet() {
        ServerFixture f = withAllowedOrigin();
        WsClient c = f.connect(Map.of("Origin", "http://127.0.0.1:" + f.server.port(), "X-Api-Key", Who.ADMIN.key));
        assertThat(c.next().path("type").asText()).isEqualTo("welcome");
    }

    @Test
    void anyOriginConnectsOnlyWhenAllowedExplicitly() {
        ServerFixture f = server(b -> b.options(ServerOptions.builder().allowAnyOrigin(true).build()));
        WsClient c = f.connect(Map.of("Origin", "https://anywhere.example.com", "X-Api-Key", Who.ADMIN.key));
        assertThat(c.next().path("type").asText()).isEqualTo("welcome");
        WsClient noOrigin = f.connect(Who.ADMIN.header());
        assertThat(noOrigin.next().path("type").asText()).isEqualTo("welcome");
    }

    @Test
    void theAuthenticationDeadline() {
        ServerFixture f = server(b -> b.protocolSettings(ProtocolSettings.builder()
                .authDeadline(Duration.ofMillis(300)).build()));
        WsClient late = f.connect(Map.of());
        WsClient onTime = f.connect(Map.of());
        onTime.call(obj("op", "auth", "id", "a", "apiKey", Who.VIEWER1.key));
        JsonNode e = late.next();
        assertThat(e.path("code").asText()).isEqualTo("unauthenticated");
        assertThat(late.awaitClose()).isEqualTo(4001);
        assertThat(onTime.isClosed()).isFalse();
        onTime.assertAlive();
    }
}
