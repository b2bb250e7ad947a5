package io.ratehub.client;

import static io.ratehub.client.Frames.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratehub.core.ValidationException;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Pings, the liveness bound and the dead-link timeout on a scripted transport and virtual time. */
class RateHubClientHeartbeatTest {
    final ManualScheduler time = new ManualScheduler(Frames.T0);
    final ScriptedTransport transport = new ScriptedTransport();

    RateHubClient.Builder builder() {
        return RateHubClient.builder().uri(URI.create("memory://test")).apiKey("k").transport(transport)
                .scheduler(time).listenerExecutor(time).clock(time.clock())
                .reconnect(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(100), 0, 0))
                .random(new Random(1));
    }

    /** A connected client with USD/CAD of store s1 cached and caught up. */
    RateHubClient connected(Consumer<RateHubClient.Builder> customizer) {
        RateHubClient.Builder b = builder();
        customizer.accept(b);
        RateHubClient c = b.build();
        c.subscribeStoreRates("s1", e -> { });
        c.connect();
        ScriptedTransport.Attempt a = transport.last().opened().receive(Frames.welcome());
        String id = a.subscribe("store:s1:rates").path("id").asText();
        a.receive(Frames.subscribed(id, "store:s1:rates", "STATE", "e1", 1, "SNAPSHOT", 1))
                .receive(Frames.rateUpdate("e1", 1, Frames.rate("s1", USD_CAD, "1.35", "1.37")));
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
        return c;
    }

    @Test
    void theDefaultsBoundLivenessAt5SecondsAndPingAfterAThirdOfIt() {
        RateHubClient c = connected(b -> { });
        ScriptedTransport.Attempt a = transport.last();
        time.advance(Duration.ofMillis(1_600));
        assertThat(a.pings).as("heard 1.6 s ago: no ping yet").isZero();
        time.advance(Duration.ofMillis(900));
        assertThat(a.pings).as("a WebSocket ping within 2.5 s of silence").isEqualTo(1);
        assertThat(a.sent("ping")).as("no protocol pings: they would count towards the server's limit").isEmpty();

        time.advance(Duration.ofMillis(2_500)); // 5.0 s of silence: still within the bound
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
        time.advance(Duration.ofMillis(1));
        LiveRate silent = c.rate("s1", USD_CAD).orElseThrow();
        assertThat(silent.live()).isFalse();
        assertThat(silent.notLiveBecause()).startsWith("link silent").contains("PT5S");
        assertThat(a.pings).as("pinging again while the silence lasts").isGreaterThanOrEqualTo(3);

        a.listener.onPong();
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).as("a pong is life").isTrue();
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
    }

    @Test
    void trafficMakesPingsUnnecessary() {
        connected(b -> { });
        ScriptedTransport.Attempt a = transport.last();
        for (int i = 2; i < 40; i++) {
            time.advance(Duration.ofMillis(500));
            a.receive(Frames.rateUpdate("e1", i, Frames.rate("s1", USD_CAD, "1.35", "1.37")));
        }
        assertThat(a.pings).isZero();
    }

    @Test
    void aTransportThatCannotPingGetsProtocolPings() {
        transport.canPing = false;
        RateHubClient c = connected(b -> { });
        ScriptedTransport.Attempt a = transport.last();
        a.answerPings = true;
        time.advance(Duration.ofSeconds(30));
        assertThat(a.sent("ping")).isNotEmpty();
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isTrue();
        assertThat(transport.attempts).hasSize(1);
    }

    @Test
    void aLinkSilentForTheDeadLinkTimeoutIsReplaced() {
        RateHubClient c = connected(b -> b.livenessTimeout(Duration.ofSeconds(2)).deadLinkTimeout(Duration.ofSeconds(4)));
        ScriptedTransport.Attempt first = transport.last();
        time.advance(Duration.ofMillis(3_900));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(c.rate("s1", USD_CAD).orElseThrow().live()).isFalse();
        time.advance(Duration.ofMillis(500));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.RECONNECTING);
        assertThat(c.state().closeCode()).isEqualTo(4009);
        assertThat(first.ended).isTrue();
    }

    @Test
    void theBuilderKeepsPingIntervalLivenessBoundAndDeadLinkTimeoutInOrder() {
        assertThatThrownBy(() -> builder().livenessTimeout(Duration.ofSeconds(2))
                .heartbeatInterval(Duration.ofSeconds(2)).build()).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> builder().livenessTimeout(Duration.ofSeconds(5))
                .deadLinkTimeout(Duration.ofSeconds(4)).build()).isInstanceOf(ValidationException.class);
        assertThat(RateHubClient.Builder.DEFAULT_LIVENESS_TIMEOUT).isLessThanOrEqualTo(Duration.ofSeconds(5));
        builder().livenessTimeout(Duration.ofSeconds(30)).build().close();
    }
}
