package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static io.ratehub.server.ServerFixture.EUR_USD;
import static io.ratehub.server.ServerFixture.GBP_USD;
import static io.ratehub.server.ServerFixture.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.hub.Channels;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Authenticator;
import io.ratehub.core.protocol.ProtocolSettings;
import io.ratehub.server.ServerFixture.Who;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md over real sockets, checked with the JDK's own WebSocket client: every client message, every
 * server message and every error code that can travel over the wire.
 */
class ProtocolConformanceIT {
    private final List<ServerFixture> fixtures = new ArrayList<>();

    private ServerFixture server() {
        return server(b -> { });
    }

    private ServerFixture server(java.util.function.Consumer<RateHubServer.Builder> config) {
        ServerFixture f = ServerFixture.start(b -> {
            b.authenticator(Authenticator.firstOf(ServerFixture.apiKeys(),
                    JwtAuthenticator.builder().hmacSecret(Tokens.SECRET).build()));
            b.onRequest("echo", (p, body) -> CompletableFuture.completedFuture(Map.of("from", p.id(),
                    "body", body == null ? "none" : body)));
            b.onRequest("boom", (p, body) -> {
                throw new IllegalStateException("handler bug");
            });
            b.onRequest("fails", (p, body) -> CompletableFuture.failedFuture(new IllegalStateException("bug")));
            config.accept(b);
        }).withMarket();
        fixtures.add(f);
        return f;
    }

    @AfterEach
    void stop() {
        fixtures.forEach(ServerFixture::close);
    }

    private static void assertError(JsonNode n, String code) {
        assertThat(n.path("type").asText()).as("%s", n).isEqualTo("error");
        assertThat(n.path("code").asText()).as("%s", n).isEqualTo(code);
        assertThat(n.path("message").asText()).as("%s", n).isNotBlank();
    }

    private static void assertError(JsonNode n, String code, String field) {
        assertError(n, code);
        assertThat(n.path("field").asText(null)).as("%s", n).isEqualTo(field);
    }

    // ------------------------------------------------------------------ authentication

    @Nested
    class Authentication {
        @Test
        void anApiKeyInTheHandshakeGetsWelcomeAtOnceWithEveryField() {
            ServerFixture f = server();
            WsClient c = f.connect(Map.of("X-Api-Key", Who.TERMINAL1.key));
            JsonNode w = c.next();
            assertThat(w.path("type").asText()).isEqualTo("welcome");
            assertThat(w.has("id")).isFalse();
            assertThat(w.path("protocol").asInt()).isEqualTo(1);
            assertThat(w.path("connection").asText()).isNotBlank();
            assertThat(w.path("principal").path("id").asText()).isEqualTo("term1");
            assertThat(w.path("principal").path("role").asText()).isEqualTo("TERMINAL");
            assertThat(w.path("principal").path("stores").toString()).isEqualTo("[\"s1\"]");
            assertThat(Instant.parse(w.path("time").asText())).isBetween(Instant.now().minusSeconds(60),
                    Instant.now().plusSeconds(1));
            c.assertAlive();
        }

        @Test
        void aBearerTokenInTheHandshakeGetsWelcomeAtOnce() {
            ServerFixture f = server();
            String jwt = Tokens.hs256("jwt-manager", "manager", b -> b, "s1", "s2");
            WsClient c = f.connect(Map.of("Authorization", "Bearer " + jwt));
            JsonNode w = c.next();
            assertThat(w.path("type").asText()).isEqualTo("welcome");
            assertThat(w.path("principal").path("id").asText()).isEqualTo("jwt:jwt-manager");
            assertThat(w.path("principal").path("role").asText()).isEqualTo("MANAGER");
            assertThat(w.path("principal").path("stores").toString()).isEqualTo("[\"s1\",\"s2\"]");
        }

        @Test
        void aFirstAuthMessageWithAnApiKeyGetsWelcomeCarryingItsId() {
            ServerFixture f = server();
            WsClient c = f.connect(Map.of());
            JsonNode w = c.call(obj("op", "auth", "id", "a1", "apiKey", Who.VIEWER1.key));
            assertThat(w.path("type").asText()).isEqualTo("welcome");
            assertThat(w.path("id").asText()).isEqualTo("a1");
            assertThat(w.path("principal").path("role").asText()).isEqualTo("VIEWER");
            c.assertAlive();
        }

        @Test
        void aFirstAuthMessageWithATokenGetsWelcome() {
            ServerFixture f = server();
            WsClient c = f.connect(Map.of());
            String jwt = Tokens.hs256("jwt-admin", "admin", b -> b);
            JsonNode w = c.call(obj("op", "auth", "id", "a2", "token", jwt));
            assertThat(w.path("type").asText()).isEqualTo("welcome");
            assertThat(w.path("principal").path("role").asText()).isEqualTo("ADMIN");
        }

        @Test
        void beforeAuthenticationPingIsAnsweredAndOtherOpsAreRefusedWithoutClosing() {
            ServerFixture f = server();
            WsClient c = f.connect(Map.of());
            JsonNode pong = c.call(obj("op", "ping", "id", "p0"));
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(pong.path("id").asText()).isEqualTo("p0");
            assertThat(Instant.parse(pong.path("time").asText())).isNotNull();
            assertError(c.call(obj("op", "subscribe", "id", "s0", "channel", "market")), "unauthenticated");
            assertError(c.call(obj("op", "lock", "id", "l0", "storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                    "amount", "10.00")), "unauthenticated");
            assertThat(c.isClosed()).isFalse();
            assertThat(c.call(obj("op", "auth", "id", "a", "apiKey", Who.ADMIN.key)).path("type").asText())
                    .isEqualTo("welcome");
        }

        @Test
        void aSecondAuthIsRefusedAndTheConnectionStaysAuthenticated() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            assertError(c.call(obj("op", "auth", "id", "again", "apiKey", Who.ADMIN.key)), "invalid_argument");
            // still the manager: the admin key did not switch the identity
            assertError(c.call(obj("op", "subscribe", "id", "s", "channel", "store:s2:rates")), "forbidden");
        }

        @Test
        void anAuthMessageWithBothOrNeitherCredentialIsInvalid() {
            ServerFixture f = server();
            WsClient c = f.connect(Map.of());
            assertError(c.call(obj("op", "auth", "id", "a", "apiKey", Who.ADMIN.key, "token", "x.y.z")),
                    "invalid_argument");
            assertError(c.call(obj("op", "auth", "id", "b")), "invalid_argument");
            c.assertAlive();
        }
    }

    // ------------------------------------------------------------------ subscriptions

    @Nested
    class Subscriptions {
        @Test
        void marketIsAStateChannelWithASnapshotThenLiveUpdatesKeyedByPair() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s1", "channel", "market"));
            assertThat(s.path("type").asText()).isEqualTo("subscribed");
            assertThat(s.path("channel").asText()).isEqualTo("market");
            assertThat(s.path("kind").asText()).isEqualTo("STATE");
            assertThat(s.path("recovery").asText()).isEqualTo("SNAPSHOT");
            assertThat(s.path("epoch").asText()).isNotBlank();
            assertThat(s.path("seq").asLong()).isPositive();
            assertThat(s.path("count").asInt()).isEqualTo(1);
            JsonNode snap = c.nextFlat();
            assertThat(snap.path("type").asText()).isEqualTo("update");
            assertThat(snap.path("channel").asText()).isEqualTo("market");
            assertThat(snap.path("epoch").asText()).isEqualTo(s.path("epoch").asText());
            assertThat(snap.path("seq").asLong()).isLessThanOrEqualTo(s.path("seq").asLong());
            assertThat(snap.path("key").asText()).isEqualTo("USD/CAD");
            assertThat(snap.has("removed")).isFalse();
            assertThat(snap.at("/event/type").asText()).isEqualTo("market_data_update");
            assertThat(snap.at("/event/rate/mid").asText()).isEqualTo("1.36130");

            f.quote(USD_CAD, "1.36200", "1.36220");
            JsonNode live = c.nextFlat();
            assertThat(live.path("seq").asLong()).isGreaterThan(s.path("seq").asLong());
            assertThat(live.at("/event/rate/mid").asText()).isEqualTo("1.36210");
            assertThat(live.at("/event/rate/bid").isTextual()).as("prices are strings").isTrue();
        }

        @Test
        void storeRatesIsAStateChannelAndARemovedSpreadRemovesTheKey() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates"));
            assertThat(s.path("kind").asText()).isEqualTo("STATE");
            assertThat(s.path("count").asInt()).isEqualTo(1);
            JsonNode snap = c.nextFlat();
            assertThat(snap.path("key").asText()).isEqualTo("USD/CAD");
            assertThat(snap.at("/event/type").asText()).isEqualTo("rate_update");
            assertThat(snap.at("/event/rate/storeId").asText()).isEqualTo("s1");
            assertThat(snap.at("/event/rate/buy").asText()).isEqualTo("1.35449");
            assertThat(snap.at("/event/rate/sell").asText()).isEqualTo("1.36811");
            assertThat(snap.at("/event/rate/basis").asText()).isEqualTo("MARKET");

            JsonNode removed = c.call(obj("op", "remove_spread", "id", "r", "storeId", "s1", "pair", "USD/CAD"));
            assertThat(removed.at("/result/removed").asBoolean()).isTrue();
            JsonNode gone = c.nextMatching(n -> n.path("type").asText().equals("update"));
            assertThat(gone.path("key").asText()).isEqualTo("USD/CAD");
            assertThat(gone.path("removed").asBoolean()).isTrue();
            assertThat(gone.at("/event/type").asText()).isEqualTo("spread_removed");
        }

        @Test
        void eventChannelsStartLiveAndCarryTheirEvents() {
            ServerFixture f = server();
            f.engine.setSpread("s1", GBP_USD, SpreadRule.bps("10", "10"), "owner");
            WsClient c = f.connect(Who.MANAGER1);
            for (String ch : List.of("market:alerts", "store:s1:alerts", "store:s1:locks", "user:mgr1",
                    "app:orders", "system")) {
                JsonNode s = c.call(obj("op", "subscribe", "id", "s-" + ch, "channel", ch));
                assertThat(s.path("type").asText()).as(ch).isEqualTo("subscribed");
                assertThat(s.path("kind").asText()).as(ch).isEqualTo("EVENT");
                assertThat(s.path("recovery").asText()).as(ch).isEqualTo("LIVE");
                assertThat(s.path("count").asInt()).as(ch).isZero();
            }
            // market:alerts: a source that goes stale a moment from now
            f.quote(GBP_USD, "feed-b", "1.25000", "1.25010",
                    Instant.now().minus(ServerFixture.MAX_SOURCE_AGE).plusMillis(300));
            JsonNode stale = c.nextMatching(n -> n.path("channel").asText().equals("market:alerts"));
            assertThat(stale.has("key")).as("event updates have no key").isFalse();
            assertThat(stale.at("/event/type").asText()).isIn("source_stale", "pair_stale");
            // store:s1:alerts: a rule set
            c.call(obj("op", "set_threshold", "id", "t", "storeId", "s1", "pair", "USD/CAD", "kind",
                    "OVERRIDE_DIVERGENCE", "percent", "2"));
            JsonNode alert = c.nextMatching(n -> n.path("channel").asText().equals("store:s1:alerts"));
            assertThat(alert.at("/event/type").asText()).isEqualTo("threshold_set");
            assertThat(alert.at("/event/actor").asText()).isEqualTo("mgr1");
            // store:s1:locks
            c.call(obj("op", "lock", "id", "l", "storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                    "amount", "100.00"));
            JsonNode lock = c.nextMatching(n -> n.path("channel").asText().equals("store:s1:locks"));
            assertThat(lock.at("/event/type").asText()).isEqualTo("rate_lock_created");
            // the application's channels
            f.server.hub().publishEvent(Channels.user("mgr1"), Map.of("text", "hello"));
            f.server.hub().publishEvent(Channels.app("orders"), Map.of("orderId", "o-1"));
            f.server.hub().publishEvent(Channels.SYSTEM, Map.of("notice", "maintenance at 22:00"));
            assertThat(c.nextMatching(n -> n.path("channel").asText().equals("user:mgr1")).at("/event/text")
                    .asText()).isEqualTo("hello");
            assertThat(c.nextMatching(n -> n.path("channel").asText().equals("app:orders"))
                    .at("/event/orderId").asText()).isEqualTo("o-1");
            assertThat(c.nextMatching(n -> n.path("channel").asText().equals("system")).at("/event/notice")
                    .asText()).isEqualTo("maintenance at 22:00");
        }

        @Test
        void unsubscribeSaysWhetherItWasSubscribedAndStopsTheUpdates() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            c.call(obj("op", "subscribe", "id", "s", "channel", "app:news"));
            JsonNode u = c.call(obj("op", "unsubscribe", "id", "u1", "channel", "app:news"));
            assertThat(u.path("type").asText()).isEqualTo("unsubscribed");
            assertThat(u.path("channel").asText()).isEqualTo("app:news");
            assertThat(u.path("wasSubscribed").asBoolean()).isTrue();
            JsonNode again = c.call(obj("op", "unsubscribe", "id", "u2", "channel", "app:news"));
            assertThat(again.path("wasSubscribed").asBoolean()).isFalse();
            assertThat(f.sessionOf(c).subscriptions()).isEmpty();
            assertThat(f.server.hub().channelStats().get("app:news").subscribers()).isZero();
        }

        @Test
        void anUnknownChannelNameIsAnInvalidArgument() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            assertError(c.call(obj("op", "subscribe", "id", "x", "channel", "stores:s1:rates")),
                    "invalid_argument", "channel");
            assertError(c.call(obj("op", "subscribe", "id", "y", "channel", "store:s1:prices")),
                    "invalid_argument", "channel");
            assertError(c.call(obj("op", "subscribe", "id", "z")), "invalid_argument", "channel");
            c.assertAlive();
        }

        @Test
        void theCatchUpComesAfterSubscribedAndBeforeEveryLiveUpdateEvenUnderLoad() throws Exception {
            ServerFixture f = server();
            for (int i = 0; i < 200; i++) {
                f.server.hub().publishEvent("app:busy", Map.of("n", i));
            }
            String epoch = f.server.hub().head("app:busy").orElseThrow().epoch();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                int n = 200;
                while (!stop.get()) {
                    f.server.hub().publishEvent("app:busy", Map.of("n", n++));
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000); // a pace, not a wait
                }
            });
            try {
                for (int round = 0; round < 5; round++) {
                    WsClient c = f.connect(Who.ADMIN);
                    long from = 50L * round;
                    c.send(obj("op", "subscribe", "id", "s", "channel", "app:busy", "from",
                            Json.node("epoch", epoch, "seq", from)));
                    JsonNode s = c.nextFlat();
                    assertThat(s.path("type").asText()).as("%s", s).isEqualTo("subscribed");
                    assertThat(s.path("recovery").asText()).isEqualTo("REPLAY");
                    long head = s.path("seq").asLong();
                    assertThat(s.path("count").asLong()).isEqualTo(head - from);
                    long expected = from + 1;
                    while (expected <= head + 100) { // the catch-up, then a hundred live updates
                        JsonNode u = c.nextFlat();
                        assertThat(u.path("seq").asLong()).as("gap-free, once each, catch-up first")
                                .isEqualTo(expected++);
                        assertThat(u.at("/event/n").asLong()).isEqualTo(u.path("seq").asLong() - 1);
                    }
                    c.close();
                }
            } finally {
                stop.set(true);
                publisher.get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        }

        @Test
        void noCredentialsLeakFromOneHandshakeToTheNext() {
            ServerFixture f = server();
            f.connect(Who.ADMIN).assertAlive();
            WsClient anonymous = f.connect(Map.of());
            assertThat(anonymous.call(obj("op", "subscribe", "id", "s", "channel", "market")).path("code").asText())
                    .as("a connection without credentials is not authenticated as the previous one")
                    .isEqualTo("unauthenticated");
        }

        @Test
        void withinAChannelSeqOnlyGrows() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.VIEWER1);
            c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates"));
            long last = c.nextFlat().path("seq").asLong();
            for (int i = 0; i < 50; i++) {
                f.quote(USD_CAD, "1.3" + (6100 + i), "1.3" + (6110 + i));
            }
            f.quote(USD_CAD, "1.37000", "1.37010");
            while (true) {
                JsonNode u = c.nextFlat();
                assertThat(u.path("seq").asLong()).isGreaterThan(last);
                last = u.path("seq").asLong();
                if (u.at("/event/rate/mid").asText().equals("1.37005")) {
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ application and private channels

    @Nested
    class ApplicationAndPrivateChannels {
        @Test
        void aClientCannotCreateAnApplicationChannelBySubscribing() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            assertError(c.call(obj("op", "subscribe", "id", "s", "channel", "app:made-up")), "invalid_argument",
                    "channel");
            assertThat(f.server.hub().hasChannel("app:made-up")).as("no channel was created").isFalse();
            f.server.hub().declareAppChannel("made-up");
            assertThat(c.call(obj("op", "subscribe", "id", "s2", "channel", "app:made-up")).path("type").asText())
                    .isEqualTo("subscribed");
            f.server.hub().publishEvent("app:published-first", Map.of("n", 1));
            assertThat(c.call(obj("op", "subscribe", "id", "s3", "channel", "app:published-first")).path("type")
                    .asText()).as("publishing declares a channel too").isEqualTo("subscribed");
        }

        @Test
        void privateMessagesWaitForAnOfflineUserAndArriveHighestPriorityFirst() {
            ServerFixture f = server();
            var hub = f.server.hub();
            hub.sendToUser("view1", "{\"text\":\"low\"}", io.ratehub.core.hub.Priority.LOW, null);
            hub.sendToUser("view1", "{\"text\":\"urgent\"}", io.ratehub.core.hub.Priority.URGENT, null);
            hub.sendToUser("view1", "{\"text\":\"normal-1\"}", io.ratehub.core.hub.Priority.NORMAL, null);
            hub.sendToUser("view1", "{\"text\":\"normal-2\"}", io.ratehub.core.hub.Priority.NORMAL, null);
            Instant sent = hub.clock().instant();
            hub.sendToUser("view1", "{\"text\":\"gone\"}", io.ratehub.core.hub.Priority.URGENT,
                    Duration.ofMillis(1));
            Await.until("the short-lived message expires", () -> hub.clock().instant().isAfter(sent.plusMillis(5)));
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "u", "channel", "user:view1"));
            assertThat(s.path("kind").asText()).isEqualTo("EVENT");
            assertThat(s.path("count").asInt()).isEqualTo(4);
            List<String> order = new ArrayList<>();
            List<String> priorities = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                JsonNode u = c.nextFlat();
                order.add(u.at("/event/text").asText());
                priorities.add(u.path("priority").asText());
            }
            assertThat(order).containsExactly("urgent", "normal-1", "normal-2", "low");
            assertThat(priorities).containsExactly("URGENT", "NORMAL", "NORMAL", "LOW");
            hub.sendToUser("view1", "{\"text\":\"live\"}", io.ratehub.core.hub.Priority.HIGH, null);
            JsonNode live = c.nextFlat();
            assertThat(live.at("/event/text").asText()).isEqualTo("live");
            assertThat(live.path("priority").asText()).isEqualTo("HIGH");
            c.close();
            WsClient again = f.connect(Who.VIEWER1);
            assertThat(again.call(obj("op", "subscribe", "id", "u", "channel", "user:view1")).path("count").asInt())
                    .as("already delivered to one of the user's connections").isZero();
        }

        @Test
        void aReturningUserWithAPositionGetsEveryMessageAfterIt() {
            ServerFixture f = server();
            var hub = f.server.hub();
            WsClient c = f.connect(Who.MANAGER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "u", "channel", "user:mgr1"));
            long position = s.path("seq").asLong();
            c.close();
            for (int i = 1; i <= 3; i++) {
                hub.sendToUser("mgr1", "{\"n\":" + i + "}", io.ratehub.core.hub.Priority.NORMAL, null);
            }
            WsClient back = f.connect(Who.MANAGER1);
            JsonNode r = back.call(obj("op", "subscribe", "id", "u", "channel", "user:mgr1", "from",
                    Json.node("epoch", s.path("epoch").asText(), "seq", position)));
            assertThat(r.path("count").asInt()).isEqualTo(3);
            for (int i = 1; i <= 3; i++) {
                assertThat(back.nextFlat().at("/event/n").asInt()).isEqualTo(i);
            }
        }
    }

    // ------------------------------------------------------------------ time zones and rate caps

    @Nested
    class TimeZonesAndRateCaps {
        private final java.time.ZoneId lagos = java.time.ZoneId.of("Africa/Lagos");

        private String local(String utc) {
            return Instant.parse(utc).atZone(lagos).toOffsetDateTime().toString();
        }

        @Test
        void aTimeZoneInAuthIsEchoedAndEveryInstantGetsALocalTwin() {
            ServerFixture f = server();
            WsClient c = f.connect(Map.of());
            JsonNode w = c.call(obj("op", "auth", "id", "a", "apiKey", Who.VIEWER1.key, "tz", "Africa/Lagos"));
            assertThat(w.path("timezone").asText()).isEqualTo("Africa/Lagos");
            assertThat(w.path("timeLocal").asText()).isEqualTo(local(w.path("time").asText()));
            c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates"));
            JsonNode u = c.nextFlat();
            JsonNode rate = u.at("/event/rate");
            assertThat(rate.path("asOfLocal").asText()).isEqualTo(local(rate.path("asOf").asText()));
            assertThat(rate.path("asOf").asText()).as("the UTC field is unchanged").endsWith("Z");
            assertThat(u.at("/event/timeLocal").asText()).isEqualTo(local(u.at("/event/time").asText()));
        }

        @Test
        void theTimezoneMessageSetsAndClearsTheZoneForThisConnectionOnly() {
            ServerFixture f = server();
            WsClient zoned = f.connect(Who.VIEWER1);
            WsClient plain = f.connect(Who.MANAGER1);
            JsonNode r = zoned.call(obj("op", "timezone", "id", "z", "tz", "Africa/Lagos"));
            assertThat(r.path("type").asText()).isEqualTo("reply");
            assertThat(r.at("/result/tz").asText()).isEqualTo("Africa/Lagos");
            for (WsClient c : List.of(zoned, plain)) {
                c.call(obj("op", "subscribe", "id", "s", "channel", "market"));
                c.forgetSkipped();
            }
            f.quote(USD_CAD, "1.36200", "1.36220");
            JsonNode z = zoned.nextMatching(n -> n.at("/event/rate/mid").asText().equals("1.36210"));
            JsonNode p = plain.nextMatching(n -> n.at("/event/rate/mid").asText().equals("1.36210"));
            assertThat(z.at("/event/rate/asOfLocal").asText()).isEqualTo(local(z.at("/event/rate/asOf").asText()));
            assertThat(p.at("/event/rate").has("asOfLocal")).as("no zone, no local twin").isFalse();
            JsonNode cleared = zoned.call(obj("op", "timezone", "id", "z2", "tz", null));
            assertThat(cleared.at("/result/tz").isNull()).isTrue();
            f.quote(USD_CAD, "1.36300", "1.36320");
            JsonNode after = zoned.nextMatching(n -> n.at("/event/rate/mid").asText().equals("1.36310"));
            assertThat(after.at("/event/rate").has("asOfLocal")).isFalse();
            assertError(zoned.call(obj("op", "timezone", "id", "z3", "tz", "Mars/Olympus")), "invalid_argument",
                    "tz");
            zoned.assertAlive();
        }

        /** A client with a time zone must get the application's event exactly as published, numbers included. */
        @Test

        void aZonedClientGetsApplicationNumbersExactly() {
            ServerFixture f = server();
            WsClient zoned = f.connect(Who.ADMIN);
            zoned.call(obj("op", "timezone", "id", "z", "tz", "Africa/Lagos"));
            zoned.call(obj("op", "subscribe", "id", "s", "channel", "app:orders"));
            WsClient plain = f.connect(Who.MANAGER1);
            plain.call(obj("op", "subscribe", "id", "s", "channel", "app:orders"));
            String amount = "12345678901234567890.123456789";
            f.server.hub().publishEvent("app:orders", "{\"orderId\":\"o-1\",\"amount\":" + amount + "}");
            assertThat(plain.nextText()).contains("\"amount\":" + amount);
            assertThat(zoned.nextText()).contains("\"amount\":" + amount);
        }

        @Test
        void maxRateHoldsBackIntermediateValuesAndAlwaysDeliversTheNewest() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates", "maxRate", "2"));
            assertThat(s.path("type").asText()).isEqualTo("subscribed");
            c.nextFlat(); // the snapshot is never held back
            for (int i = 0; i < 30; i++) {
                f.quote(USD_CAD, "1.3" + (6200 + i), "1.3" + (6202 + i));
            }
            String newest = f.engine.storeRate("s1", USD_CAD).orElseThrow().sell().toPlainString();
            long start = System.nanoTime();
            int seen = 0;
            while (true) {
                JsonNode u = c.nextFlat();
                seen++;
                if (u.at("/event/rate/sell").asText().equals(newest)) {
                    break;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(seen).as("30 changes within a moment, at most 2 per second delivered").isLessThanOrEqualTo(3);
            assertThat(took).as("the newest comes when the interval is over").isLessThan(Duration.ofSeconds(2));
        }

        @Test
        void maxRateIsForStateChannelsAndWithinRange() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            assertError(c.call(obj("op", "subscribe", "id", "a", "channel", "app:news", "maxRate", "2")),
                    "invalid_argument", "maxRate");
            assertError(c.call(obj("op", "subscribe", "id", "b", "channel", "market", "maxRate", "0")),
                    "invalid_argument", "maxRate");
            assertError(c.call(obj("op", "subscribe", "id", "c", "channel", "market", "maxRate", "1001")),
                    "invalid_argument", "maxRate");
            assertThat(f.sessionOf(c).subscriptions()).isEmpty();
            c.assertAlive();
        }
    }

    // ------------------------------------------------------------------ recovery kinds

    @Nested
    class Recovery {
        @Test
        void aStateChannelFromAKnownPositionGetsADeltaOfChangedKeysOnly() {
            ServerFixture f = server();
            f.quote(EUR_USD, "1.08000", "1.08010");
            f.engine.setSpread("s1", EUR_USD, SpreadRule.bps("20", "20"), "owner");
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates"));
            assertThat(s.path("count").asInt()).isEqualTo(2);
            String epoch = s.path("epoch").asText();
            long seq = Math.max(c.nextFlat().path("seq").asLong(), c.nextFlat().path("seq").asLong());
            c.call(obj("op", "unsubscribe", "id", "u", "channel", "store:s1:rates"));
            f.quote(EUR_USD, "1.08100", "1.08110");
            JsonNode d = c.call(obj("op", "subscribe", "id", "s2", "channel", "store:s1:rates", "from",
                    Json.node("epoch", epoch, "seq", seq)));
            assertThat(d.path("recovery").asText()).isEqualTo("DELTA");
            assertThat(d.path("count").asInt()).isEqualTo(1);
            JsonNode delta = c.nextFlat();
            assertThat(delta.path("key").asText()).isEqualTo("EUR/USD");
            assertThat(delta.path("seq").asLong()).isGreaterThan(seq);
        }

        @Test
        void aStateChannelFromAnotherEpochGetsAResetWithAFullSnapshot() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode r = c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates", "from",
                    Json.node("epoch", "old-epoch-1", "seq", 5)));
            assertThat(r.path("recovery").asText()).isEqualTo("RESET");
            assertThat(r.path("count").asInt()).isEqualTo(1);
            assertThat(c.nextFlat().path("key").asText()).isEqualTo("USD/CAD");
        }

        @Test
        void anEventChannelFromAKnownPositionReplaysWhatWasMissed() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s", "channel", "app:orders"));
            f.server.hub().publishEvent("app:orders", Map.of("n", 1));
            JsonNode first = c.nextFlat();
            c.call(obj("op", "unsubscribe", "id", "u", "channel", "app:orders"));
            for (int i = 2; i <= 4; i++) {
                f.server.hub().publishEvent("app:orders", Map.of("n", i));
            }
            JsonNode r = c.call(obj("op", "subscribe", "id", "s2", "channel", "app:orders", "from",
                    Json.node("epoch", s.path("epoch").asText(), "seq", first.path("seq").asLong())));
            assertThat(r.path("recovery").asText()).isEqualTo("REPLAY");
            assertThat(r.path("count").asInt()).isEqualTo(3);
            for (int i = 2; i <= 4; i++) {
                JsonNode u = c.nextFlat();
                assertThat(u.at("/event/n").asInt()).isEqualTo(i);
                assertThat(u.path("seq").asLong()).isEqualTo(first.path("seq").asLong() + i - 1);
            }
        }

        @Test
        void anEventChannelWhoseHistoryNoLongerReachesBackReportsWhatIsLost() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            String epoch = c.call(obj("op", "subscribe", "id", "s", "channel", "app:firehose")).path("epoch")
                    .asText();
            c.call(obj("op", "unsubscribe", "id", "u", "channel", "app:firehose"));
            int published = io.ratehub.core.hub.RateHub.Builder.DEFAULT_MAX_HISTORY + 5;
            for (int i = 1; i <= published; i++) {
                f.server.hub().publishEvent("app:firehose", "{\"n\":" + i + "}");
            }
            JsonNode r = c.call(obj("op", "subscribe", "id", "s2", "channel", "app:firehose", "from",
                    Json.node("epoch", epoch, "seq", 2)));
            assertThat(r.path("recovery").asText()).isEqualTo("LOST");
            assertThat(r.path("lostFrom").asLong()).isEqualTo(3);
            assertThat(r.path("lostTo").asLong()).isEqualTo(5);
            assertThat(r.path("count").asInt()).isEqualTo(io.ratehub.core.hub.RateHub.Builder.DEFAULT_MAX_HISTORY);
            assertThat(c.nextFlat().path("seq").asLong()).isEqualTo(6);
        }
    }

    // ------------------------------------------------------------------ commands

    @Nested
    class Commands {
        @Test
        void setSpreadRepliesWithTheStoreRateOrNullBeforeTheMarketHasOne() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            JsonNode r = c.call(obj("op", "set_spread", "id", "c1", "storeId", "s1", "pair", "USD/CAD", "unit",
                    "ABSOLUTE", "buyMargin", "0.01", "sellMargin", "0.02", "minMargin", "0.005", "maxMargin",
                    "0.05"));
            assertThat(r.path("type").asText()).isEqualTo("reply");
            assertThat(r.path("id").asText()).isEqualTo("c1");
            assertThat(r.path("op").asText()).isEqualTo("set_spread");
            assertThat(r.at("/result/rate/buy").asText()).isEqualTo("1.35130");
            assertThat(r.at("/result/rate/sell").asText()).isEqualTo("1.38130");
            JsonNode none = c.call(obj("op", "set_spread", "id", "c2", "storeId", "s1", "pair", "EUR/USD",
                    "unit", "BPS", "buyMargin", "20", "sellMargin", "20"));
            assertThat(none.path("type").asText()).isEqualTo("reply");
            assertThat(none.path("result").has("rate")).isTrue();
            assertThat(none.at("/result/rate").isNull()).isTrue();
        }

        @Test
        void removeSpreadRepliesWhetherThereWasOne() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            assertThat(c.call(obj("op", "remove_spread", "id", "r1", "storeId", "s1", "pair", "USD/CAD"))
                    .at("/result/removed").asBoolean()).isTrue();
            assertThat(c.call(obj("op", "remove_spread", "id", "r2", "storeId", "s1", "pair", "USD/CAD"))
                    .at("/result/removed").asBoolean()).isFalse();
        }

        @Test
        void setAndClearOverride() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            String until = Instant.now().plus(Duration.ofHours(2)).toString();
            JsonNode set = c.call(obj("op", "set_override", "id", "o1", "storeId", "s1", "pair", "USDCAD",
                    "buy", "1.35500", "sell", "1.36900", "reason", "weekend promotion", "validUntil", until));
            assertThat(set.path("op").asText()).isEqualTo("set_override");
            JsonNode o = set.at("/result/override");
            assertThat(o.path("storeId").asText()).isEqualTo("s1");
            assertThat(o.path("pair").asText()).isEqualTo("USD/CAD");
            assertThat(o.path("buy").asText()).isEqualTo("1.35500");
            assertThat(o.path("actor").asText()).as("the actor is the principal").isEqualTo("mgr1");
            assertThat(o.path("reason").asText()).isEqualTo("weekend promotion");
            assertThat(Instant.parse(o.path("validUntil").asText())).isEqualTo(Instant.parse(until));
            assertThat(o.path("forced").asBoolean()).isFalse();
            assertThat(f.engine.storeRate("s1", USD_CAD).orElseThrow().basis().name()).isEqualTo("OVERRIDE");

            JsonNode forced = c.call(obj("op", "set_override", "id", "o2", "storeId", "s1", "pair", "usd-cad",
                    "buy", "1.50000", "sell", "1.60000", "reason", "manual", "force", true));
            assertThat(forced.at("/result/override/forced").asBoolean()).isTrue();

            JsonNode cleared = c.call(obj("op", "clear_override", "id", "o3", "storeId", "s1", "pair", "USD/CAD",
                    "reason", "promotion over"));
            assertThat(cleared.at("/result/cleared").asBoolean()).isTrue();
            assertThat(c.call(obj("op", "clear_override", "id", "o4", "storeId", "s1", "pair", "USD/CAD",
                    "reason", "again")).at("/result/cleared").asBoolean()).isFalse();
        }

        @Test
        void setAndRemoveThresholds() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            JsonNode move = c.call(obj("op", "set_threshold", "id", "t1", "storeId", "s1", "pair", "USD/CAD",
                    "kind", "MARKET_MOVE", "percent", "1.5", "window", "PT10M"));
            JsonNode rule = move.at("/result/rule");
            assertThat(rule.path("kind").asText()).isEqualTo("MARKET_MOVE");
            assertThat(rule.path("percent").asText()).isEqualTo("1.5");
            assertThat(new java.math.BigDecimal(rule.path("clearPercent").asText()))
                    .as("clearPercent defaults to 80% of percent").isEqualByComparingTo("1.2");
            assertThat(rule.path("window").asText()).isEqualTo("PT10M");
            JsonNode div = c.call(obj("op", "set_threshold", "id", "t2", "storeId", "s1", "pair", "USD/CAD",
                    "kind", "OVERRIDE_DIVERGENCE", "percent", "3", "clearPercent", "1"));
            assertThat(div.at("/result/rule/window").isNull()).isTrue();
            assertThat(div.at("/result/rule/clearPercent").asText()).isEqualTo("1");
            assertThat(c.call(obj("op", "remove_threshold", "id", "t3", "storeId", "s1", "pair", "USD/CAD",
                    "kind", "MARKET_MOVE")).at("/result/removed").asBoolean()).isTrue();
            assertThat(c.call(obj("op", "remove_threshold", "id", "t4", "storeId", "s1", "pair", "USD/CAD",
                    "kind", "MARKET_MOVE")).at("/result/removed").asBoolean()).isFalse();
        }

        @Test
        void lockIsIdempotentPerRequestIdAndCompletesExactlyOnce() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            String lock = obj("op", "lock", "id", "l1", "storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                    "amount", "1000.00", "ttl", "PT2M", "requestId", "r-42");
            JsonNode first = c.call(lock);
            JsonNode l = first.at("/result/lock");
            assertThat(first.path("op").asText()).isEqualTo("lock");
            assertThat(l.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(l.path("side").asText()).isEqualTo("SELL");
            assertThat(l.path("rate").asText()).isEqualTo("1.36811");
            assertThat(l.path("counterAmount").asText()).isEqualTo("1368.11");
            assertThat(l.path("actor").asText()).isEqualTo("term1");
            String lockId = l.path("lockId").asText();
            assertThat(c.call(lock).at("/result/lock/lockId").asText()).as("a retried lock").isEqualTo(lockId);
            assertThat(f.audit.entries().stream().filter(e -> e.action().equals("lock.created")).count())
                    .isEqualTo(1);

            JsonNode done = c.call(obj("op", "complete_lock", "id", "c1", "lockId", lockId, "transactionRef",
                    "tx-1001"));
            assertThat(done.path("op").asText()).isEqualTo("complete_lock");
            assertThat(done.at("/result/lock/status").asText()).isEqualTo("COMPLETED");
            assertThat(done.at("/result/lock/transactionRef").asText()).isEqualTo("tx-1001");
            assertThat(c.call(obj("op", "complete_lock", "id", "c2", "lockId", lockId, "transactionRef",
                    "tx-1001")).at("/result/lock/status").asText()).isEqualTo("COMPLETED");
            assertError(c.call(obj("op", "complete_lock", "id", "c3", "lockId", lockId, "transactionRef",
                    "tx-1002")), "lock_already_completed");
        }

        @Test
        void cancelLock() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            String lockId = c.call(obj("op", "lock", "id", "l", "storeId", "s1", "pair", "USD/CAD", "side", "BUY",
                    "amount", "50.00")).at("/result/lock/lockId").asText();
            JsonNode cancelled = c.call(obj("op", "cancel_lock", "id", "x", "lockId", lockId, "reason",
                    "customer left"));
            assertThat(cancelled.path("op").asText()).isEqualTo("cancel_lock");
            assertThat(cancelled.at("/result/lock/status").asText()).isEqualTo("CANCELLED");
            assertError(c.call(obj("op", "complete_lock", "id", "y", "lockId", lockId, "transactionRef", "tx-9")),
                    "lock_cancelled");
        }

        @Test
        void anApplicationRequestIsAnsweredWithItsHandlersResult() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode r = c.call(obj("op", "request", "id", "q1", "name", "echo", "body",
                    Json.node("text", "hi")));
            assertThat(r.path("type").asText()).isEqualTo("reply");
            assertThat(r.path("op").asText()).isEqualTo("request");
            assertThat(r.at("/result/from").asText()).isEqualTo("view1");
            assertThat(r.at("/result/body/text").asText()).isEqualTo("hi");
        }

        @Test
        void theAuditTrailRecordsThePrincipalAsActor() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            c.call(obj("op", "set_spread", "id", "c", "storeId", "s1", "pair", "USD/CAD", "unit", "BPS",
                    "buyMargin", "40", "sellMargin", "40"));
            AuditEntry last = f.audit.entries().get(f.audit.entries().size() - 1);
            assertThat(last.action()).isEqualTo("spread.set");
            assertThat(last.actor()).isEqualTo("mgr1");
        }

        @Test
        void severalUpdatesWithinTheBatchWindowArriveAsOneBatchFrameInOrder() {
            ServerFixture f = server(b -> b.sessionSettings(io.ratehub.core.hub.SessionSettings.builder()
                    .batchWindow(Duration.ofMillis(200)).build()));
            WsClient c = f.connect(Who.ADMIN);
            c.call(obj("op", "subscribe", "id", "s", "channel", "app:ticks"));
            for (int i = 1; i <= 5; i++) {
                f.server.hub().publishEvent("app:ticks", Map.of("n", i));
            }
            JsonNode batch = c.next();
            assertThat(batch.path("type").asText()).isEqualTo("batch");
            assertThat(batch.path("updates")).hasSize(5);
            long seq = 0;
            int n = 1;
            for (JsonNode u : batch.path("updates")) {
                assertThat(u.path("type").asText()).isEqualTo("update");
                assertThat(u.path("channel").asText()).isEqualTo("app:ticks");
                assertThat(u.path("seq").asLong()).isGreaterThan(seq);
                assertThat(u.at("/event/n").asInt()).isEqualTo(n++);
                seq = u.path("seq").asLong();
            }
        }
    }

    // ------------------------------------------------------------------ error codes over the wire

    @Nested
    class ErrorCodes {
        @Test
        void invalidArgumentNamesTheField() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            JsonNode e = c.call(obj("op", "lock", "id", "e1", "storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                    "amount", "-5"));
            assertError(e, "invalid_argument", "amount");
            assertThat(e.path("id").asText()).isEqualTo("e1");
            assertThat(e.path("message").asText()).contains("-5");
            assertError(c.call(obj("op", "lock", "id", "e2", "storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                    "amount", "5.00", "ttl", "PT45M")), "invalid_argument", "ttl");
        }

        @Test
        void unknownPair() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            JsonNode e = c.call(obj("op", "lock", "id", "e", "storeId", "s1", "pair", "USD/QQQ", "side", "SELL",
                    "amount", "5.00"));
            assertError(e, "unknown_pair");
            c.assertAlive();
        }

        @Test

        void unknownPairNamesTheFieldPair() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            assertError(c.call(obj("op", "lock", "id", "e", "storeId", "s1", "pair", "USD/QQQ", "side", "SELL",
                    "amount", "5.00")), "unknown_pair", "pair");
        }

        @Test
        void unknownStoreRate() {
            ServerFixture f = server();
            f.quote(EUR_USD, "1.08000", "1.08010");
            WsClient c = f.connect(Who.TERMINAL1);
            assertError(c.call(obj("op", "lock", "id", "e", "storeId", "s1", "pair", "EUR/USD", "side", "SELL",
                    "amount", "5.00")), "unknown_store_rate");
        }

        @Test
        void staleRate() {
            ServerFixture f = server();
            f.engine.setSpread("s1", GBP_USD, SpreadRule.bps("10", "10"), "owner");
            f.quote(GBP_USD, "feed-b", "1.25000", "1.25010",
                    Instant.now().minus(ServerFixture.MAX_SOURCE_AGE).plusMillis(200));
            Await.until("GBP/USD at s1 goes stale",
                    () -> f.engine.storeRate("s1", GBP_USD).map(r -> r.stale()).orElse(false));
            WsClient c = f.connect(Who.TERMINAL1);
            assertError(c.call(obj("op", "lock", "id", "e", "storeId", "s1", "pair", "GBP/USD", "side", "BUY",
                    "amount", "5.00")), "stale_rate");
        }

        @Test
        void overrideDeviation() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            assertError(c.call(obj("op", "set_override", "id", "e", "storeId", "s1", "pair", "USD/CAD", "buy",
                    "1.50000", "sell", "1.60000", "reason", "typo")), "override_deviation", "buy");
        }

        @Test
        void lockNotFound() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            assertError(c.call(obj("op", "complete_lock", "id", "e", "lockId", "L-nope", "transactionRef", "t")),
                    "lock_not_found");
            assertError(c.call(obj("op", "cancel_lock", "id", "e2", "lockId", "L-nope", "reason", "r")),
                    "lock_not_found");
        }

        @Test
        void lockExpired() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            c.call(obj("op", "subscribe", "id", "s", "channel", "store:s1:locks"));
            String lockId = c.call(obj("op", "lock", "id", "l", "storeId", "s1", "pair", "USD/CAD", "side",
                    "SELL", "amount", "5.00", "ttl", "PT0.1S")).at("/result/lock/lockId").asText();
            JsonNode expired = c.nextMatching(n -> n.at("/event/type").asText().equals("rate_lock_expired"));
            assertThat(expired.at("/event/lock/lockId").asText()).isEqualTo(lockId);
            assertError(c.call(obj("op", "complete_lock", "id", "e", "lockId", lockId, "transactionRef", "t")),
                    "lock_expired");
        }

        @Test
        void auditFailureMakesNoDecision() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            f.audit.failAppends(true);
            JsonNode e = c.call(obj("op", "set_spread", "id", "e", "storeId", "s1", "pair", "USD/CAD", "unit",
                    "BPS", "buyMargin", "10", "sellMargin", "10"));
            assertError(e, "audit_failure");
            assertThat(e.path("message").asText()).as("the server's files are not the client's business")
                    .isEqualTo("the decision could not be recorded durably, so it was not made");
            f.audit.failAppends(false);
            assertThat(f.engine.storeRate("s1", USD_CAD).orElseThrow().sell().toPlainString())
                    .as("unchanged").isEqualTo("1.36811");
        }

        @Test
        void auditCorruptOnceTheLogIsClosed() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.MANAGER1);
            f.audit.close();
            assertError(c.call(obj("op", "set_spread", "id", "e", "storeId", "s1", "pair", "USD/CAD", "unit",
                    "BPS", "buyMargin", "10", "sellMargin", "10")), "audit_corrupt");
            c.assertAlive();
        }

        @Test
        void forbidden() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            assertError(c.call(obj("op", "set_spread", "id", "e", "storeId", "s1", "pair", "USD/CAD", "unit",
                    "BPS", "buyMargin", "10", "sellMargin", "10")), "forbidden");
        }

        @Test
        void invalidJsonAndUnknownOp() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.TERMINAL1);
            c.send("this is not json");
            assertError(c.next(), "invalid_json");
            assertError(c.call(obj("op", "fly", "id", "e")), "unknown_op", "op");
            assertError(c.call(obj("op", "request", "id", "e2", "name", "no_such_request")), "unknown_op",
                    "name");
        }

        @Test
        void internalWhenAnApplicationHandlerFails() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode thrown = c.call(obj("op", "request", "id", "e1", "name", "boom"));
            assertError(thrown, "internal");
            assertThat(thrown.path("message").asText()).doesNotContain("handler bug");
            assertError(c.call(obj("op", "request", "id", "e2", "name", "fails")), "internal");
            c.assertAlive();
        }

        @Test
        void limitExceededForTooManySubscriptions() {
            ServerFixture f = server(b -> b.protocolSettings(ProtocolSettings.builder().maxSubscriptions(2)
                    .build()));
            WsClient c = f.connect(Who.ADMIN);
            c.call(obj("op", "subscribe", "id", "1", "channel", "app:a"));
            c.call(obj("op", "subscribe", "id", "2", "channel", "app:b"));
            assertError(c.call(obj("op", "subscribe", "id", "3", "channel", "app:c")), "limit_exceeded");
            assertThat(c.call(obj("op", "subscribe", "id", "4", "channel", "app:a")).path("type").asText())
                    .as("subscribing again to a channel held is not a new subscription").isEqualTo("subscribed");
            c.call(obj("op", "unsubscribe", "id", "5", "channel", "app:b"));
            assertThat(c.call(obj("op", "subscribe", "id", "6", "channel", "app:c")).path("type").asText())
                    .isEqualTo("subscribed");
        }

        @Test
        void rateLimitedDropsTheMessage() {
            ServerFixture f = server(b -> b.protocolSettings(ProtocolSettings.builder().messageBurst(3)
                    .messagesPerMinute(1).build()));
            WsClient c = f.connect(Who.ADMIN);
            for (int i = 0; i < 3; i++) {
                assertThat(c.call(obj("op", "ping", "id", "p" + i)).path("type").asText()).isEqualTo("pong");
            }
            c.send(obj("op", "subscribe", "id", "dropped", "channel", "app:x"));
            JsonNode e = c.next();
            assertError(e, "rate_limited");
            assertThat(f.sessionOf(c).subscriptions()).as("the message was dropped").isEmpty();
        }

        @Test
        void aMessageIdMustBeAStringOf1To64Characters() {
            ServerFixture f = server();
            WsClient c = f.connect(Who.ADMIN);
            c.send("{\"op\":\"ping\",\"id\":\"" + "x".repeat(65) + "\"}");
            assertError(c.next(), "invalid_argument", "id");
            c.send("{\"op\":\"ping\",\"id\":7}");
            assertError(c.next(), "invalid_argument", "id");
            assertThat(c.call(obj("op", "ping", "id", "x".repeat(64))).path("type").asText()).isEqualTo("pong");
        }
    }
}
