package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static io.ratehub.server.ServerFixture.EUR_USD;
import static io.ratehub.server.ServerFixture.GBP_USD;
import static io.ratehub.server.ServerFixture.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.server.ServerFixture.Who;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API on the WebSocket's port: docs/PROTOCOL.md's paths, statuses and JSON error bodies. */
class HttpApiIT {
    private final List<ServerFixture> fixtures = new ArrayList<>();

    private ServerFixture server() {
        return server(b -> { });
    }

    private ServerFixture server(Consumer<RateHubServer.Builder> config) {
        ServerFixture f = ServerFixture.start(b -> {
            b.onRequest("boom", (p, body) -> {
                throw new IllegalStateException("handler bug");
            });
            b.onRequest("echo", (p, body) -> CompletableFuture.completedFuture(Map.of("from", p.id())));
            config.accept(b);
        }).withMarket();
        fixtures.add(f);
        return f;
    }

    @AfterEach
    void stop() {
        fixtures.forEach(ServerFixture::close);
    }

    /** Asserts a JSON error body with {@code code} and {@code status}, and returns it. */
    private static JsonNode assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = Json.parse(r.body());
        assertThat(body.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
        return body;
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return Json.parse(r.body());
    }

    // ------------------------------------------------------------------ health

    @Test
    void liveAndReadyAnswerAnyoneWithoutCredentials() {
        ServerFixture f = server();
        assertThat(ok(f.get("/health/live", Map.of())).path("status").asText()).isEqualTo("UP");
        assertThat(ok(f.get("/health/ready", Map.of())).path("status").asText()).isEqualTo("READY");
    }

    // ------------------------------------------------------------------ the rate board

    @Test
    void theRateBoardIsServedAsStaticFilesPointingAtTheWebSocketPath() {
        ServerFixture f = server(b -> b.options(ServerOptions.builder().path("/rates-ws").build()));
        HttpResponse<String> redirect = f.get("/board", Map.of());
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/board/");

        HttpResponse<String> page = f.get("/board/", Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).contains("<meta name=\"ratehub-ws-path\" content=\"/rates-ws\">")
                .doesNotContain("{{");
        assertThat(f.get("/board/index.html", Map.of()).body()).isEqualTo(page.body());

        // HTTP/1.1 without the JDK client's "Upgrade: h2c": Grizzly leaves Content-Type out of a large response to a
        // request that asks for an upgrade (browsers never do for a script)
        HttpResponse<String> js = ServerFixture.send(HttpRequest.newBuilder(f.server.httpUri().resolve("/board/board.js"))
                .version(java.net.http.HttpClient.Version.HTTP_1_1).GET().build());
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(js.body()).contains("op: 'subscribe'");
        assertThat(f.get("/board/board.css", Map.of()).headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/css");
    }

    @Test
    void theRateBoardRefusesWhatItDoesNotServeWithJsonErrors() {
        ServerFixture f = server();
        assertError(f.get("/board/../api/status", Map.of()), 404, "not_found");
        assertError(f.get("/board/secret.txt", Map.of()), 404, "not_found");
        assertError(f.get("/boardx", Map.of()), 404, "not_found");
        assertError(f.post("/board/", "{}", Map.of()), 405, "method_not_allowed");
        ServerFixture off = server(b -> b.rateBoard(false));
        assertError(off.get("/board/", Map.of()), 404, "not_found");
    }

    // ------------------------------------------------------------------ reads

    @Test
    void statusIsForAdminsOnly() {
        ServerFixture f = server();
        f.connect(Who.VIEWER1).call(obj("op", "subscribe", "id", "s", "channel", "store:s1:rates"));
        JsonNode status = ok(f.get("/api/status", Who.ADMIN));
        assertThat(status.path("connections").asInt()).isEqualTo(1);
        assertThat(status.path("sessions").asInt()).isEqualTo(1);
        assertThat(status.has("queuedUpdates")).isTrue();
        JsonNode ch = status.at("/channels/store:s1:rates");
        assertThat(ch.path("subscribers").asInt()).isEqualTo(1);
        assertThat(ch.path("seq").asLong()).isPositive();
        assertThat(ch.has("history")).isTrue();
        assertError(f.get("/api/status", Who.MANAGER1), 403, "forbidden");
        assertError(f.get("/api/status", Who.VIEWER1), 403, "forbidden");
    }

    @Test
    void withoutCredentialsTheApiAnswers401WithAJsonBody() {
        ServerFixture f = server();
        for (String path : List.of("/api/status", "/api/market", "/api/stores/s1/rates", "/api/locks/L-1")) {
            HttpResponse<String> r = f.get(path, Map.of());
            assertError(r, 401, "unauthenticated");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
        assertError(f.get("/api/market", Map.of("X-Api-Key", "wrong-key-wrong-key")), 401, "unauthenticated");
        assertError(f.post("/api/lock", obj("storeId", "s1"), Map.of()), 401, "unauthenticated");
    }

    @Test
    void marketGivesEveryMarketRate() {
        ServerFixture f = server();
        f.quote(EUR_USD, "1.08000", "1.08010");
        JsonNode m = ok(f.get("/api/market", Who.TERMINAL1));
        assertThat(m.path("rates")).hasSize(2);
        JsonNode usdCad = null;
        for (JsonNode r : m.path("rates")) {
            if (r.path("pair").asText().equals("USD/CAD")) {
                usdCad = r;
            }
        }
        assertThat(usdCad).isNotNull();
        assertThat(usdCad.path("mid").asText()).isEqualTo("1.36130");
        assertThat(usdCad.path("bid").isTextual()).isTrue();
        assertThat(usdCad.path("sources").toString()).isEqualTo("[\"feed-a\"]");
        assertThat(usdCad.path("stale").asBoolean()).isFalse();
    }

    @Test
    void storeRatesForReadersOfTheStore() {
        ServerFixture f = server();
        JsonNode s1 = ok(f.get("/api/stores/s1/rates", Who.VIEWER1));
        assertThat(s1.path("storeId").asText()).isEqualTo("s1");
        assertThat(s1.path("rates")).hasSize(1);
        assertThat(s1.at("/rates/0/sell").asText()).isEqualTo("1.36811");
        assertThat(s1.at("/rates/0/basis").asText()).isEqualTo("MARKET");
        assertThat(s1.at("/rates/0").has("validUntil")).isTrue();
        assertError(f.get("/api/stores/s2/rates", Who.VIEWER1), 403, "forbidden");
        assertThat(ok(f.get("/api/stores/s2/rates", Who.ADMIN)).at("/rates/0/sell").asText()).isEqualTo("1.37220");
        assertThat(ok(f.get("/api/stores/nowhere/rates", Who.ADMIN)).path("rates")).isEmpty();
    }

    @Test
    void locksForReadersOfTheLocksStore() {
        ServerFixture f = server();
        String lockId = ok(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount",
                "100.00"), Who.TERMINAL1)).at("/result/lock/lockId").asText();
        JsonNode l = ok(f.get("/api/locks/" + lockId, Who.VIEWER1));
        assertThat(l.at("/lock/lockId").asText()).isEqualTo(lockId);
        assertThat(l.at("/lock/status").asText()).isEqualTo("ACTIVE");
        assertError(f.get("/api/locks/" + lockId, Who.MANAGER2), 404, "lock_not_found");
        assertError(f.get("/api/locks/L-no-such-lock", Who.ADMIN), 404, "lock_not_found");
    }

    // ------------------------------------------------------------------ commands

    @Test
    void setAndClearOverride() {
        ServerFixture f = server();
        JsonNode set = ok(f.post("/api/set_override", obj("storeId", "s1", "pair", "USD/CAD", "buy", "1.35500",
                "sell", "1.36900", "reason", "weekend", "validUntil",
                Instant.now().plus(Duration.ofHours(1)).toString()), Who.MANAGER1));
        assertThat(set.at("/result/override/actor").asText()).isEqualTo("mgr1");
        assertThat(f.engine.storeRate("s1", USD_CAD).orElseThrow().basis().name()).isEqualTo("OVERRIDE");
        JsonNode cleared = ok(f.post("/api/clear_override", obj("storeId", "s1", "pair", "USD/CAD", "reason",
                "over"), Who.MANAGER1));
        assertThat(cleared.at("/result/cleared").asBoolean()).isTrue();
    }

    @Test
    void lockCompleteAndCancel() {
        ServerFixture f = server();
        String lock = obj("storeId", "s1", "pair", "USD/CAD", "side", "BUY", "amount", "250.00", "requestId", "r-1");
        JsonNode l = ok(f.post("/api/lock", lock, Who.TERMINAL1));
        String lockId = l.at("/result/lock/lockId").asText();
        assertThat(l.at("/result/lock/rate").asText()).isEqualTo("1.35449");
        assertThat(ok(f.post("/api/lock", lock, Who.TERMINAL1)).at("/result/lock/lockId").asText())
                .as("idempotent per requestId").isEqualTo(lockId);
        JsonNode done = ok(f.post("/api/complete_lock", obj("lockId", lockId, "transactionRef", "tx-1"),
                Who.TERMINAL1));
        assertThat(done.at("/result/lock/status").asText()).isEqualTo("COMPLETED");
        String other = ok(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount",
                "5.00"), Who.TERMINAL1)).at("/result/lock/lockId").asText();
        JsonNode cancelled = ok(f.post("/api/cancel_lock", obj("lockId", other, "reason", "left"), Who.TERMINAL1));
        assertThat(cancelled.at("/result/lock/status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void everyOtherCommandAndApplicationRequestsWorkOverHttpToo() {
        ServerFixture f = server();
        assertThat(ok(f.post("/api/set_spread", obj("storeId", "s1", "pair", "USD/CAD", "unit", "BPS",
                "buyMargin", "40", "sellMargin", "40"), Who.MANAGER1)).at("/result/rate/sell").asText())
                .isEqualTo("1.36675");
        assertThat(ok(f.post("/api/set_threshold", obj("storeId", "s1", "pair", "USD/CAD", "kind",
                "OVERRIDE_DIVERGENCE", "percent", "2"), Who.MANAGER1)).at("/result/rule/kind").asText())
                .isEqualTo("OVERRIDE_DIVERGENCE");
        assertThat(ok(f.post("/api/remove_threshold", obj("storeId", "s1", "pair", "USD/CAD", "kind",
                "OVERRIDE_DIVERGENCE"), Who.MANAGER1)).at("/result/removed").asBoolean()).isTrue();
        assertThat(ok(f.post("/api/remove_spread", obj("storeId", "s1", "pair", "USD/CAD"), Who.MANAGER1))
                .at("/result/removed").asBoolean()).isTrue();
        assertThat(ok(f.post("/api/request", obj("name", "echo"), Who.VIEWER1)).at("/result/from").asText())
                .isEqualTo("view1");
    }

    // ------------------------------------------------------------------ the status table

    @Test
    void status400ForInvalidArgumentInvalidJsonUnknownPairAndOverrideDeviation() {
        ServerFixture f = server();
        JsonNode missing = assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL"),
                Who.TERMINAL1), 400, "invalid_argument");
        assertThat(missing.path("field").asText()).isEqualTo("amount");
        assertThat(assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                "amount", "5.00", "colour", "red"), Who.TERMINAL1), 400, "invalid_argument").path("field").asText())
                .isEqualTo("colour");
        assertError(f.post("/api/lock", "{\"storeId\":", Who.TERMINAL1), 400, "invalid_json");
        assertError(f.post("/api/lock", "[1,2,3]", Who.TERMINAL1), 400, "invalid_json");
        assertError(f.post("/api/lock", "", Who.TERMINAL1), 400, "invalid_json");
        assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/QQQ", "side", "SELL", "amount", "5.00"),
                Who.TERMINAL1), 400, "unknown_pair");
        assertError(f.post("/api/set_override", obj("storeId", "s1", "pair", "USD/CAD", "buy", "1.50000", "sell",
                "1.60000", "reason", "typo"), Who.MANAGER1), 400, "override_deviation");
    }

    /** The WebSocket's input rules hold over HTTP too (issue 12: "promo \ud800" was accepted and wedged a channel). */
    @Test
    void bodiesFollowTheSameInputRulesAsWebSocketMessages() {
        ServerFixture f = server();
        JsonNode surrogate = assertError(f.post("/api/set_override", "{\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                + "\"buy\":\"1.35500\",\"sell\":\"1.36900\",\"reason\":\"promo \\ud800\"}", Who.MANAGER1),
                400, "invalid_argument");
        assertThat(surrogate.path("field").asText()).isEqualTo("reason");
        JsonNode exponent = assertError(f.post("/api/lock", "{\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                + "\"side\":\"SELL\",\"amount\":1e-400000000}", Who.TERMINAL1), 400, "invalid_argument");
        assertThat(exponent.path("field").asText()).isEqualTo("amount");
        assertThat(f.engine.override("s1", io.ratehub.core.model.CurrencyPair.parse("USD/CAD"))).as("nothing was set")
                .isEmpty();
    }

    private static String bigLock() {
        return obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount", "5.00", "pad",
                "x".repeat((1 << 20) + 10));
    }

    @Test
    void status413ForADeclaredBodyOverOneMebibyte() throws Exception {
        ServerFixture f = server();
        byte[] body = bigLock().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.server.port())) {
            s.setSoTimeout(5_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(("POST /api/lock HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + Who.TERMINAL1.key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            java.io.InputStream in = s.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 413").contains("\"code\":\"invalid_argument\"");
            // The rest of the body is read and dropped, then the connection ends in order (no reset).
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(f.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
    }

    /** One HTTP/1.1 response with a Content-Length, read whole: head and body. */
    private static String readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int ch = in.read();
            if (ch < 0) {
                throw new java.io.EOFException("closed after " + head);
            }
            head.append((char) ch);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void status413ForAChunkedBodyOverOneMebibyte() {
        ServerFixture f = server();
        byte[] big = bigLock().getBytes();
        HttpRequest chunked = HttpRequest.newBuilder(f.server.httpUri().resolve("/api/lock"))
                .header("X-Api-Key", Who.TERMINAL1.key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();
        assertError(ServerFixture.send(chunked), 413, "invalid_argument");
        assertThat(f.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
    }

    /**
     * A client that simply sends its over-large body (no Expect) must still read the 413. Answering before reading
     * the body and then closing the connection under the upload makes the client's TCP stack take a reset, which
     * discards the unread answer: the client sees "no bytes" instead of the 413. (Read and drop a bounded body, or
     * close lingering: shut output down, drain input for a while, then close.)
     */
    @Test
    void a413ReachesAClientThatSendsItsWholeBody() {
        ServerFixture f = server();
        String big = obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount", "5.00", "pad",
                "x".repeat(4 << 20));
        for (int attempt = 0; attempt < 5; attempt++) {
            assertError(f.post("/api/lock", big, Who.TERMINAL1), 413, "invalid_argument");
        }
    }

    /** With {@code Expect: 100-continue} the client sends nothing until told: it gets the 413 instead of a 100. */
    @Test
    void anOverLargeBodyAnnouncedWithExpectGetsThe413BeforeSendingIt() throws Exception {
        ServerFixture f = server();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.server.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("POST /api/lock HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + Who.TERMINAL1.key
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + (64 << 20)
                    + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(got);
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("got " + got.toString(java.nio.charset.StandardCharsets.UTF_8), e);
            }
            String answer = got.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("\"code\":\"invalid_argument\"")
                    .doesNotContain("100 Continue");
        }
        assertThat(f.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void status401And403() {
        ServerFixture f = server();
        assertError(f.post("/api/set_override", obj("storeId", "s1", "pair", "USD/CAD", "buy", "1.355", "sell",
                "1.369", "reason", "r"), Map.of()), 401, "unauthenticated");
        assertError(f.post("/api/set_override", obj("storeId", "s1", "pair", "USD/CAD", "buy", "1.355", "sell",
                "1.369", "reason", "r"), Who.TERMINAL1), 403, "forbidden");
        assertError(f.post("/api/lock", obj("storeId", "s2", "pair", "USD/CAD", "side", "SELL", "amount", "1.00"),
                Who.TERMINAL1), 403, "forbidden");
    }

    @Test
    void status404ForLockNotFoundUnknownStoreRateAndUnknownOp() {
        ServerFixture f = server();
        assertError(f.post("/api/complete_lock", obj("lockId", "L-none", "transactionRef", "t"), Who.TERMINAL1),
                404, "lock_not_found");
        f.quote(EUR_USD, "1.08000", "1.08010");
        assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "EUR/USD", "side", "SELL", "amount", "1.00"),
                Who.TERMINAL1), 404, "unknown_store_rate");
        assertError(f.post("/api/set_override", obj("storeId", "s1", "pair", "EUR/USD", "buy", "1.07", "sell",
                "1.09", "reason", "r"), Who.MANAGER1), 404, "unknown_store_rate");
        assertError(f.post("/api/launch_rocket", "{}", Who.ADMIN), 404, "unknown_op");
        assertError(f.post("/api/request", obj("name", "no_such"), Who.ADMIN), 404, "unknown_op");
    }

    @Test
    void status409ForLockStatesAndStaleRates() {
        ServerFixture f = server();
        String expiring = ok(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount",
                "1.00", "ttl", "PT0.05S"), Who.TERMINAL1)).at("/result/lock/lockId").asText();
        Await.until("the lock expires", () -> f.engine.findLock(expiring).orElseThrow().status().name()
                .equals("EXPIRED"));
        assertError(f.post("/api/complete_lock", obj("lockId", expiring, "transactionRef", "t"), Who.TERMINAL1),
                409, "lock_expired");

        String cancelled = ok(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                "amount", "1.00"), Who.TERMINAL1)).at("/result/lock/lockId").asText();
        ok(f.post("/api/cancel_lock", obj("lockId", cancelled, "reason", "r"), Who.TERMINAL1));
        assertError(f.post("/api/complete_lock", obj("lockId", cancelled, "transactionRef", "t"), Who.TERMINAL1),
                409, "lock_cancelled");

        String completed = ok(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                "amount", "1.00"), Who.TERMINAL1)).at("/result/lock/lockId").asText();
        ok(f.post("/api/complete_lock", obj("lockId", completed, "transactionRef", "tx-a"), Who.TERMINAL1));
        assertError(f.post("/api/complete_lock", obj("lockId", completed, "transactionRef", "tx-b"),
                Who.TERMINAL1), 409, "lock_already_completed");

        f.engine.setSpread("s1", GBP_USD, SpreadRule.bps("10", "10"), "owner");
        f.quote(GBP_USD, "feed-b", "1.25000", "1.25010",
                Instant.now().minus(ServerFixture.MAX_SOURCE_AGE).plusMillis(100));
        Await.until("GBP/USD goes stale", () -> f.engine.storeRate("s1", GBP_USD).map(r -> r.stale()).orElse(false));
        assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "GBP/USD", "side", "SELL", "amount", "1.00"),
                Who.TERMINAL1), 409, "stale_rate");
    }

    @Test
    void status500ForAFailingApplicationHandler() {
        ServerFixture f = server();
        JsonNode e = assertError(f.post("/api/request", obj("name", "boom"), Who.VIEWER1), 500, "internal");
        assertThat(e.path("message").asText()).doesNotContain("handler bug");
    }

    @Test
    void status503ForAuditFailureAndAuditCorrupt() {
        ServerFixture f = server();
        f.audit.failAppends(true);
        JsonNode failure = assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                "amount", "1.00"), Who.TERMINAL1), 503, "audit_failure");
        assertThat(failure.path("message").asText()).doesNotContain("/srv/ratehub");
        ClientMessages.assertNoInternals("audit failure", failure.path("message").asText());
        f.audit.failAppends(false);
        f.audit.close();
        assertError(f.post("/api/lock", obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount", "1.00"),
                Who.TERMINAL1), 503, "audit_corrupt");
    }

    // ------------------------------------------------------------------ methods and paths

    @Test
    void aWrongMethodOnAKnownPathIs405() {
        ServerFixture f = server();
        HttpRequest postLive = HttpRequest.newBuilder(f.server.httpUri().resolve("/health/live"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertError(ServerFixture.send(postLive), 405, "method_not_allowed");
        HttpRequest deleteMarket = HttpRequest.newBuilder(f.server.httpUri().resolve("/api/market"))
                .header("X-Api-Key", Who.ADMIN.key).DELETE().build();
        assertError(ServerFixture.send(deleteMarket), 405, "method_not_allowed");
        HttpRequest putLock = HttpRequest.newBuilder(f.server.httpUri().resolve("/api/lock"))
                .header("X-Api-Key", Who.ADMIN.key).PUT(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertError(ServerFixture.send(putLock), 405, "method_not_allowed");
    }

    @Test

    void getOnACommandAndPostOnAReadAre405() {
        ServerFixture f = server();
        assertThat(f.get("/api/lock", Who.ADMIN).statusCode()).isEqualTo(405);
        assertThat(f.post("/api/market", "{}", Who.ADMIN).statusCode()).isEqualTo(405);
        assertThat(f.post("/api/status", "{}", Who.ADMIN).statusCode()).isEqualTo(405);
    }

    @Test

    void errorCodesOfTheHttpApiAreThoseOfTheProtocol() {
        ServerFixture f = server();
        List<String> documented = List.of("invalid_argument", "unknown_pair", "unknown_store_rate", "stale_rate",
                "override_deviation", "lock_not_found", "lock_expired", "lock_cancelled", "lock_already_completed",
                "audit_failure", "audit_corrupt", "unauthenticated", "forbidden", "rate_limited", "limit_exceeded",
                "invalid_json", "unknown_op", "internal", "not_found", "method_not_allowed");
        HttpRequest postLive = HttpRequest.newBuilder(f.server.httpUri().resolve("/health/live"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertThat(Json.parse(ServerFixture.send(postLive).body()).path("code").asText()).isIn(documented);
        assertThat(Json.parse(f.get("/nothing/here", Map.of()).body()).path("code").asText()).isIn(documented);
        assertThat(Json.parse(f.get("/api/nothing", Who.ADMIN).body()).path("code").asText()).isIn(documented);
    }

    @Test
    void anUnknownPathIs404WithAJsonBody() {
        ServerFixture f = server();
        HttpResponse<String> r = f.get("/nothing/here", Map.of());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(Json.parse(r.body()).path("message").asText()).isNotBlank();
        assertThat(f.get("/api/stores/s1", Who.ADMIN).statusCode()).isEqualTo(404);
    }

    @Test

    void jsonNumbersInAnHttpBodyAreReadExactly() {
        ServerFixture f = server();
        // 34 decimals: more than the 12 allowed, unless a double rounds it to 0.1 first
        HttpResponse<String> r = f.post("/api/set_spread", "{\"storeId\":\"s1\",\"pair\":\"USD/CAD\",\"unit\":"
                + "\"ABSOLUTE\",\"buyMargin\":0.1000000000000000055511151231257827,\"sellMargin\":0.01}", Who.MANAGER1);
        assertError(r, 400, "invalid_argument");
    }

    @Test
    void theHttpApiTakesEveryCommandOfTheWebSocketUnderTheSameRules() {
        ServerFixture f = server();
        HttpResponse<String> r = f.post("/api/subscribe", obj("channel", "market"), Who.ADMIN);
        assertThat(r.statusCode()).as("subscribe is not a command").isEqualTo(404);
        HttpResponse<String> both = f.post("/api/lock", obj("op", "lock", "storeId", "s1", "pair", "USD/CAD",
                "side", "SELL", "amount", "1.00"), Who.TERMINAL1);
        assertError(both, 400, "invalid_argument");
    }

    @Test
    void readinessTurns503WhileShuttingDownAndNewConnectionsGet1001() throws Exception {
        ServerFixture f = server();
        WsClient slow = f.connect(Who.ADMIN);
        slow.call(obj("op", "subscribe", "id", "s", "channel", "app:big"));
        slow.pauseReading();
        String payload = "{\"blob\":\"" + "z".repeat(64 * 1024) + "\"}";
        // 64 KB events until the socket buffers (and the client's own, which may go on reading into memory for a
        // while) are full and the server's queue holds some: then the flush has to wait for the deadline
        Await.until("the slow client's queue backs up", () -> {
            f.server.hub().publishEvent("app:big", payload);
            return f.sessionOf(slow).queueDepth() > 0;
        });
        for (int i = 0; i < 300; i++) { // 19 MB more in the server's own queue: stop() waits for the deadline
            f.server.hub().publishEvent("app:big", payload);
        }
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> f.server.stop(Duration.ofSeconds(3)));
        Await.until("readiness turns 503", () -> f.get("/health/ready", Map.of()).statusCode() == 503);
        assertThat(Json.parse(f.get("/health/ready", Map.of()).body()).path("status").asText())
                .isEqualTo("NOT_READY");
        assertThat(f.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
        WsClient late = f.connect(Who.VIEWER1.header());
        assertThat(late.awaitClose()).isEqualTo(1001);
        slow.resumeReading();
        stopping.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
