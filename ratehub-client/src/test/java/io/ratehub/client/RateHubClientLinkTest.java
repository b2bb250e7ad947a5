package io.ratehub.client;

import static io.ratehub.client.Frames.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;
import io.ratehub.core.model.Side;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The link's life on a scripted transport and virtual time: a welcome that beats the open future, subscriptions that
 * are never acknowledged, refused subscriptions, sends that fail.
 */
class RateHubClientLinkTest {
    final ManualScheduler time = new ManualScheduler(Frames.T0);
    final ScriptedTransport transport = new ScriptedTransport();

    RateHubClient client(Consumer<RateHubClient.Builder> customizer) {
        RateHubClient.Builder b = RateHubClient.builder().uri(URI.create("memory://test")).apiKey("k")
                .transport(transport).scheduler(time).listenerExecutor(time).clock(time.clock())
                .reconnect(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(100), 0, 0))
                .random(new Random(1));
        customizer.accept(b);
        return b.build();
    }

    /** When the handshake (and so the welcome) completes relative to the open future and its handler. */
    enum Order {
        /** open() has received the welcome and completed its future before it returns. */
        WELCOME_THEN_OPEN_INSIDE_OPEN,
        /** open() completes its future before it returns; the welcome follows. */
        OPEN_INSIDE_OPEN_THEN_WELCOME,
        /** After open() returned: the welcome arrives, then the future completes. */
        WELCOME_THEN_OPEN_LATER,
        /** After open() returned: the future completes, then the welcome arrives. */
        OPEN_THEN_WELCOME_LATER
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void everySubscriptionIsSentWhateverTheOrderOfWelcomeAndOpen(Order order) {
        transport.onOpen = a -> {
            switch (order) {
                case WELCOME_THEN_OPEN_INSIDE_OPEN -> a.receive(Frames.welcome()).opened();
                case OPEN_INSIDE_OPEN_THEN_WELCOME -> a.opened().receive(Frames.welcome());
                default -> { }
            }
        };
        RateHubClient c = client(b -> { });
        Subscription rates = c.subscribeStoreRates("s1", e -> { });
        c.subscribeChannel("app:orders", e -> { });
        c.connect();
        ScriptedTransport.Attempt a = transport.last();
        switch (order) {
            case WELCOME_THEN_OPEN_LATER -> a.receive(Frames.welcome()).opened();
            case OPEN_THEN_WELCOME_LATER -> a.opened().receive(Frames.welcome());
            default -> { }
        }
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(a.sent("subscribe")).extracting(m -> m.path("channel").asText())
                .containsExactly("store:s1:rates", "app:orders");

        String id = a.subscribe("store:s1:rates").path("id").asText();
        a.receive(Frames.subscribed(id, "store:s1:rates", "STATE", "e1", 1, "SNAPSHOT", 1))
                .receive(Frames.rateUpdate("e1", 1, Frames.rate("s1", USD_CAD, "1.35", "1.37")));
        assertThat(rates.ready()).isCompleted();
        assertThat(c.rate("s1", USD_CAD)).isPresent();
    }

    @Test
    void aSubscriptionNeverAcknowledgedDropsTheLinkAndIsSentAgainOnTheNextOne() {
        RateHubClient c = client(b -> b.subscribeAckTimeout(Duration.ofSeconds(3)));
        Subscription rates = c.subscribeStoreRates("s1", e -> { });
        c.connect();
        ScriptedTransport.Attempt first = transport.last().opened().receive(Frames.welcome());
        first.subscribe("store:s1:rates"); // and the server loses it
        time.advance(Duration.ofMillis(2_999));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        time.advance(Duration.ofMillis(1));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.RECONNECTING);
        assertThat(c.state().reason()).contains("store:s1:rates").contains("not acknowledged");
        assertThat(first.ended).isTrue();

        time.advance(Duration.ofMillis(100));
        ScriptedTransport.Attempt second = transport.last();
        assertThat(second).isNotSameAs(first);
        second.opened().receive(Frames.welcome()).answerPings = true;
        String id = second.subscribe("store:s1:rates").path("id").asText();
        second.receive(Frames.subscribed(id, "store:s1:rates", "STATE", "e1", 0, "SNAPSHOT", 0));
        time.advance(Duration.ofSeconds(30));
        assertThat(transport.attempts).hasSize(2);
        assertThat(rates.ready()).isCompleted();
    }

    @Test
    void anAcknowledgedSubscriptionKeepsTheLink() {
        RateHubClient c = client(b -> b.subscribeAckTimeout(Duration.ofSeconds(3)));
        c.subscribeStoreRates("s1", e -> { });
        c.connect();
        ScriptedTransport.Attempt a = transport.last().opened().receive(Frames.welcome());
        a.answerPings = true;
        String id = a.subscribe("store:s1:rates").path("id").asText();
        a.receive(Frames.subscribed(id, "store:s1:rates", "STATE", "e1", 0, "SNAPSHOT", 0));
        time.advance(Duration.ofSeconds(60));
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(transport.attempts).hasSize(1);
    }

    @Test
    void aRefusedSubscriptionFailsItsReadyAndEnds() {
        RateHubClient c = client(b -> { });
        c.connect();
        ScriptedTransport.Attempt a = transport.last().opened().receive(Frames.welcome());
        a.answerPings = true;
        Subscription other = c.subscribeStoreRates("s2", e -> { });
        String id = a.subscribe("store:s2:rates").path("id").asText();
        a.receive(Frames.error(id, "forbidden", "not your store"));
        assertThat(other.ready()).isCompletedExceptionally();
        assertThat(other.ready().handle((v, e) -> ((RateHubException) e).code()).join())
                .isEqualTo(ErrorCode.FORBIDDEN);
        time.advance(Duration.ofSeconds(60));
        assertThat(c.state().status()).as("a refusal is an answer: the link stays")
                .isEqualTo(ConnectionState.Status.CONNECTED);
        assertThat(a.sent("subscribe")).hasSize(1);
    }

    @Test
    void aSendThatFailsEndsTheLinkAndFailsTheCommandVisibly() {
        RateHubClient c = client(b -> { });
        c.connect();
        ScriptedTransport.Attempt a = transport.last().opened().receive(Frames.welcome());
        a.failSends = true;
        CompletableFuture<?> lock = c.lock("s1", USD_CAD, Side.SELL, new BigDecimal("10.00"));
        assertThat(lock).isCompletedExceptionally();
        assertThat(lock.handle((v, e) -> ((RateHubException) e).code()).join())
                .isEqualTo(ErrorCode.CONNECTION_LOST);
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.RECONNECTING);
    }
}
