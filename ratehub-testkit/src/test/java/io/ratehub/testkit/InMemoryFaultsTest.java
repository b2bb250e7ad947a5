package io.ratehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.client.ConnectionState;
import io.ratehub.client.RateHubClient;
import io.ratehub.client.ReconnectPolicy;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Faults only the in-memory kit can stage exactly: dead links, refused connections, backoff on virtual time. */
class InMemoryFaultsTest {
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private final InMemoryRateHub hub = InMemoryRateHub.create();

    @AfterEach
    void close() {
        hub.close();
    }

    private RateHubClient terminal(java.util.function.Consumer<RateHubClient.Builder> customizer) {
        hub.engine().setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140");
        RateHubClient c = hub.client(Principal.terminal("t1", "s1"), customizer);
        c.connect().join();
        c.subscribeStoreRates("s1", e -> { });
        hub.awaitIdle();
        return c;
    }

    @Test
    void aSilentDeadLinkIsDetectedByTheHeartbeatAndReplaced() {
        RateHubClient c = terminal(b -> { });
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
        hub.network(c).drop(true); // the link stays "open" but nothing gets through, as behind a dead NAT
        hub.advance(Duration.ofSeconds(12));
        assertThat(c.state().status()).as("not yet: 15 s of silence needed").isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).as("unconfirmed rates are not live").isFalse();
        hub.advance(Duration.ofSeconds(4));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.RECONNECTING);
        hub.advance(Duration.ofSeconds(1)); // the next link opens while the network still drops everything
        hub.network(c).drop(false);
        // That link lost its welcome: the welcome deadline finds it dead too.
        hub.advance(Duration.ofSeconds(40));
        hub.market().refresh();
        hub.awaitIdle();
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(hub.network(c).linksOpened()).isEqualTo(3);
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
    }

    @Test
    void reconnectBacksOffExponentiallyWithJitterUpToTheCap() {
        List<ConnectionState> states = Collections.synchronizedList(new ArrayList<>());
        RateHubClient c = terminal(b -> b.reconnect(new ReconnectPolicy(Duration.ofMillis(100),
                Duration.ofMillis(1_000), 0.2, 0)));
        c.onStateChange(states::add);
        hub.network(c).refuseConnections(true);
        hub.network(c).disconnect();
        hub.awaitIdle();
        for (int i = 0; i < 8; i++) {
            hub.advance(Duration.ofSeconds(2));
        }
        List<ConnectionState> retries = states.stream()
                .filter(s -> s.status() == ConnectionState.Status.RECONNECTING).toList();
        assertThat(retries).hasSizeGreaterThanOrEqualTo(7);
        long[] base = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int i = 0; i < base.length; i++) {
            assertThat(retries.get(i).attempt()).isEqualTo(i + 1);
            assertThat(retries.get(i).nextDelay().toMillis()).as("attempt " + (i + 1))
                    .isBetween((long) (base[i] * 0.8), (long) (base[i] * 1.2));
        }
        hub.network(c).refuseConnections(false);
        hub.advance(Duration.ofSeconds(2));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
    }

    @Test
    void aDelayedLinkDeliversLateButInOrder() {
        RateHubClient c = terminal(b -> { });
        List<io.ratehub.core.event.RateEvent> seen = Collections.synchronizedList(new ArrayList<>());
        c.subscribeStoreRates("s1", seen::add);
        hub.awaitIdle();
        int before = seen.size();
        hub.network(c).delay(Duration.ofMillis(500));
        hub.market().move("USD/CAD", "0.1");
        hub.awaitIdle(); // sent before the next move: two frames, not one conflated value
        hub.market().move("USD/CAD", "0.1");
        hub.awaitIdle();
        assertThat(seen).hasSize(before);
        hub.advance(Duration.ofMillis(499));
        assertThat(seen).hasSize(before);
        hub.advance(Duration.ofMillis(1));
        assertThat(seen).hasSize(before + 2);
        assertThat(c.rate("s1", USD_CAD).orElseThrow().rate())
                .isEqualTo(hub.engine().storeRate("s1", USD_CAD).orElseThrow());
    }

    @Test
    void anAttemptLimitEndsTheClient() {
        RateHubClient c = terminal(b -> b.reconnect(new ReconnectPolicy(Duration.ofMillis(100),
                Duration.ofMillis(100), 0, 3)));
        hub.network(c).refuseConnections(true);
        hub.network(c).disconnect();
        hub.advance(Duration.ofSeconds(5));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CLOSED);
        assertThat(c.state().reason()).contains("gave up");
        assertThat(hub.network(c).linksOpened()).isEqualTo(1);
    }

    @Test
    void closingWhileReconnectingStopsForGood() {
        RateHubClient c = terminal(b -> { });
        hub.network(c).refuseConnections(true);
        hub.network(c).disconnect();
        hub.advance(Duration.ofSeconds(1));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.RECONNECTING);
        c.close();
        hub.network(c).refuseConnections(false);
        hub.advance(Duration.ofMinutes(5));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CLOSED);
        assertThat(hub.network(c).linksOpened()).isEqualTo(1);
    }

    @Test
    void aStaleMarketMakesCachedRatesNotLive() {
        RateHubClient c = terminal(b -> { });
        hub.market().stall("feed-a").stall("feed-b").stall("feed-c");
        hub.advance(Duration.ofSeconds(11));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isFalse();
        assertThat(c.rate("s1", USD_CAD).orElseThrow().notLiveBecause()).contains("stale");
    }
}
