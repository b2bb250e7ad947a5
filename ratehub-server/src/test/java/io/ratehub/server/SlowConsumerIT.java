package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static io.ratehub.server.ServerFixture.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.hub.HubSession;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading while many others are served over real sockets: the others get everything, and the
 * server holds a bounded amount for the slow one (one value per key of its state channels); with an event channel
 * and a small queue bound it is cut off with 4008 and recovers from its position.
 */
class SlowConsumerIT {
    private static final String BULK = "store:bulk:rates";
    private static final int BULK_KEYS = 10;
    /** 16 KiB values: enough rounds of them fill every socket buffer between the server and the paused client. */
    private static final String PAD = "p".repeat(16 * 1024);

    private static ServerFixture server(Consumer<RateHubServer.Builder> config) {
        return ServerFixture.start(b -> {
            b.limits(ConnectionLimits.unlimited()).authenticator(c -> Principal.admin(c.secret()));
            config.accept(b);
        }).withMarket();
    }

    private static WsClient connect(ServerFixture f, String who) {
        WsClient c = f.connect(Map.of("X-Api-Key", who));
        JsonNode w = c.next();
        assertThat(w.path("type").asText()).isEqualTo("welcome");
        f.welcomed(c, w);
        return c;
    }

    private static void publishBulk(ServerFixture f, int round) {
        for (int k = 0; k < BULK_KEYS; k++) {
            f.server.hub().publishState(BULK, "K" + k, "{\"round\":" + round + ",\"pad\":\"" + PAD + "\"}");
        }
    }

    /** Keeps the largest queue depth a session reaches, sampled until stopped. */
    private static final class DepthSampler implements Runnable {
        final HubSession session;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger max = new AtomicInteger();

        DepthSampler(HubSession session) {
            this.session = session;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                max.accumulateAndGet(session.queueDepth(), Math::max);
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
        }
    }

    @Test
    void oneClientStopsReadingWhileAHundredOthersGetEverythingAndItsQueueStaysBoundedByItsKeys()
            throws Exception {
        try (ServerFixture f = server(b -> { })) {
            List<WsClient> others = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                WsClient c = connect(f, "reader-" + i);
                c.send(obj("op", "subscribe", "id", "r", "channel", "store:s1:rates"));
                c.send(obj("op", "subscribe", "id", "n", "channel", "app:news"));
                others.add(c);
            }
            WsClient slow = connect(f, "slow-reader");
            slow.call(obj("op", "subscribe", "id", "b", "channel", BULK));
            slow.call(obj("op", "subscribe", "id", "r", "channel", "store:s1:rates"));
            slow.forgetSkipped();
            HubSession slowSession = f.sessionOf(slow);
            int keys = BULK_KEYS + f.engine.storeRates("s1").size();
            slow.pauseReading();

            DepthSampler sampler = new DepthSampler(slowSession);
            CompletableFuture<Void> sampling = CompletableFuture.runAsync(sampler);
            int rounds = 300;
            for (int round = 0; round < rounds; round++) {
                publishBulk(f, round);
                BigDecimal mid = new BigDecimal("1.36000").add(BigDecimal.valueOf(round, 5));
                f.quote(USD_CAD, mid.subtract(new BigDecimal("0.00010")).toPlainString(),
                        mid.add(new BigDecimal("0.00010")).toPlainString());
                f.server.hub().publishEvent("app:news", Map.of("n", round));
            }
            Await.until("the paused client backs up on the server", () -> slowSession.conflated() > 0);
            sampler.stop.set(true);
            sampling.get(5, TimeUnit.SECONDS);

            assertThat(sampler.max.get()).as("queue depth of the paused client, %d keys", keys)
                    .isPositive().isLessThanOrEqualTo(keys);
            assertThat(slowSession.isClosed()).as("state channels never cut a client off").isFalse();

            StoreRate last = f.engine.storeRate("s1", USD_CAD).orElseThrow();
            for (WsClient c : others) {
                int expected = 0;
                JsonNode lastRate = null;
                while (expected < rounds) {
                    JsonNode u = c.nextFlat();
                    if (!u.path("type").asText().equals("update")) {
                        continue; // the subscribed replies
                    }
                    if (u.path("channel").asText().equals("app:news")) {
                        assertThat(u.at("/event/n").asInt()).as("every event, in order").isEqualTo(expected++);
                    } else if (u.path("channel").asText().equals("store:s1:rates")
                            && u.path("key").asText().equals("USD/CAD")) {
                        lastRate = u.at("/event/rate");
                    }
                }
                assertThat(lastRate).isNotNull();
                assertThat(lastRate.path("sell").asText()).isEqualTo(last.sell().toPlainString());
                assertThat(lastRate.path("buy").asText()).isEqualTo(last.buy().toPlainString());
            }

            // the slow one, reading again, converges to the newest value of every key
            slow.resumeReading();
            Map<String, Integer> bulkRounds = new HashMap<>();
            JsonNode slowRate = null;
            while (bulkRounds.size() < BULK_KEYS || !bulkRounds.values().stream().allMatch(r -> r == rounds - 1)
                    || slowRate == null || !slowRate.path("sell").asText().equals(last.sell().toPlainString())) {
                JsonNode u = slow.nextFlat();
                if (u.path("channel").asText().equals(BULK)) {
                    bulkRounds.put(u.path("key").asText(), u.at("/event/round").asInt());
                } else if (u.path("key").asText().equals("USD/CAD")) {
                    slowRate = u.at("/event/rate");
                }
            }
            assertThat(slow.isClosed()).isFalse();
        }
    }

    @Test
    void withAnEventChannelAndASmallQueueBoundTheSlowClientIsCutOffWith4008AndRecoversFromItsPosition()
            throws Exception {
        try (ServerFixture f = server(b -> b.sessionSettings(SessionSettings.builder().maxQueuedEvents(50)
                .build()))) {
            WsClient fast = connect(f, "fast-reader");
            fast.call(obj("op", "subscribe", "id", "n", "channel", "app:news"));
            WsClient slow = connect(f, "slow-reader");
            slow.call(obj("op", "subscribe", "id", "b", "channel", BULK));
            JsonNode sub = slow.call(obj("op", "subscribe", "id", "n", "channel", "app:news"));
            slow.forgetSkipped();
            HubSession slowSession = f.sessionOf(slow);
            slow.pauseReading();

            int published = 0;
            for (int round = 0; round < 2_000 && !slowSession.isClosed(); round++) {
                publishBulk(f, round);
                f.server.hub().publishEvent("app:news", Map.of("n", published++));
            }
            Await.until("the slow client is cut off", slowSession::isClosed);
            for (int i = 0; i < 10; i++) {
                f.server.hub().publishEvent("app:news", Map.of("n", published++));
            }

            // the fast client lost nothing
            for (int n = 0; n < published; n++) {
                int expected = n;
                assertThat(fast.nextMatching(u -> u.path("type").asText().equals("update")
                        && u.path("channel").asText().equals("app:news"))
                        .at("/event/n").asInt()).isEqualTo(expected);
            }
            assertThat(fast.isClosed()).isFalse();

            // the slow client reads what reached it, then the 4008 close
            slow.resumeReading();
            long lastSeq = sub.path("seq").asLong();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                JsonNode m = slow.poll(Duration.ofMillis(100));
                if (m == null) {
                    if (slow.isClosed() && slow.backlog() == 0) {
                        break;
                    }
                    assertThat(System.nanoTime() - deadline).as("closed within 10 s").isNegative();
                    continue;
                }
                List<JsonNode> updates = Json.updates(m);
                for (JsonNode u : updates) {
                    if (u.path("channel").asText().equals("app:news")) {
                        assertThat(u.path("seq").asLong()).isEqualTo(lastSeq + 1);
                        lastSeq = u.path("seq").asLong();
                    }
                }
            }
            assertThat(slow.awaitClose(Duration.ofSeconds(5))).isEqualTo(4008);

            // and recovers from its position: the rest of the events, once each, in order
            WsClient back = connect(f, "slow-reader");
            JsonNode r = back.call(obj("op", "subscribe", "id", "n", "channel", "app:news", "from",
                    Json.node("epoch", sub.path("epoch").asText(), "seq", lastSeq)));
            assertThat(r.path("recovery").asText()).isEqualTo("REPLAY");
            long head = f.server.hub().head("app:news").orElseThrow().seq();
            assertThat(r.path("count").asLong()).isEqualTo(head - lastSeq);
            for (long s = lastSeq + 1; s <= head; s++) {
                assertThat(back.nextFlat().path("seq").asLong()).isEqualTo(s);
            }
        }
    }
}
