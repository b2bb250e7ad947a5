package io.ratehub.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.MutableClock;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.fixtures.ManualScheduler;
import io.ratehub.core.fixtures.TestOutbound;
import io.ratehub.core.hub.RateHub;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProtocolConnectionTest {
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private final MutableClock clock = MutableClock.at("2026-11-21T09:00:00Z");
    private final ManualScheduler scheduler = new ManualScheduler();
    private final AuditLog audit = AuditLog.inMemory();
    private final RateEngine engine = RateEngine.builder().clock(clock).auditLog(audit).build();
    private final RateHub hub = RateHub.builder().clock(clock).scheduler(scheduler).build();
    private final Map<String, Principal> tokens = Map.of(
            "t-admin", Principal.admin("root"),
            "t-m1", Principal.manager("mgr1", "s1"),
            "t-term1", Principal.terminal("term1", "s1"),
            "t-term2", Principal.terminal("term2", "s2"),
            "t-view", Principal.viewer("viewer", "s1"));
    private ProtocolService service;

    @BeforeEach
    void setUp() {
        hub.attach(engine);
        service = ProtocolService.builder().engine(engine).hub(hub).scheduler(scheduler)
                .authenticator(c -> {
                    Principal p = tokens.get(c.secret());
                    if (p == null) {
                        throw new AuthenticationException("unknown token");
                    }
                    return p;
                })
                .settings(ProtocolSettings.builder().messagesPerMinute(600).messageBurst(200).maxSubscriptions(3)
                        .build())
                .onRequest("echo", (p, body) -> CompletableFuture.completedFuture(Map.of("from", p.id(),
                        "body", body)))
                .build();
        engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("s2", USD_CAD, SpreadRule.bps("80", "80"), "owner");
        engine.onQuote(new MarketQuote(USD_CAD, new BigDecimal("1.36120"), new BigDecimal("1.36140"), "a",
                clock.instant()));
    }

    /** A connected client: its transport and its connection. */
    private final class Client {
        final TestOutbound out = TestOutbound.autoCompleting();
        final ProtocolConnection conn = service.open(out, null, "127.0.0.1");

        Client send(String json) {
            conn.onText(json);
            scheduler.runAll();
            return this;
        }

        Client auth(String token) {
            return send("{\"op\":\"auth\",\"id\":\"a\",\"token\":\"" + token + "\"}");
        }

        JsonNode last() {
            List<JsonNode> m = out.messages();
            return m.get(m.size() - 1);
        }

        JsonNode lastOfType(String type) {
            List<JsonNode> m = out.messages();
            for (int i = m.size() - 1; i >= 0; i--) {
                if (m.get(i).get("type").asText().equals(type)) {
                    return m.get(i);
                }
            }
            throw new AssertionError("no " + type + " in " + m);
        }
    }

    @Test
    void authenticatingWithAMessageGetsAWelcome() {
        Client c = new Client().auth("t-m1");
        JsonNode welcome = c.last();
        assertThat(welcome.get("type").asText()).isEqualTo("welcome");
        assertThat(welcome.get("id").asText()).isEqualTo("a");
        assertThat(welcome.get("protocol").asInt()).isEqualTo(1);
        assertThat(welcome.at("/principal/role").asText()).isEqualTo("MANAGER");
        assertThat(welcome.at("/principal/stores/0").asText()).isEqualTo("s1");
    }

    @Test
    void handshakeCredentialsAuthenticateAtOnce() {
        TestOutbound out = TestOutbound.autoCompleting();
        service.open(out, new Credentials(Credentials.Scheme.BEARER, "t-view", null), null);
        scheduler.runAll();
        assertThat(out.messages().get(0).get("type").asText()).isEqualTo("welcome");
    }

    @Test
    void refusedCredentialsAreAnsweredThenTheConnectionClosesWith4001() {
        Client c = new Client().auth("wrong");
        assertThat(c.out.messages()).hasSize(1);
        assertThat(c.last().get("code").asText()).isEqualTo("unauthenticated");
        assertThat(c.out.closeCode).isEqualTo(CloseCodes.UNAUTHENTICATED);
        assertThat(service.connectionCount()).isZero();
    }

    @Test
    void aConnectionThatDoesNotAuthenticateInTimeIsClosed() {
        Client c = new Client();
        scheduler.advance(Duration.ofMillis(4_999));
        assertThat(c.out.closeCode).isNull();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(c.out.closeCode).isEqualTo(CloseCodes.UNAUTHENTICATED);
        assertThat(c.last().get("code").asText()).isEqualTo("unauthenticated");
    }

    @Test
    void nothingButAuthAndPingBeforeAuthentication() {
        Client c = new Client().send("{\"op\":\"subscribe\",\"id\":\"1\",\"channel\":\"market\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("unauthenticated");
        assertThat(c.last().get("id").asText()).isEqualTo("1");
        c.send("{\"op\":\"ping\",\"id\":\"p\"}");
        assertThat(c.last().get("type").asText()).isEqualTo("pong");
        assertThat(c.out.closeCode).isNull();
    }

    @Test
    void badInputIsAnsweredWithATypedErrorAndTheConnectionCarriesOn() {
        Client c = new Client().auth("t-m1");
        c.send("{not json");
        assertThat(c.last().get("code").asText()).isEqualTo("invalid_json");
        c.send("[1,2]");
        assertThat(c.last().get("code").asText()).isEqualTo("invalid_json");
        c.send("{\"id\":\"x\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("invalid_argument");
        assertThat(c.last().get("field").asText()).isEqualTo("op");
        c.send("{\"op\":\"explode\",\"id\":\"x2\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("unknown_op");
        assertThat(c.last().get("id").asText()).isEqualTo("x2");
        c.send("{\"op\":\"lock\",\"id\":\"x3\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":{\"nested\":1}}");
        assertThat(c.last().get("code").asText()).isEqualTo("invalid_argument");
        assertThat(c.last().get("field").asText()).isEqualTo("amount");
        c.send("{\"op\":\"lock\",\"id\":\"x4\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"1e400\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("invalid_argument");
        c.send("{\"op\":\"lock\",\"id\":\"x5\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\"}");
        assertThat(c.last().get("field").asText()).isEqualTo("amount");
        c.send("{\"op\":\"subscribe\",\"id\":\"x6\",\"channel\":\"market\",\"bogus\":true}");
        assertThat(c.last().get("field").asText()).isEqualTo("bogus");
        c.conn.onBinary();
        scheduler.runAll();
        assertThat(c.last().get("code").asText()).isEqualTo("invalid_json");
        c.send("{\"op\":\"ping\",\"id\":\"still-here\"}");
        assertThat(c.last().get("type").asText()).isEqualTo("pong");
        assertThat(c.out.closeCode).isNull();
        assertThat(audit.lastSeq()).as("no rejected command reached the audit trail").isEqualTo(2);
    }

    @Test
    void subscribingSendsTheAcknowledgementThenTheSnapshot() {
        Client c = new Client().auth("t-term1");
        c.send("{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s1:rates\"}");
        List<JsonNode> m = c.out.messages();
        assertThat(m.get(1).get("type").asText()).isEqualTo("subscribed");
        assertThat(m.get(1).get("recovery").asText()).isEqualTo("SNAPSHOT");
        assertThat(m.get(1).get("count").asInt()).isEqualTo(1);
        assertThat(m.get(2).get("type").asText()).isEqualTo("update");
        assertThat(m.get(2).at("/event/type").asText()).isEqualTo("rate_update");
        assertThat(m.get(2).at("/event/rate/buy").asText()).isEqualTo("1.35449");
    }

    @Test
    void aStoreCanNeitherReadNorChangeAnotherStore() {
        Client c = new Client().auth("t-term1");
        c.send("{\"op\":\"subscribe\",\"id\":\"1\",\"channel\":\"store:s2:locks\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("forbidden");
        c.send("{\"op\":\"set_override\",\"id\":\"2\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"buy\":\"1.3\","
                + "\"sell\":\"1.4\",\"reason\":\"x\"}");
        assertThat(c.last().get("code").asText()).as("a terminal may not set rates").isEqualTo("forbidden");
        c.send("{\"op\":\"lock\",\"id\":\"3\",\"storeId\":\"s2\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"100.00\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("forbidden");

        Client other = new Client().auth("t-term2");
        other.send("{\"op\":\"lock\",\"id\":\"l\",\"storeId\":\"s2\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"100.00\"}");
        String lockId = other.last().at("/result/lock/lockId").asText();
        c.send("{\"op\":\"complete_lock\",\"id\":\"4\",\"lockId\":\"" + lockId + "\",\"transactionRef\":\"t1\"}");
        assertThat(c.last().get("code").asText()).as("another store's lock does not exist for s1")
                .isEqualTo("lock_not_found");
        assertThat(engine.findLock(lockId).orElseThrow().status().name()).isEqualTo("ACTIVE");
    }

    @Test
    void theRoleMatrixOfCommands() {
        String[][] matrix = {
            // token, op that needs MANAGER, expected code or "reply"
            {"t-admin", "reply"}, {"t-m1", "reply"}, {"t-term1", "forbidden"}, {"t-view", "forbidden"}};
        for (String[] row : matrix) {
            Client c = new Client().auth(row[0]);
            c.send("{\"op\":\"set_spread\",\"id\":\"q\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"unit\":\"BPS\","
                    + "\"buyMargin\":\"40\",\"sellMargin\":\"40\"}");
            JsonNode last = c.last();
            assertThat(last.get("type").asText().equals("reply") ? "reply" : last.get("code").asText())
                    .as(row[0]).isEqualTo(row[1]);
        }
        String[][] locks = {{"t-admin", "reply"}, {"t-m1", "reply"}, {"t-term1", "reply"}, {"t-view", "forbidden"}};
        for (String[] row : locks) {
            Client c = new Client().auth(row[0]);
            c.send("{\"op\":\"lock\",\"id\":\"q\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"BUY\","
                    + "\"amount\":\"10.00\"}");
            JsonNode last = c.last();
            assertThat(last.get("type").asText().equals("reply") ? "reply" : last.get("code").asText())
                    .as(row[0]).isEqualTo(row[1]);
        }
    }

    @Test
    void aLockCompletedTwiceWithTheSameReferenceIsCompletedOnce() {
        Client c = new Client().auth("t-term1");
        c.send("{\"op\":\"lock\",\"id\":\"l\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"1000.00\",\"requestId\":\"r1\"}");
        String lockId = c.last().at("/result/lock/lockId").asText();
        c.send("{\"op\":\"lock\",\"id\":\"l2\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"1000.00\",\"requestId\":\"r1\"}");
        assertThat(c.last().at("/result/lock/lockId").asText()).isEqualTo(lockId);
        for (int i = 0; i < 2; i++) {
            c.send("{\"op\":\"complete_lock\",\"id\":\"c" + i + "\",\"lockId\":\"" + lockId
                    + "\",\"transactionRef\":\"tx-1\"}");
            assertThat(c.last().at("/result/lock/status").asText()).isEqualTo("COMPLETED");
        }
        assertThat(audit.query(AuditQuery.all()).stream().filter(e -> e.action().equals("lock.completed")).count())
                .isEqualTo(1);
    }

    @Test
    void aMessageFloodIsRefusedThenClosed() {
        ProtocolService strict = ProtocolService.builder().engine(engine).hub(hub).scheduler(scheduler)
                .authenticator(cr -> Principal.admin("root"))
                .settings(ProtocolSettings.builder().messagesPerMinute(10).messageBurst(5).maxRateStrikes(3).build())
                .build();
        TestOutbound out = TestOutbound.autoCompleting();
        ProtocolConnection conn = strict.open(out, new Credentials(Credentials.Scheme.API_KEY, "k", null), null);
        for (int i = 0; i < 20; i++) {
            conn.onText("{\"op\":\"ping\",\"id\":\"p" + i + "\"}");
            scheduler.runAll();
        }
        long pongs = out.messages().stream().filter(m -> m.get("type").asText().equals("pong")).count();
        long limited = out.messages().stream().filter(m -> m.path("code").asText().equals("rate_limited")).count();
        assertThat(pongs).isEqualTo(5);
        assertThat(limited).isEqualTo(4); // three warnings, then the closing notice
        assertThat(out.messages().stream().filter(m -> m.path("code").asText().equals("rate_limited"))
                .map(m -> m.path("id").asText())).containsExactly("p5", "p6", "p7", "p8"); // each names its message
        assertThat(out.closeCode).isEqualTo(CloseCodes.RATE_LIMITED);
    }

    @Test
    void subscriptionsPerConnectionAreLimited() {
        Client c = new Client().auth("t-m1");
        for (String ch : List.of("market", "market:alerts", "store:s1:rates")) {
            c.send("{\"op\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            assertThat(c.lastOfType("subscribed").get("channel").asText()).isEqualTo(ch);
        }
        c.send("{\"op\":\"subscribe\",\"id\":\"4th\",\"channel\":\"store:s1:locks\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("limit_exceeded");
        c.send("{\"op\":\"unsubscribe\",\"id\":\"u\",\"channel\":\"market\"}");
        assertThat(c.last().get("type").asText()).isEqualTo("unsubscribed");
        c.send("{\"op\":\"subscribe\",\"id\":\"again\",\"channel\":\"store:s1:locks\"}");
        assertThat(c.lastOfType("subscribed").get("id").asText()).isEqualTo("again");
    }

    @Test
    void clientsCannotCreateApplicationChannelsBySubscribing() {
        Client c = new Client().auth("t-view");
        c.send("{\"op\":\"subscribe\",\"id\":\"x\",\"channel\":\"app:made-up\"}");
        assertThat(c.last().get("field").asText()).isEqualTo("channel");
        assertThat(hub.hasChannel("app:made-up")).isFalse();
        hub.declareAppChannel("orders");
        c.send("{\"op\":\"subscribe\",\"id\":\"y\",\"channel\":\"app:orders\"}");
        assertThat(c.lastOfType("subscribed").get("channel").asText()).isEqualTo("app:orders");
    }

    @Test
    void appRequestsReachTheirHandler() {
        Client c = new Client().auth("t-view");
        c.send("{\"op\":\"request\",\"id\":\"r\",\"name\":\"echo\",\"body\":{\"text\":\"hi\"}}");
        assertThat(c.last().at("/result/from").asText()).isEqualTo("viewer");
        assertThat(c.last().at("/result/body/text").asText()).isEqualTo("hi");
        c.send("{\"op\":\"request\",\"id\":\"r2\",\"name\":\"nope\"}");
        assertThat(c.last().get("code").asText()).isEqualTo("unknown_op");
    }

    @Test
    void aClientTimeZoneRendersEveryTimestampAlsoInThatZone() {
        Client c = new Client().send("{\"op\":\"auth\",\"id\":\"a\",\"token\":\"t-term1\",\"tz\":\"Africa/Lagos\"}");
        assertThat(c.last().get("timezone").asText()).isEqualTo("Africa/Lagos");
        assertThat(c.last().get("timeLocal").asText()).isEqualTo("2026-11-21T10:00+01:00");
        c.send("{\"op\":\"subscribe\",\"channel\":\"store:s1:rates\"}");
        JsonNode update = c.lastOfType("update");
        assertThat(update.at("/event/rate/asOf").asText()).isEqualTo("2026-11-21T09:00:00Z");
        assertThat(update.at("/event/rate/asOfLocal").asText()).isEqualTo("2026-11-21T10:00+01:00");
        c.send("{\"op\":\"timezone\",\"id\":\"z\",\"tz\":\"Mars/Olympus\"}");
        assertThat(c.last().get("field").asText()).isEqualTo("tz");
        c.send("{\"op\":\"timezone\",\"id\":\"z\",\"tz\":\"Africa/Nairobi\"}");
        assertThat(c.last().at("/result/tz").asText()).isEqualTo("Africa/Nairobi");
        assertThat(c.last().get("id").asText()).isEqualTo("z");
    }

    @Test
    void aReturningClientRecoversMissedLockEventsFromItsPosition() {
        Client c = new Client().auth("t-term1");
        c.send("{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s1:locks\"}");
        c.send("{\"op\":\"lock\",\"id\":\"l\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"1.00\"}");
        JsonNode seen = c.lastOfType("update");
        c.conn.onClosed();
        engine.lock(io.ratehub.core.engine.LockRequest.of("s1", USD_CAD, io.ratehub.core.model.Side.BUY,
                new BigDecimal("2.00"), "clerk"));
        Client back = new Client().auth("t-term1");
        back.send("{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s1:locks\",\"from\":{\"epoch\":\""
                + seen.get("epoch").asText() + "\",\"seq\":" + seen.get("seq").asLong() + "}}");
        assertThat(back.lastOfType("subscribed").get("recovery").asText()).isEqualTo("REPLAY");
        JsonNode replayed = back.lastOfType("update");
        assertThat(replayed.get("seq").asLong()).isEqualTo(seen.get("seq").asLong() + 1);
        assertThat(replayed.at("/event/lock/amount").asText()).isEqualTo("2.00");
    }

    /** Hostile input from issue 12: each frame gets its typed answer at once, and nothing else is disturbed. */
    @org.junit.jupiter.api.Nested
    class HostileInput {
        private Client manager;

        @BeforeEach
        void connect() {
            manager = new Client().auth("t-m1");
        }

        private JsonNode answer(String json) {
            int before = manager.out.messages().size();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> manager.send(json),
                    "a hostile frame must never run unbounded work: " + json);
            assertThat(manager.out.messages()).as("one answer to %s", json).hasSize(before + 1);
            return manager.last();
        }

        private void refused(String json, String code, String field) {
            JsonNode a = answer(json);
            assertThat(a.path("type").asText()).as(json).isEqualTo("error");
            assertThat(a.path("code").asText()).as(json + " -> " + a).isEqualTo(code);
            if (field != null) {
                assertThat(a.path("field").asText()).as(json + " -> " + a).isEqualTo(field);
            }
            assertThat(a.path("message").asText()).as("no library internals in " + a)
                    .doesNotContain("java.", "com.fasterxml", "Jackson", "StreamReadConstraints", "`");
        }

        @Test
        void extremeExponentsInEveryNumericFieldAreRefusedNamingTheField() {
            List<String> extremes = List.of("\"1e-400000000\"", "1e-400000000", "\"1e400000000\"", "1e400000000",
                    "\"1E3\"", "1.5e1", "\"NaN\"", "\"Infinity\"", "\"-1e-30\"",
                    "9".repeat(5000), "0." + "0".repeat(9_000) + "1");
            Map<String, String> ops = Map.of(
                    "maxRate", "{\"op\":\"subscribe\",\"id\":\"x\",\"channel\":\"market\",\"maxRate\":%s}",
                    "buyMargin", "{\"op\":\"set_spread\",\"id\":\"x\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                            + "\"unit\":\"BPS\",\"buyMargin\":%s,\"sellMargin\":\"10\"}",
                    "maxMargin", "{\"op\":\"set_spread\",\"id\":\"x\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                            + "\"unit\":\"BPS\",\"buyMargin\":\"10\",\"sellMargin\":\"10\",\"maxMargin\":%s}",
                    "sell", "{\"op\":\"set_override\",\"id\":\"x\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                            + "\"buy\":\"1.3\",\"sell\":%s,\"reason\":\"r\"}",
                    "percent", "{\"op\":\"set_threshold\",\"id\":\"x\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                            + "\"kind\":\"OVERRIDE_DIVERGENCE\",\"percent\":%s}",
                    "amount", "{\"op\":\"lock\",\"id\":\"x\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                            + "\"side\":\"SELL\",\"amount\":%s}",
                    "from.seq", "{\"op\":\"subscribe\",\"id\":\"x\",\"channel\":\"market\","
                            + "\"from\":{\"epoch\":\"e\",\"seq\":%s}}");
            ops.forEach((field, template) -> {
                for (String v : extremes) {
                    String json = String.format(template, v);
                    refused(json, "invalid_argument", field);
                    assertThat(manager.last().path("id").asText()).as(json).isEqualTo("x");
                }
            });
        }

        @Test
        void aTinyMaxRateIsOutOfRangeNotAnInternalError() {
            for (String v : List.of("\"1e-30\"", "\"0.0000000000000000000000000001\"", "\"0.0009\"", "\"1000.001\"",
                    "\"0\"", "\"-1\"")) {
                refused("{\"op\":\"subscribe\",\"channel\":\"market\",\"maxRate\":" + v + "}", "invalid_argument",
                        "maxRate");
            }
            manager.send("{\"op\":\"subscribe\",\"channel\":\"market\",\"maxRate\":\"0.001\"}");
            assertThat(manager.lastOfType("subscribed").path("channel").asText()).isEqualTo("market");
        }

        @Test
        void loneSurrogatesAreRefusedWhereverTextEnters() {
            refused("{\"op\":\"set_override\",\"id\":\"o\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                    + "\"buy\":\"1.35\",\"sell\":\"1.37\",\"reason\":\"promo \\ud800\"}", "invalid_argument", "reason");
            refused("{\"op\":\"ping\",\"id\":\"\\udfff\"}", "invalid_argument", "id");
            refused("{\"op\":\"request\",\"name\":\"echo\",\"body\":{\"a\\udc00\":[1,\"\\ud83d\"]}}",
                    "invalid_argument", "body.a\\udc00");
            // A pair is fine, and the store's alerts still flow to a subscriber after all of the above.
            Client watcher = new Client().auth("t-view");
            watcher.send("{\"op\":\"subscribe\",\"channel\":\"store:s1:alerts\"}");
            JsonNode ok = answer("{\"op\":\"set_override\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                    + "\"buy\":\"1.35\",\"sell\":\"1.37\",\"reason\":\"promo \\ud83d\\ude00\",\"force\":true}");
            assertThat(ok.path("type").asText()).as(ok.toString()).isEqualTo("reply");
            assertThat(watcher.lastOfType("update").at("/event/override/reason").asText()).isEqualTo("promo \ud83d\ude00");
        }

        @Test
        void deepNestingIsInvalidJsonWithItsLimit() {
            String deep = "{\"op\":\"request\",\"id\":\"n\",\"name\":\"echo\",\"body\":" + "[".repeat(10_000)
                    + "]".repeat(10_000) + "}";
            refused(deep, "invalid_json", null);
            assertThat(manager.last().path("message").asText()).contains("deeper than 32 levels");
            String justOk = "{\"op\":\"request\",\"name\":\"echo\",\"body\":" + "[".repeat(30) + "]".repeat(30) + "}";
            assertThat(answer(justOk).path("type").asText()).isEqualTo("reply");
        }

        @Test
        void wrongTypesNameTheFieldInTheProtocolsWords() {
            refused("{\"op\":\"lock\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\",\"amount\":true}",
                    "invalid_argument", "amount");
            refused("{\"op\":\"lock\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"UP\",\"amount\":\"1\"}",
                    "invalid_argument", "side");
            assertThat(manager.last().path("message").asText()).contains("one of BUY, SELL");
            refused("{\"op\":\"lock\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"side\":\"SELL\",\"amount\":\"1\","
                    + "\"ttl\":\"PT99999999999999999H\"}", "invalid_argument", "ttl");
            refused("{\"op\":\"subscribe\",\"channel\":\"market\",\"bogus\":1}", "invalid_argument", "bogus");
            refused("{\"op\":\"subscribe\",\"channel\":[\"market\"]}", "invalid_argument", "channel");
            refused("{\"op\":\"set_override\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"buy\":\"1.35\","
                    + "\"sell\":\"1.37\",\"reason\":\"r\",\"validUntil\":\"+1000000000-01-01T00:00:00Z\"}",
                    "invalid_argument", "validUntil");
            refused("{\"op\":\"ping\"", "invalid_json", null);
        }
    }
}
