package io.ratehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.client.ConnectionState;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's liveness bound on virtual time: an idle healthy link stays live because the client pings it, and a
 * stalled link (every frame dropped, nothing closed) turns every cached rate NOT LIVE within the bound, and live
 * again once the link is heard from.
 */
class LivenessTest {
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private static final CurrencyPair EUR_CAD = CurrencyPair.parse("EUR/CAD");
    private final InMemoryRateHub hub = InMemoryRateHub.create();

    @AfterEach
    void close() {
        hub.close();
    }

    private RateHubClient terminal(Consumer<RateHubClient.Builder> customizer) {
        hub.engine().setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        hub.engine().setSpread("s1", EUR_CAD, SpreadRule.bps("80", "80"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140").set("EUR/CAD", "1.47200", "1.47220");
        RateHubClient c = hub.client(Principal.terminal("t1", "s1"), customizer);
        c.connect().join();
        c.subscribeStoreRates("s1", e -> { }).ready().join();
        assertThat(c.rates("s1")).hasSize(2).allMatch(LiveRate::live);
        return c;
    }

    /** Moves virtual time in small steps, checking {@code check} after each. */
    private void idle(Duration total, Runnable check) {
        for (Duration t = Duration.ZERO; t.compareTo(total) < 0; t = t.plusMillis(250)) {
            hub.advance(Duration.ofMillis(250));
            check.run();
        }
    }

    @Test
    void anIdleHealthyLinkStaysLiveBecauseTheClientPingsIt() {
        RateHubClient c = terminal(b -> { });
        idle(Duration.ofSeconds(9), () -> assertThat(c.rates("s1")).as("at " + hub.time().now())
                .allMatch(LiveRate::live));
        assertThat(hub.network(c).pingsAnswered()).as("the idle link was kept audible by pings").isGreaterThanOrEqualTo(3);
        assertThat(hub.network(c).linksOpened()).isEqualTo(1);
    }

    @Test
    void aStalledLinkTurnsEveryCachedRateNotLiveWithinTheBoundAndLiveAgainAfterRecovery() {
        RateHubClient c = terminal(b -> { });
        hub.network(c).drop(true);
        hub.advance(Duration.ofMillis(5_001));
        List<LiveRate> stalled = c.rates("s1");
        assertThat(stalled).hasSize(2).noneMatch(LiveRate::live);
        assertThat(stalled).allSatisfy(r -> assertThat(r.notLiveBecause()).startsWith("link silent"));
        assertThat(c.state().status()).as("not dead yet, only unconfirmed").isEqualTo(ConnectionState.Status.CONNECTED);

        hub.network(c).drop(false);
        hub.advance(Duration.ofSeconds(3)); // the next ping's pong arrives
        assertThat(c.rates("s1")).hasSize(2).allMatch(LiveRate::live);
        assertThat(hub.network(c).linksOpened()).as("recovered on the same link").isEqualTo(1);
    }

    @Test
    void theBoundIsConfigurable() {
        RateHubClient c = terminal(b -> b.livenessTimeout(Duration.ofSeconds(2)));
        hub.network(c).drop(true);
        hub.advance(Duration.ofMillis(2_001));
        assertThat(c.rates("s1")).noneMatch(LiveRate::live);
        hub.network(c).drop(false);
        hub.advance(Duration.ofSeconds(1));
        assertThat(c.rates("s1")).allMatch(LiveRate::live);
    }

    @Test
    void aStallPastTheDeadLinkTimeoutReconnectsAndTheRatesComeBackLive() {
        RateHubClient c = terminal(b -> { });
        hub.network(c).drop(true);
        hub.advance(Duration.ofSeconds(12));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        for (int i = 0; i < 50 && c.state().status() == ConnectionState.Status.CONNECTED; i++) {
            hub.advance(Duration.ofMillis(100)); // dead after 15 s of silence, counted from the last thing heard
        }
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.RECONNECTING);
        assertThat(c.rates("s1")).noneMatch(LiveRate::live);
        hub.network(c).drop(false);
        hub.advance(Duration.ofSeconds(1));
        hub.market().refresh();
        hub.awaitIdle();
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(c.rates("s1")).hasSize(2).allMatch(LiveRate::live);
        assertThat(hub.network(c).linksOpened()).isEqualTo(2);
    }
}
