package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static io.ratehub.server.ServerFixture.EUR_USD;
import static io.ratehub.server.ServerFixture.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.ProtocolSettings;
import io.ratehub.server.ServerFixture.Who;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may do what (docs/PROTOCOL.md), role x channel x command, for ADMIN, MANAGER of s1, TERMINAL of s1 and
 * VIEWER of s1 against stores s1 and s2, over WebSocket and HTTP. A refused command changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixIT {
    private static final List<Who> ROLES = List.of(Who.ADMIN, Who.MANAGER1, Who.TERMINAL1, Who.VIEWER1);
    private static final List<String> PRICING = List.of("set_spread", "remove_spread", "set_override",
            "clear_override", "set_threshold", "remove_threshold");

    private ServerFixture f;
    private final Map<Who, WsClient> clients = new EnumMap<>(Who.class);
    private int ids;

    @BeforeAll
    void start() {
        f = ServerFixture.start(b -> b.limits(ConnectionLimits.unlimited())
                .protocolSettings(ProtocolSettings.builder().messageBurst(10_000).messagesPerMinute(60_000).build())
                .onRequest("echo", (p, body) -> CompletableFuture.completedFuture(Map.of("from", p.id()))))
                .withMarket();
        f.quote(EUR_USD, "1.08000", "1.08010");
        for (String store : List.of("s1", "s2")) {
            f.engine.setSpread(store, EUR_USD, SpreadRule.bps("20", "20"), "owner");
        }
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private WsClient client(Who who) {
        return clients.computeIfAbsent(who, f::connect);
    }

    private String id() {
        return "m" + (++ids);
    }

    private String activeLock(String store) {
        return f.engine.lock(LockRequest.of(store, USD_CAD, Side.SELL, new BigDecimal("10.00"), "seed")).lockId();
    }

    private static boolean readable(Who who, String channel) {
        if (who == Who.ADMIN) {
            return true;
        }
        return !channel.startsWith("store:s2:") && !channel.equals("user:somebody-else");
    }

    private static boolean mayRun(Who who, String op, String store) {
        return switch (who) {
            case ADMIN -> true;
            case MANAGER1 -> store.equals("s1");
            case TERMINAL1 -> store.equals("s1") && List.of("lock", "complete_lock", "cancel_lock").contains(op);
            default -> false;
        };
    }

    private String command(String op, String store) {
        String id = id();
        return switch (op) {
            case "set_spread" -> obj("op", op, "id", id, "storeId", store, "pair", "GBP/USD", "unit", "BPS",
                    "buyMargin", "30", "sellMargin", "30");
            case "remove_spread" -> obj("op", op, "id", id, "storeId", store, "pair", "EUR/USD");
            case "set_override" -> obj("op", op, "id", id, "storeId", store, "pair", "USD/CAD", "buy", "1.35500",
                    "sell", "1.36900", "reason", "matrix");
            case "clear_override" -> obj("op", op, "id", id, "storeId", store, "pair", "USD/CAD", "reason",
                    "matrix");
            case "set_threshold" -> obj("op", op, "id", id, "storeId", store, "pair", "USD/CAD", "kind",
                    "OVERRIDE_DIVERGENCE", "percent", "2");
            case "remove_threshold" -> obj("op", op, "id", id, "storeId", store, "pair", "USD/CAD", "kind",
                    "OVERRIDE_DIVERGENCE");
            case "lock" -> obj("op", op, "id", id, "storeId", store, "pair", "USD/CAD", "side", "BUY", "amount",
                    "25.00");
            case "complete_lock" -> obj("op", op, "id", id, "lockId", activeLock(store), "transactionRef", "tx-" + id);
            case "cancel_lock" -> obj("op", op, "id", id, "lockId", activeLock(store), "reason", "matrix");
            default -> throw new IllegalArgumentException(op);
        };
    }

    @TestFactory
    Stream<DynamicTest> subscriptions() {
        List<String> channels = List.of("market", "market:alerts", "system", "app:orders", "store:s1:rates",
                "store:s1:alerts", "store:s1:locks", "store:s2:rates", "store:s2:alerts", "store:s2:locks",
                "user:somebody-else");
        List<DynamicTest> tests = new ArrayList<>();
        for (Who who : ROLES) {
            tests.add(DynamicTest.dynamicTest(who + " reads user:<its own id>", () -> {
                WsClient c = client(who);
                String own = "user:" + who.principal.id();
                assertThat(c.call(obj("op", "subscribe", "id", id(), "channel", own)).path("type").asText())
                        .isEqualTo("subscribed");
                c.call(obj("op", "unsubscribe", "id", id(), "channel", own));
            }));
            for (String ch : channels) {
                boolean allowed = readable(who, ch);
                tests.add(DynamicTest.dynamicTest(who + (allowed ? " reads " : " may not read ") + ch, () -> {
                    WsClient c = client(who);
                    JsonNode r = c.call(obj("op", "subscribe", "id", id(), "channel", ch));
                    if (allowed) {
                        assertThat(r.path("type").asText()).as("%s", r).isEqualTo("subscribed");
                        c.call(obj("op", "unsubscribe", "id", id(), "channel", ch));
                    } else {
                        assertThat(r.path("code").asText()).as("%s", r).isEqualTo("forbidden");
                        assertThat(f.sessionOf(c).subscriptions()).doesNotContain(ch);
                    }
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> commands() {
        List<String> ops = new ArrayList<>(PRICING);
        ops.addAll(List.of("lock", "complete_lock", "cancel_lock"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Who who : ROLES) {
            for (String store : List.of("s1", "s2")) {
                for (String op : ops) {
                    boolean allowed = mayRun(who, op, store);
                    tests.add(DynamicTest.dynamicTest(who + (allowed ? " runs " : " may not run ") + op + " on "
                            + store, () -> {
                        WsClient c = client(who);
                        String msg = command(op, store);
                        long auditBefore = f.audit.lastSeq();
                        JsonNode r = c.call(msg);
                        if (allowed) {
                            assertThat(r.path("type").asText()).as("%s", r).isEqualTo("reply");
                            return;
                        }
                        assertThat(r.path("type").asText()).as("%s", r).isEqualTo("error");
                        if (op.equals("complete_lock") || op.equals("cancel_lock")) {
                            // a lock the principal may not handle is not revealed
                            assertThat(r.path("code").asText()).as("%s", r).isIn("lock_not_found", "forbidden");
                            if (!store.equals("s1") || who != Who.VIEWER1) {
                                assertThat(r.path("code").asText()).as("%s", r).isEqualTo("lock_not_found");
                            }
                            String lockId = Json.parse(msg).path("lockId").asText();
                            assertThat(f.engine.findLock(lockId).orElseThrow().status())
                                    .isEqualTo(LockStatus.ACTIVE);
                        } else {
                            assertThat(r.path("code").asText()).as("%s", r).isEqualTo("forbidden");
                        }
                        assertThat(f.audit.lastSeq()).as("a refused command records nothing").isEqualTo(auditBefore);
                    }));
                }
            }
            tests.add(DynamicTest.dynamicTest(who + " sends application requests", () -> {
                JsonNode r = client(who).call(obj("op", "request", "id", id(), "name", "echo"));
                assertThat(r.at("/result/from").asText()).isEqualTo(who.principal.id());
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> httpReads() {
        String s1Lock = activeLock("s1");
        String s2Lock = activeLock("s2");
        List<DynamicTest> tests = new ArrayList<>();
        for (Who who : ROLES) {
            boolean admin = who == Who.ADMIN;
            tests.add(DynamicTest.dynamicTest(who + " GET /api/market", () ->
                    assertThat(f.get("/api/market", who).statusCode()).isEqualTo(200)));
            tests.add(DynamicTest.dynamicTest(who + " GET /api/status", () ->
                    assertThat(f.get("/api/status", who).statusCode()).isEqualTo(admin ? 200 : 403)));
            tests.add(DynamicTest.dynamicTest(who + " GET /api/stores/s1/rates", () ->
                    assertThat(f.get("/api/stores/s1/rates", who).statusCode()).isEqualTo(200)));
            tests.add(DynamicTest.dynamicTest(who + " GET /api/stores/s2/rates", () -> {
                HttpResponse<String> r = f.get("/api/stores/s2/rates", who);
                assertThat(r.statusCode()).isEqualTo(admin ? 200 : 403);
                if (!admin) {
                    assertThat(r.body()).doesNotContain("1.35").contains("\"forbidden\"");
                }
            }));
            tests.add(DynamicTest.dynamicTest(who + " GET /api/locks/<s1 lock>", () ->
                    assertThat(f.get("/api/locks/" + s1Lock, who).statusCode()).isEqualTo(200)));
            tests.add(DynamicTest.dynamicTest(who + " GET /api/locks/<s2 lock>", () -> {
                HttpResponse<String> r = f.get("/api/locks/" + s2Lock, who);
                assertThat(r.statusCode()).isEqualTo(admin ? 200 : 404);
                if (!admin) {
                    assertThat(Json.parse(r.body()).path("code").asText()).isEqualTo("lock_not_found");
                    assertThat(r.body()).doesNotContain("\"s2\"");
                }
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> httpCommands() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Who who : ROLES) {
            for (String store : List.of("s1", "s2")) {
                for (String op : List.of("set_override", "clear_override", "lock", "complete_lock", "cancel_lock")) {
                    boolean allowed = mayRun(who, op, store);
                    tests.add(DynamicTest.dynamicTest("POST /api/" + op + " on " + store + " as " + who, () -> {
                        com.fasterxml.jackson.databind.node.ObjectNode body =
                                (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(command(op, store));
                        body.remove("op");
                        body.remove("id");
                        HttpResponse<String> r = f.post("/api/" + op, body.toString(), who);
                        if (allowed) {
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        } else if (op.endsWith("_lock")) {
                            assertThat(r.statusCode()).as(r.body()).isIn(404, 403);
                        } else {
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    /** The sentence: "store A can neither read store B's locks nor set store B's rates". */
    @Test
    void storeACanNeitherReadStoreBsLocksNorSetStoreBsRates() {
        String s2Lock = activeLock("s2");
        var s2Before = f.engine.storeRate("s2", USD_CAD).orElseThrow();
        var s2OverrideBefore = f.engine.override("s2", USD_CAD);
        for (Who storeA : List.of(Who.MANAGER1, Who.TERMINAL1)) {
            WsClient c = client(storeA);
            assertThat(c.call(obj("op", "subscribe", "id", id(), "channel", "store:s2:locks")).path("code").asText())
                    .isEqualTo("forbidden");
            assertThat(c.call(obj("op", "subscribe", "id", id(), "channel", "store:s2:rates")).path("code")
                    .asText()).isEqualTo("forbidden");
            assertThat(f.get("/api/locks/" + s2Lock, storeA).statusCode()).isEqualTo(404);
            assertThat(f.get("/api/stores/s2/rates", storeA).statusCode()).isEqualTo(403);
            assertThat(c.call(obj("op", "complete_lock", "id", id(), "lockId", s2Lock, "transactionRef", "tx-a"))
                    .path("code").asText()).isEqualTo("lock_not_found");
            assertThat(c.call(obj("op", "cancel_lock", "id", id(), "lockId", s2Lock, "reason", "mine now"))
                    .path("code").asText()).isEqualTo("lock_not_found");
            assertThat(c.call(obj("op", "set_override", "id", id(), "storeId", "s2", "pair", "USD/CAD", "buy",
                    "1.30000", "sell", "1.31000", "reason", "undercut", "force", true)).path("code").asText())
                    .isEqualTo("forbidden");
            assertThat(c.call(obj("op", "set_spread", "id", id(), "storeId", "s2", "pair", "USD/CAD", "unit",
                    "BPS", "buyMargin", "1", "sellMargin", "1")).path("code").asText()).isEqualTo("forbidden");
            assertThat(f.post("/api/set_override", obj("storeId", "s2", "pair", "USD/CAD", "buy", "1.30000",
                    "sell", "1.31000", "reason", "undercut", "force", true), storeA).statusCode()).isEqualTo(403);
        }
        assertThat(f.engine.findLock(s2Lock).orElseThrow().status()).isEqualTo(LockStatus.ACTIVE);
        var s2After = f.engine.storeRate("s2", USD_CAD).orElseThrow();
        assertThat(s2After.buy()).isEqualByComparingTo(s2Before.buy());
        assertThat(s2After.basis()).isEqualTo(s2Before.basis());
        assertThat(f.engine.override("s2", USD_CAD)).isEqualTo(s2OverrideBefore);
    }

    /** Nothing of store s2 reaches a client of s1, even when s2 is busy. */
    @Test
    void aStoreClientSeesNoUpdateOfAnotherStore() {
        WsClient admin = client(Who.ADMIN);
        WsClient manager1 = f.connect(Who.MANAGER1);
        manager1.call(obj("op", "subscribe", "id", id(), "channel", "store:s1:locks"));
        admin.call(obj("op", "lock", "id", id(), "storeId", "s2", "pair", "USD/CAD", "side", "SELL", "amount",
                "5.00"));
        String marker = activeLock("s1");
        JsonNode first = manager1.nextMatching(n -> n.path("type").asText().equals("update"));
        assertThat(first.at("/event/lock/storeId").asText()).isEqualTo("s1");
        assertThat(first.at("/event/lock/lockId").asText()).isEqualTo(marker);
        manager1.close();
    }

    /**
     * A viewer reads store:s1:locks and GET /api/locks/<id> of its own store, so "lock_not_found" for that very
     * lock hides nothing and misleads: commanding it should be "forbidden" like every other command it may not run.
     */
    @Test

    void aViewerCommandingALockOfItsOwnStoreIsForbidden() {
        String lock = activeLock("s1");
        assertThat(f.get("/api/locks/" + lock, Who.VIEWER1).statusCode()).as("the viewer sees the lock")
                .isEqualTo(200);
        JsonNode r = client(Who.VIEWER1).call(obj("op", "cancel_lock", "id", id(), "lockId", lock, "reason", "x"));
        assertThat(r.path("code").asText()).isEqualTo("forbidden");
    }

    @Test
    void rolesAreAsTheWelcomeSays() {
        for (Who who : ROLES) {
            WsClient c = WsClient.connect(f.ws(), who.header());
            JsonNode w = c.next();
            assertThat(w.at("/principal/role").asText()).isEqualTo(who.principal.role().name());
            assertThat(Set.copyOf(who.principal.stores())).hasSize(w.at("/principal/stores").size());
            c.close();
        }
    }
}
