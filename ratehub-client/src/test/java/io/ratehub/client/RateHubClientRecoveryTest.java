package io.ratehub.client;

import static io.ratehub.client.Frames.EUR_CAD;
import static io.ratehub.client.Frames.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions on a scripted transport: {@link Subscription#ready()} waits for the catch-up, rates are live only
 * once their channel is caught up on the current link, and recovery reports resets and gaps.
 */
class RateHubClientRecoveryTest {
    static final String RATES = "store:s1:rates";
    static final String ORDERS = "app:orders";

    final ManualScheduler time = new ManualScheduler(Frames.T0);
    final ScriptedTransport transport = new ScriptedTransport();
    final List<String> calls = new ArrayList<>();
    RateHubClient client;

    final ChannelListener<Object> recorder = new ChannelListener<>() {
        @Override
        public void onUpdate(Object value) {
            calls.add("update " + value);
        }

        @Override
        public void onGap(String channel, long fromSeq, long toSeq) {
            calls.add("gap " + channel + " " + fromSeq + ".." + toSeq);
        }

        @Override
        public void onReset(String channel) {
            calls.add("reset " + channel);
        }
    };

    @BeforeEach
    void connect() {
        client = RateHubClient.builder().uri(URI.create("memory://test")).apiKey("k").transport(transport)
                .scheduler(time).listenerExecutor(time).clock(time.clock())
                .reconnect(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(100), 0, 0))
                .random(new Random(1)).build();
        client.connect();
        link().opened().receive(Frames.welcome()).answerPings = true;
    }

    ScriptedTransport.Attempt link() {
        return transport.last();
    }

    String idOf(String channel) {
        return link().subscribe(channel).path("id").asText();
    }

    /** Cuts the link, lets the backoff pass and welcomes the next one. */
    void reconnect() {
        link().end(1006, "cut");
        time.advance(Duration.ofMillis(100));
        link().opened().receive(Frames.welcome()).answerPings = true;
    }

    @Test
    void readyCompletesOnlyWhenTheCatchUpIsInTheCache() {
        Subscription s = client.subscribeStoreRates("s1", e -> { });
        String id = idOf(RATES);
        link().receive(Frames.subscribed(id, RATES, "STATE", "e1", 7, "SNAPSHOT", 2));
        assertThat(s.ready()).as("acknowledged, but nothing of the snapshot has arrived").isNotDone();
        link().receive(Frames.rateUpdate("e1", 6, Frames.rate("s1", USD_CAD, "1.35", "1.37")));
        assertThat(s.ready()).isNotDone();
        assertThat(client.rate("s1", USD_CAD).orElseThrow().live()).as("not all of the snapshot is in").isFalse();
        link().receive(Frames.rateUpdate("e1", 7, Frames.rate("s1", EUR_CAD, "1.46", "1.48")));
        assertThat(s.ready()).isCompleted();
        assertThat(client.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
        assertThat(client.rate("s1", EUR_CAD).orElseThrow().live()).isTrue();
    }

    @Test
    void readyCompletesAtOnceForAnEmptyCatchUpAndCountsBatchedUpdates() {
        Subscription empty = client.subscribeChannel(ORDERS, recorder);
        link().receive(Frames.subscribed(idOf(ORDERS), ORDERS, "EVENT", "e1", 0, "LIVE", 0));
        assertThat(empty.ready()).isCompleted();

        Subscription rates = client.subscribeStoreRates("s1", e -> { });
        link().receive(Frames.subscribed(idOf(RATES), RATES, "STATE", "e1", 2, "SNAPSHOT", 2));
        link().receive("{\"type\":\"batch\",\"updates\":["
                + Frames.rateUpdate("e1", 1, Frames.rate("s1", USD_CAD, "1.35", "1.37")) + ","
                + Frames.rateUpdate("e1", 2, Frames.rate("s1", EUR_CAD, "1.46", "1.48")) + "]}");
        assertThat(rates.ready()).isCompleted();
        assertThat(client.rates("s1")).hasSize(2);
    }

    @Test
    void readyFailsWhenTheServerRefusesTheSubscription() {
        Subscription s = client.subscribeStoreRates("s2", e -> { });
        link().receive(Frames.error(idOf("store:s2:rates"), "forbidden", "not your store"));
        assertThat(s.ready()).isCompletedExceptionally();
        assertThat(s.ready().handle((v, e) -> ((RateHubException) e).code()).join()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void afterAReconnectRatesAreNotLiveUntilTheirChannelIsCaughtUpAgain() {
        client.subscribeStoreRates("s1", e -> { });
        link().receive(Frames.subscribed(idOf(RATES), RATES, "STATE", "e1", 1, "SNAPSHOT", 1))
                .receive(Frames.rateUpdate("e1", 1, Frames.rate("s1", USD_CAD, "1.35", "1.37")));
        assertThat(client.rate("s1", USD_CAD).orElseThrow().live()).isTrue();

        reconnect();
        assertThat(client.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(link().subscribe(RATES).path("from").path("seq").asLong()).isEqualTo(1);
        LiveRate before = client.rate("s1", USD_CAD).orElseThrow();
        assertThat(before.live()).as("connected, but the rate has not been confirmed on this link").isFalse();
        assertThat(before.notLiveBecause()).contains("catching up");

        link().receive(Frames.subscribed(idOf(RATES), RATES, "STATE", "e1", 2, "DELTA", 1))
                .receive(Frames.rateUpdate("e1", 2, Frames.rate("s1", USD_CAD, "1.36", "1.38")));
        LiveRate after = client.rate("s1", USD_CAD).orElseThrow();
        assertThat(after.live()).isTrue();
        assertThat(after.rate().buy()).isEqualByComparingTo("1.36");
    }

    @Test
    void aResetDropsKeysTheFreshSnapshotDoesNotHoldAndTellsTheListeners() {
        client.subscribeChannel(RATES, recorder);
        link().receive(Frames.subscribed(idOf(RATES), RATES, "STATE", "e1", 2, "SNAPSHOT", 2))
                .receive(Frames.rateUpdate("e1", 1, Frames.rate("s1", USD_CAD, "1.35", "1.37")))
                .receive(Frames.rateUpdate("e1", 2, Frames.rate("s1", EUR_CAD, "1.46", "1.48")));
        reconnect();
        calls.clear();
        link().receive(Frames.subscribed(idOf(RATES), RATES, "STATE", "e2", 1, "RESET", 1))
                .receive(Frames.rateUpdate("e2", 1, Frames.rate("s1", USD_CAD, "1.36", "1.38")));
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).isEqualTo("reset " + RATES);
        assertThat(client.rate("s1", EUR_CAD)).as("not in the fresh snapshot: gone").isEmpty();
        assertThat(client.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
    }

    @Test
    void lostEventsAndSequenceJumpsAreReportedAsGaps() {
        Subscription s = client.subscribeChannel(ORDERS, recorder);
        link().receive(Frames.subscribed(idOf(ORDERS), ORDERS, "EVENT", "e1", 3, "LIVE", 0))
                .receive(Frames.appUpdate(ORDERS, "e1", 4, 4))
                .receive(Frames.appUpdate(ORDERS, "e1", 7, 7)); // 5 and 6 never came
        assertThat(calls).containsExactly("update {\"n\":4}", "gap " + ORDERS + " 5..6", "update {\"n\":7}");
        assertThat(s.ready()).isCompleted();

        reconnect();
        calls.clear();
        assertThat(link().subscribe(ORDERS).path("from").path("seq").asLong()).isEqualTo(7);
        link().receive(Frames.lost(idOf(ORDERS), ORDERS, "e1", 12, 8, 10, 2))
                .receive(Frames.appUpdate(ORDERS, "e1", 11, 11))
                .receive(Frames.appUpdate(ORDERS, "e1", 12, 12))
                .receive(Frames.appUpdate(ORDERS, "e1", 12, 12)); // a duplicate is dropped
        assertThat(calls).containsExactly("gap " + ORDERS + " 8..10", "update {\"n\":11}", "update {\"n\":12}");
    }
}
