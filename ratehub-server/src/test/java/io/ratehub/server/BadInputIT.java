package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.ProtocolSettings;
import io.ratehub.server.Json.Raw;
import io.ratehub.server.ServerFixture.Who;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input over a real socket: each is answered with its error and leaves the connection working (a ping still
 * gets a pong) and the other clients untouched. Only an oversized frame closes the connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final String LOCK = "\"op\":\"lock\",\"id\":\"bad\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
            + "\"side\":\"SELL\"";
    private static final String DIGITS_5000 = "9".repeat(5000);

    private ServerFixture f;
    private WsClient bystander;
    private final AtomicInteger tick = new AtomicInteger();
    private WsClient c;

    @BeforeAll
    void start() {
        AtomicInteger lockIds = new AtomicInteger();
        f = ServerFixture.start(e -> e.lockIds(() -> "L-" + lockIds.incrementAndGet()),
                b -> b.limits(ConnectionLimits.unlimited())
                .protocolSettings(ProtocolSettings.builder().messageBurst(1000).messagesPerMinute(6000).build()))
                .withMarket();
        // L-1: a real lock, so that lock commands get as far as checking their other fields
        f.engine.lock(io.ratehub.core.engine.LockRequest.of("s1", ServerFixture.USD_CAD,
                io.ratehub.core.model.Side.SELL, new java.math.BigDecimal("10.00"), "term1"));
        bystander = f.connect(Who.MANAGER1);
        bystander.call(obj("op", "subscribe", "id", "s", "channel", "app:ticks"));
    }

    @AfterAll
    void stopServer() {
        f.close();
    }

    @BeforeEach
    void connect() {
        c = f.connect(Who.TERMINAL1);
    }

    @AfterEach
    void disconnect() {
        c.close();
    }

    /** The bad client still works, and so does everyone else. */
    private void assertUnharmed() {
        c.assertAlive();
        assertThat(c.isClosed()).isFalse();
        int n = tick.incrementAndGet();
        f.server.hub().publishEvent("app:ticks", Map.of("n", n));
        JsonNode u = bystander.nextMatching(m -> m.path("channel").asText().equals("app:ticks")
                && m.at("/event/n").asInt() == n);
        assertThat(u).isNotNull();
        bystander.assertAlive();
    }

    private JsonNode answer() {
        return c.nextMatching(n -> n.path("type").asText().equals("error")
                || n.path("type").asText().equals("reply"));
    }

    static Stream<Arguments> badMessages() {
        return Stream.of(
                // not JSON, or not an object
                Arguments.of("garbage", "this is not json", "invalid_json", null),
                Arguments.of("truncated", "{\"op\":\"ping\",\"id\":\"bad\"", "invalid_json", null),
                Arguments.of("empty text", "", "invalid_json", null),
                Arguments.of("array", "[{\"op\":\"ping\"}]", "invalid_json", null),
                Arguments.of("string", "\"ping\"", "invalid_json", null),
                Arguments.of("number", "42", "invalid_json", null),
                Arguments.of("null", "null", "invalid_json", null),
                Arguments.of("duplicate key", "{\"op\":\"ping\",\"op\":\"auth\"}", "invalid_json", null),
                Arguments.of("deep nesting", "{\"op\":\"request\",\"name\":\"x\",\"body\":" + "[".repeat(100)
                        + "]".repeat(100) + "}", "invalid_json", null),
                // the envelope
                Arguments.of("no op", "{\"id\":\"bad\"}", "invalid_argument", "op"),
                Arguments.of("op not a string", "{\"op\":5,\"id\":\"bad\"}", "invalid_argument", "op"),
                Arguments.of("unknown op", "{\"op\":\"launch\",\"id\":\"bad\"}", "unknown_op", "op"),
                Arguments.of("op in wrong case", "{\"op\":\"LOCK\",\"id\":\"bad\"}", "unknown_op", "op"),
                // wrong types
                Arguments.of("amount a boolean", "{" + LOCK + ",\"amount\":true}", "invalid_argument", "amount"),
                Arguments.of("amount an object", "{" + LOCK + ",\"amount\":{\"v\":1}}", "invalid_argument",
                        "amount"),
                Arguments.of("amount not a number", "{" + LOCK + ",\"amount\":\"ten\"}", "invalid_argument",
                        "amount"),
                Arguments.of("side unknown", "{\"op\":\"lock\",\"id\":\"bad\",\"storeId\":\"s1\",\"pair\":\"USD/CAD\","
                        + "\"side\":\"SIDEWAYS\",\"amount\":\"1\"}", "invalid_argument", "side"),
                Arguments.of("ttl not a duration", "{" + LOCK + ",\"amount\":\"1\",\"ttl\":\"5 minutes\"}",
                        "invalid_argument", "ttl"),
                Arguments.of("channel an array", "{\"op\":\"subscribe\",\"id\":\"bad\",\"channel\":[\"market\"]}",
                        "invalid_argument", "channel"),
                Arguments.of("from not an object", "{\"op\":\"subscribe\",\"id\":\"bad\",\"channel\":\"market\","
                        + "\"from\":\"yesterday\"}", "invalid_argument", "from"),
                Arguments.of("from.seq not a number", "{\"op\":\"subscribe\",\"id\":\"bad\",\"channel\":\"market\","
                        + "\"from\":{\"epoch\":\"e-1\",\"seq\":\"abc\"}}", "invalid_argument", "from.seq"),
                Arguments.of("force a string", obj("op", "set_override", "id", "bad", "storeId", "s1", "pair",
                        "USD/CAD", "buy", "1.355", "sell", "1.369", "reason", "r", "force", "yes"),
                        "invalid_argument", "force"),
                // missing fields
                Arguments.of("lock without amount", "{" + LOCK + "}", "invalid_argument", "amount"),
                Arguments.of("lock without storeId", obj("op", "lock", "id", "bad", "pair", "USD/CAD", "side",
                        "SELL", "amount", "1"), "invalid_argument", "storeId"),
                Arguments.of("complete without transactionRef", obj("op", "complete_lock", "id", "bad", "lockId",
                        "L-1"), "invalid_argument", "transactionRef"),
                Arguments.of("complete with a bad transactionRef", obj("op", "complete_lock", "id", "bad",
                        "lockId", "L-1", "transactionRef", "tx 1"), "invalid_argument", "transactionRef"),
                Arguments.of("subscribe without channel", obj("op", "subscribe", "id", "bad"), "invalid_argument",
                        "channel"),
                Arguments.of("from without seq", obj("op", "subscribe", "id", "bad", "channel", "market", "from",
                        Json.node("epoch", "e-1")), "invalid_argument", "from.seq"),
                // unknown fields
                Arguments.of("misspelt field", "{" + LOCK + ",\"amount\":\"1\",\"requestID\":\"r-1\"}",
                        "invalid_argument", "requestID"),
                Arguments.of("unknown field on subscribe", obj("op", "subscribe", "id", "bad", "channel", "market",
                        "since", 5), "invalid_argument", "since"),
                Arguments.of("unknown field on unsubscribe", obj("op", "unsubscribe", "id", "bad", "channel",
                        "market", "all", true), "invalid_argument", "all"),
                // values out of range
                Arguments.of("negative amount", "{" + LOCK + ",\"amount\":-1}", "invalid_argument", "amount"),
                Arguments.of("zero amount", "{" + LOCK + ",\"amount\":\"0\"}", "invalid_argument", "amount"),
                Arguments.of("too many decimals", "{" + LOCK + ",\"amount\":\"1.001\"}", "invalid_argument",
                        "amount"),
                Arguments.of("bad store id", obj("op", "lock", "id", "bad", "storeId", "s 1", "pair", "USD/CAD",
                        "side", "SELL", "amount", "1"), "invalid_argument", "storeId"),
                Arguments.of("reason too long", obj("op", "cancel_lock", "id", "bad", "lockId", "L-1", "reason",
                        "r".repeat(501)), "invalid_argument", "reason"),
                // huge numbers
                Arguments.of("1e999999999 as a number", "{" + LOCK + ",\"amount\":1e999999999}",
                        "invalid_argument", "amount"),
                Arguments.of("-1e999999999 as a number", "{" + LOCK + ",\"amount\":-1e999999999}",
                        "invalid_argument", "amount"),
                Arguments.of("1e999999999 as a string", "{" + LOCK + ",\"amount\":\"1e999999999\"}",
                        "invalid_argument", "amount"),
                Arguments.of("1E+999999999 percent", obj("op", "set_threshold", "id", "bad", "storeId", "s1",
                        "pair", "USD/CAD", "kind", "OVERRIDE_DIVERGENCE", "percent", new Raw("1E+999999999")),
                        "invalid_argument", "percent"),
                Arguments.of("5000-digit string", "{" + LOCK + ",\"amount\":\"" + DIGITS_5000 + "\"}",
                        "invalid_argument", "amount"),
                Arguments.of("seq beyond a long", "{\"op\":\"subscribe\",\"id\":\"bad\",\"channel\":\"market\","
                        + "\"from\":{\"epoch\":\"e-1\",\"seq\":99999999999999999999}}", "invalid_argument",
                        "from.seq"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badMessages")
    void isAnsweredWithItsErrorAndHarmsNothing(String what, String message, String code, String field) {
        c.send(message);
        JsonNode e = answer();
        assertThat(e.path("type").asText()).as("%s -> %s", what, e).isEqualTo("error");
        assertThat(e.path("code").asText()).as("%s -> %s", what, e).isEqualTo(code);
        if (field != null) {
            assertThat(e.path("field").asText(null)).as("%s -> %s", what, e).isEqualTo(field);
        }
        assertThat(e.path("message").asText().length()).as("messages stay short").isLessThan(400);
        ClientMessages.assertNoInternals(what, e.path("message").asText());
        assertUnharmed();
    }

    static Stream<Arguments> hostileNumbers() {
        return Stream.of(
                Arguments.of("amount \"1e-999999999\"", "{" + LOCK + ",\"amount\":\"1e-999999999\"}"),
                Arguments.of("amount \"-1e999999999\"", "{" + LOCK + ",\"amount\":\"-1e999999999\"}"),
                Arguments.of("buyMargin \"1e-999999999\"", obj("op", "set_spread", "id", "bad", "storeId", "s1",
                        "pair", "USD/CAD", "unit", "BPS", "buyMargin", "1e-999999999", "sellMargin", "1")),
                Arguments.of("percent \"-1e999999999\"", obj("op", "set_threshold", "id", "bad", "storeId", "s1",
                        "pair", "USD/CAD", "kind", "OVERRIDE_DIVERGENCE", "percent", "-1e999999999")));
    }

    /** Refused at once: a number must never be expanded into its billion digits (not even for the message). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileNumbers")

    void hostileExponentsAreRefusedQuickly(String what, String message) {
        WsClient admin = f.connect(Who.ADMIN);
        long start = System.nanoTime();
        admin.send(message);
        JsonNode e = admin.next(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e.path("code").asText()).as("%s -> %s", what, e).isEqualTo("invalid_argument");
        assertThat(took).as("%s answered in %s", what, took).isLessThan(QUICK);
        admin.close();
        assertUnharmed();
    }

    static Stream<Arguments> inexactNumbers() {
        return Stream.of(
                // more than 12 decimals: must be refused, but a double rounds it to 0.1
                Arguments.of("0.1000000000000000055511151231257827"),
                // positive: must be refused (too many decimals), but a double underflows it to 0
                Arguments.of("1e-999999999"),
                // 13 decimals that a double prints with fewer
                Arguments.of("0.5000000000000001"));
    }

    /**
     * PROTOCOL.md: "on input a JSON number is also read exactly". A margin given as a JSON number with more than
     * 12 decimals must be refused exactly as the same digits in a string are, not rounded through a double.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("inexactNumbers")

    void jsonNumbersAreReadExactly(String number) {
        WsClient admin = f.connect(Who.ADMIN);
        String asString = "{\"op\":\"set_spread\",\"id\":\"s\",\"storeId\":\"s9\",\"pair\":\"USD/CAD\","
                + "\"unit\":\"ABSOLUTE\",\"buyMargin\":\"" + number + "\",\"sellMargin\":\"0.01\"}";
        String asNumber = "{\"op\":\"set_spread\",\"id\":\"n\",\"storeId\":\"s9\",\"pair\":\"USD/CAD\","
                + "\"unit\":\"ABSOLUTE\",\"buyMargin\":" + number + ",\"sellMargin\":\"0.01\"}";
        JsonNode fromString = admin.call(asString);
        JsonNode fromNumber = admin.call(asNumber);
        assertThat(fromString.path("code").asText()).as("%s", fromString).isEqualTo("invalid_argument");
        assertThat(fromNumber.path("type").asText()).as("a JSON number %s -> %s", number, fromNumber)
                .isEqualTo("error");
        assertThat(fromNumber.path("code").asText()).isEqualTo("invalid_argument");
        admin.close();
    }

    @Test
    void anExactJsonNumberMeansTheSameAsItsString() {
        WsClient admin = f.connect(Who.ADMIN);
        JsonNode n = admin.call("{\"op\":\"set_spread\",\"id\":\"n\",\"storeId\":\"s8\",\"pair\":\"USD/CAD\","
                + "\"unit\":\"ABSOLUTE\",\"buyMargin\":0.00125,\"sellMargin\":0.0025}");
        assertThat(n.at("/result/rate/buy").asText()).isEqualTo("1.36005");
        assertThat(n.at("/result/rate/sell").asText()).isEqualTo("1.36380");
        admin.close();
    }

    /** PROTOCOL.md: a number of at most 64 characters; longer is bad input naming its field, the JSON is valid. */
    @Test


    void anOverlongNumberIsAnInvalidArgumentNamingItsField() {
        c.send("{" + LOCK + ",\"amount\":" + DIGITS_5000 + "}");
        JsonNode e = answer();
        assertThat(e.path("code").asText()).as("%s", e).isEqualTo("invalid_argument");
        assertThat(e.path("field").asText()).as("%s", e).isEqualTo("amount");
        assertUnharmed();
    }

    @Test
    void anOverlongNumberIsRefusedWithoutHarm() {
        c.send("{" + LOCK + ",\"amount\":" + DIGITS_5000 + "}");
        JsonNode e = answer();
        assertThat(e.path("type").asText()).isEqualTo("error");
        assertThat(e.path("code").asText()).isIn("invalid_argument", "invalid_json");
        c.send("{\"op\":\"subscribe\",\"id\":\"bad\",\"channel\":\"market\",\"from\":{\"epoch\":\"e-1\",\"seq\":"
                + DIGITS_5000 + "}}");
        assertThat(answer().path("type").asText()).isEqualTo("error");
        assertUnharmed();
    }

    /** Wrong types are refused: an identifier is a JSON string, not a number that happens to print as one. */
    @Test


    void aNumberWhereAStringBelongsIsAnInvalidArgument() {
        c.send("{\"op\":\"lock\",\"id\":\"bad\",\"storeId\":7,\"pair\":\"USD/CAD\",\"side\":\"SELL\","
                + "\"amount\":\"1\"}");
        JsonNode e = answer();
        assertThat(e.path("code").asText()).as("%s", e).isEqualTo("invalid_argument");
        assertThat(e.path("field").asText()).as("%s", e).isEqualTo("storeId");
        assertUnharmed();
    }

    @Test


    void trailingContentAfterTheObjectIsInvalidJson() {
        c.send("{\"op\":\"ping\",\"id\":\"bad\"} {\"op\":\"lock\"}");
        JsonNode e = c.next();
        assertThat(e.path("code").asText()).as("%s", e).isEqualTo("invalid_json");
        assertUnharmed();
    }

    @Test


    void unknownFieldsAreRefusedOnPingToo() {
        JsonNode e = c.call(obj("op", "ping", "id", "bad", "extra", 1));
        assertThat(e.path("type").asText()).as("%s", e).isEqualTo("error");
        assertThat(e.path("field").asText()).isEqualTo("extra");
        assertUnharmed();
    }

    @Test
    void aBinaryFrameIsInvalidJson() {
        c.sendBinary("{\"op\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode e = c.next();
        assertThat(e.path("type").asText()).isEqualTo("error");
        assertThat(e.path("code").asText()).isEqualTo("invalid_json");
        assertUnharmed();
    }

    @Test
    void manyBadMessagesInARowAreEachAnsweredInOrder() {
        for (int i = 0; i < 50; i++) {
            c.send(i % 2 == 0 ? "nonsense " + i : "{\"op\":\"nope\",\"id\":\"n" + i + "\"}");
        }
        for (int i = 0; i < 50; i++) {
            JsonNode e = c.next();
            assertThat(e.path("code").asText()).isEqualTo(i % 2 == 0 ? "invalid_json" : "unknown_op");
            if (i % 2 == 1) {
                assertThat(e.path("id").asText()).isEqualTo("n" + i);
            }
        }
        assertUnharmed();
    }

    @Test
    void aTwoMegabyteFrameClosesOnlyThatConnectionWith1009() {
        c.ws.sendText("{\"op\":\"ping\",\"pad\":\"" + "y".repeat(2 << 20) + "\"}", true);
        assertThat(c.awaitClose()).isEqualTo(1009);
        WsClient next = f.connect(Who.TERMINAL1);
        next.assertAlive();
        int n = tick.incrementAndGet();
        f.server.hub().publishEvent("app:ticks", Map.of("n", n));
        bystander.nextMatching(m -> m.at("/event/n").asInt() == n);
        next.close();
    }

    @Test
    void aFloodFromOneClientLeavesTheOthersServed() {
        ServerFixture small = ServerFixture.start(b -> b.protocolSettings(ProtocolSettings.builder()
                .messageBurst(20).messagesPerMinute(60).build())).withMarket();
        try (small) {
            WsClient quiet = small.connect(Who.MANAGER1);
            quiet.call(obj("op", "subscribe", "id", "s", "channel", "app:ticks"));
            WsClient flooder = small.connect(Who.TERMINAL1);
            for (int i = 0; i < 60; i++) {
                if (!flooder.ws.isOutputClosed() && !flooder.isClosed()) {
                    flooder.ws.sendText(obj("op", "ping", "id", "f" + i), true);
                }
                small.server.hub().publishEvent("app:ticks", Map.of("n", i));
            }
            assertThat(flooder.awaitClose()).isEqualTo(4029);
            for (int i = 0; i < 60; i++) {
                int n = i;
                assertThat(quiet.nextMatching(m -> m.path("channel").asText().equals("app:ticks"))
                        .at("/event/n").asInt()).isEqualTo(n);
            }
            quiet.assertAlive();
        }
    }

    @Test
    void invalidUtf8InATextFrameClosesTheConnectionAsRfc6455Requires() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(f.ws(), Who.VIEWER1.header())) {
            raw.read(Duration.ofSeconds(5)); // welcome
            raw.sendFrame(RawWebSocket.Frame.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
            int code = raw.awaitClose(Duration.ofSeconds(5), fr -> { });
            assertThat(code).isEqualTo(1007);
        }
        assertUnharmedBystander();
    }

    private void assertUnharmedBystander() {
        int n = tick.incrementAndGet();
        f.server.hub().publishEvent("app:ticks", Map.of("n", n));
        bystander.nextMatching(m -> m.at("/event/n").asInt() == n);
    }
}
