package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static io.ratehub.server.ServerFixture.EUR_USD;
import static io.ratehub.server.ServerFixture.GBP_USD;
import static io.ratehub.server.ServerFixture.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.hub.Channels;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.server.ServerFixture.Who;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A client of store:s1:rates and store:s1:locks cut off many times at random points while a publisher drives the
 * engine; after each reconnect it subscribes from its last (epoch, seq) per channel. At the end its rates equal the
 * engine's exactly, and the lock events it saw are gap-free and duplicate-free by seq.
 */
class RecoveryIT {
    private static final String RATES = Channels.storeRates("s1");
    private static final String LOCKS = Channels.storeLocks("s1");
    private static final long SEED = 20261121L;
    private static final int DISCONNECTS = 20;

    /** What the client knows: its positions, its rates and the lock events it saw. */
    private static final class View {
        final Map<String, String> epoch = new HashMap<>();
        final Map<String, Long> seq = new HashMap<>();
        final Map<String, JsonNode> rates = new TreeMap<>();
        final List<Long> lockSeqs = new ArrayList<>();
        final Map<String, Integer> recoveries = new TreeMap<>();

        String subscribe(String channel, String id) {
            if (!seq.containsKey(channel)) {
                return obj("op", "subscribe", "id", id, "channel", channel);
            }
            return obj("op", "subscribe", "id", id, "channel", channel, "from",
                    Json.node("epoch", epoch.get(channel), "seq", seq.get(channel)));
        }

        void subscribed(JsonNode s) {
            String channel = s.path("channel").asText();
            String recovery = s.path("recovery").asText();
            recoveries.merge(recovery, 1, Integer::sum);
            assertThat(recovery).as("history reaches back: nothing is ever lost").isNotEqualTo("LOST");
            if (channel.equals(RATES) && (recovery.equals("SNAPSHOT") || recovery.equals("RESET"))) {
                rates.clear(); // a full snapshot follows: drop every key it does not contain
            }
            if (!epoch.containsKey(channel)) {
                epoch.put(channel, s.path("epoch").asText());
                if (s.path("kind").asText().equals("EVENT")) {
                    seq.put(channel, s.path("seq").asLong()); // live from the head
                }
            }
        }

        void update(JsonNode u) {
            String channel = u.path("channel").asText();
            long s = u.path("seq").asLong();
            long last = seq.getOrDefault(channel, 0L);
            assertThat(u.path("epoch").asText()).isEqualTo(epoch.get(channel));
            if (channel.equals(RATES)) {
                assertThat(s).as("seq only grows on %s", channel).isGreaterThan(last);
                if (u.path("removed").asBoolean(false)) {
                    rates.remove(u.path("key").asText());
                } else {
                    rates.put(u.path("key").asText(), u.at("/event/rate"));
                }
            } else {
                assertThat(s).as("lock events gap-free and once each").isEqualTo(last + 1);
                lockSeqs.add(s);
            }
            seq.put(channel, s);
        }

        void take(JsonNode m) {
            switch (m.path("type").asText()) {
                case "subscribed" -> subscribed(m);
                case "update" -> update(m);
                case "batch" -> m.path("updates").forEach(this::update);
                case "welcome", "pong" -> { }
                default -> throw new AssertionError("unexpected " + m);
            }
        }
    }

    /** Drives the engine: quotes on three pairs, locks created, completed and cancelled, a spread removed and set. */
    private static final class Publisher implements Runnable {
        final ServerFixture f;
        final Random random = new Random(SEED + 1);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger steps = new AtomicInteger();
        final List<String> active = new ArrayList<>();
        final Map<CurrencyPair, BigDecimal> mids = new HashMap<>(Map.of(USD_CAD, new BigDecimal("1.36130"),
                EUR_USD, new BigDecimal("1.08000"), GBP_USD, new BigDecimal("1.25000")));

        Publisher(ServerFixture f) {
            this.f = f;
        }

        @Override
        public void run() {
            while (!stop.get() || steps.get() < 2_000) {
                step(steps.incrementAndGet());
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // a pace, not a wait for anything
            }
        }

        void step(int n) {
            CurrencyPair pair = List.of(USD_CAD, EUR_USD, GBP_USD).get(random.nextInt(3));
            BigDecimal mid = mids.get(pair).add(BigDecimal.valueOf(random.nextInt(21) - 10, 5));
            mids.put(pair, mid);
            BigDecimal half = new BigDecimal("0.00010");
            f.quote(pair, "feed-a", mid.subtract(half).toPlainString(), mid.add(half).toPlainString(),
                    java.time.Instant.now());
            if (n % 7 == 0) {
                CurrencyPair lockPair = random.nextBoolean() ? USD_CAD : EUR_USD;
                active.add(f.engine.lock(LockRequest.of("s1", lockPair, random.nextBoolean() ? Side.BUY : Side.SELL,
                        BigDecimal.valueOf(100 + random.nextInt(10_000), 2), "publisher")).lockId());
            }
            if (n % 11 == 0 && !active.isEmpty()) {
                f.engine.completeLock(active.remove(random.nextInt(active.size())), "tx-" + n, "publisher");
            }
            if (n % 17 == 0 && !active.isEmpty()) {
                f.engine.cancelLock(active.remove(random.nextInt(active.size())), "publisher", "changed mind");
            }
            if (n % 300 == 150) {
                f.engine.removeSpread("s1", GBP_USD, "publisher");
            } else if (n % 300 == 0) {
                f.engine.setSpread("s1", GBP_USD, SpreadRule.bps(String.valueOf(10 + random.nextInt(40)), "25"),
                        "publisher");
            }
            if (n % 50 == 0) {
                f.engine.setSpread("s1", USD_CAD, SpreadRule.bps(String.valueOf(40 + random.nextInt(20)), "50"),
                        "publisher");
            }
        }
    }

    @Test
    void aClientCutOffTwentyTimesEndsWithExactlyTheEnginesRatesAndEveryLockEventOnce() throws Exception {
        try (ServerFixture f = ServerFixture.start(b -> b.limits(ConnectionLimits.unlimited())).withMarket()) {
            f.quote(EUR_USD, "1.07990", "1.08010");
            f.quote(GBP_USD, "1.24990", "1.25010");
            for (CurrencyPair p : List.of(USD_CAD, EUR_USD, GBP_USD)) {
                f.engine.setSpread("s1", p, SpreadRule.bps("50", "50"), "owner");
            }
            Random random = new Random(SEED);
            View view = new View();
            Publisher publisher = new Publisher(f);
            CompletableFuture<Void> publishing = null;
            int ids = 0;
            for (int round = 0; round <= DISCONNECTS; round++) {
                WsClient c = f.connect(Who.MANAGER1);
                c.send(view.subscribe(RATES, "r" + (++ids)));
                c.send(view.subscribe(LOCKS, "l" + (++ids)));
                if (publishing == null) {
                    // both channels subscribed before anything happens
                    while (view.epoch.size() < 2) {
                        view.take(c.next());
                    }
                    publishing = CompletableFuture.runAsync(publisher);
                }
                if (round == DISCONNECTS) {
                    publisher.stop.set(true);
                    publishing.get(30, TimeUnit.SECONDS);
                    long ratesHead = f.server.hub().head(RATES).orElseThrow().seq();
                    long locksHead = f.server.hub().head(LOCKS).orElseThrow().seq();
                    while (view.seq.getOrDefault(RATES, 0L) < ratesHead || view.seq.getOrDefault(LOCKS, 0L) < locksHead) {
                        view.take(c.next());
                    }
                    c.close();
                    break;
                }
                int frames = random.nextInt(40); // 0: cut off right after subscribing, mid catch-up
                for (int i = 0; i < frames; i++) {
                    JsonNode m = c.poll(Duration.ofSeconds(2));
                    if (m == null) {
                        break;
                    }
                    view.take(m);
                }
                switch (round % 3) {
                    case 0 -> c.abort(); // the network drops
                    case 1 -> c.close(); // the client leaves
                    default -> f.connectionOf(c).close(4008, "cut off by the test"); // the server cuts it off
                }
            }

            List<StoreRate> engineRates = f.engine.storeRates("s1");
            Map<String, JsonNode> expected = new TreeMap<>();
            for (StoreRate r : engineRates) {
                expected.put(r.pair().toString(), Json.parse(f.server.protocol().codec().encode(r)));
            }
            assertThat(view.rates).as("the client's rates equal engine.storeRates(\"s1\")").isEqualTo(expected);

            long first = view.lockSeqs.get(0);
            for (int i = 0; i < view.lockSeqs.size(); i++) {
                assertThat(view.lockSeqs.get(i)).isEqualTo(first + i);
            }
            assertThat(view.lockSeqs.get(view.lockSeqs.size() - 1))
                    .isEqualTo(f.server.hub().head(LOCKS).orElseThrow().seq());
            assertThat(view.lockSeqs).hasSizeGreaterThan(100);
            assertThat(view.recoveries).containsKeys("DELTA", "REPLAY");
            assertThat(publisher.steps.get()).isGreaterThanOrEqualTo(2_000);
        }
    }

    @Test
    void aDeltaIncludesRemovalsAndAResetDropsKeysTheSnapshotLacks() {
        try (ServerFixture f = ServerFixture.start().withMarket()) {
            f.quote(GBP_USD, "1.24990", "1.25010");
            f.engine.setSpread("s1", GBP_USD, SpreadRule.bps("10", "10"), "owner");
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s", "channel", RATES));
            String epoch = s.path("epoch").asText();
            long seq = s.path("seq").asLong();
            c.close();
            f.engine.removeSpread("s1", GBP_USD, "owner");
            f.quote(USD_CAD, "1.36000", "1.36020");
            WsClient again = f.connect(Who.VIEWER1);
            JsonNode d = again.call(obj("op", "subscribe", "id", "d", "channel", RATES, "from",
                    Json.node("epoch", epoch, "seq", seq)));
            assertThat(d.path("recovery").asText()).isEqualTo("DELTA");
            assertThat(d.path("count").asInt()).isEqualTo(2);
            Map<String, JsonNode> delta = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                JsonNode u = again.nextFlat();
                delta.put(u.path("key").asText(), u);
            }
            assertThat(delta.get("GBP/USD").path("removed").asBoolean()).isTrue();
            assertThat(delta.get("USD/CAD").at("/event/rate/mid").asText()).isEqualTo("1.36010");
        }
    }

    @Test
    void aPositionBeyondTheHeadIsTreatedAsUnknown() {
        try (ServerFixture f = ServerFixture.start().withMarket()) {
            WsClient c = f.connect(Who.VIEWER1);
            JsonNode s = c.call(obj("op", "subscribe", "id", "s", "channel", RATES));
            c.call(obj("op", "unsubscribe", "id", "u", "channel", RATES));
            JsonNode r = c.call(obj("op", "subscribe", "id", "s2", "channel", RATES, "from",
                    Json.node("epoch", s.path("epoch").asText(), "seq", s.path("seq").asLong() + 1000)));
            assertThat(r.path("recovery").asText()).isEqualTo("RESET");
            assertThat(r.path("count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void afterAServerRestartAStatePositionOfTheOldEpochGetsAReset() {
        String epoch;
        long seq;
        try (ServerFixture first = ServerFixture.start().withMarket()) {
            JsonNode s = first.connect(Who.MANAGER1).call(obj("op", "subscribe", "id", "s", "channel", RATES));
            epoch = s.path("epoch").asText();
            seq = s.path("seq").asLong();
        }
        try (ServerFixture second = ServerFixture.start().withMarket()) {
            WsClient c = second.connect(Who.MANAGER1);
            JsonNode r = c.call(obj("op", "subscribe", "id", "s", "channel", RATES, "from",
                    Json.node("epoch", epoch, "seq", seq)));
            assertThat(r.path("epoch").asText()).isNotEqualTo(epoch);
            assertThat(r.path("recovery").asText()).isEqualTo("RESET");
            assertThat(r.path("count").asInt()).isEqualTo(1);
        }
    }

    /**
     * PROTOCOL.md: LOST is for events that "can no longer be delivered (history no longer reaches back, or a new
     * epoch)". A client that saw lock events up to seq 5 of the old epoch cannot know whether 6, 7... existed; a
     * REPLAY tells it that it missed nothing.
     */
    @Test

    void afterAServerRestartAnEventPositionOfTheOldEpochIsReportedLost() {
        String locksEpoch;
        try (ServerFixture first = ServerFixture.start().withMarket()) {
            WsClient c = first.connect(Who.MANAGER1);
            locksEpoch = c.call(obj("op", "subscribe", "id", "l", "channel", LOCKS)).path("epoch").asText();
            for (int i = 0; i < 7; i++) {
                first.engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, new BigDecimal("1.00"), "t"));
            }
        }
        try (ServerFixture second = ServerFixture.start().withMarket()) {
            second.engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, new BigDecimal("1.00"), "t"));
            WsClient c = second.connect(Who.MANAGER1);
            JsonNode l = c.call(obj("op", "subscribe", "id", "l", "channel", LOCKS, "from",
                    Json.node("epoch", locksEpoch, "seq", 5)));
            assertThat(l.path("count").asInt()).as("the new epoch's events are replayed").isEqualTo(1);
            assertThat(l.path("recovery").asText()).isEqualTo("LOST");
        }
    }
}
