package io.ratehub.examples.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.ratehub.examples.load.LoadClientTest.awaitTrue;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load client's own pings ({@link LoadClient#startPinging}) against a real ratehub server on loopback: the
 * server answers every one (so they are well-formed, masked client frames: it closes a connection with 1002 for an
 * unmasked one) and the pongs are counted.
 */
class LoadClientPingTest {
    private static final String KEY = "bench-key-0123456789";
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RateEngine engine = RateEngine.builder().build();
    private RateHubServer server;
    private LoadClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void startServerAndOpen(int ioThreads, int connections) throws Exception {
        engine.setSpread("s0", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.onQuote(new MarketQuote(USD_CAD, new BigDecimal("1.36100"), new BigDecimal("1.36140"), "a",
                Instant.now()));
        server = RateHubServer.builder().port(0).engine(engine)
                .authenticator(ApiKeyAuthenticator.builder().key(KEY, Principal.viewer("bench", "s0")).build())
                .limits(new ConnectionLimits(10_000, 10_000, 10_000))
                .start();
        client = new LoadClient(ioThreads);
        client.open(server.webSocketUri(), connections, i -> List.of(
                "{\"op\":\"auth\",\"id\":\"a\",\"apiKey\":\"" + KEY + "\"}",
                "{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s0:rates\"}"), 8)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void periodicPingsReachTheServerAndEveryPongIsCounted() throws Exception {
        int n = 40;
        startServerAndOpen(2, n);
        assertThat(client.pingsSent()).isZero();
        assertThat(client.pongsReceived()).isZero();

        client.startPinging(Duration.ofMillis(20));
        // At least 5 rounds: every connection pinged several times, and the server answered.
        awaitTrue(() -> client.pongsReceived() >= 5L * n, () -> "pongs: " + client.pongsReceived() + " of " + 5 * n
                + " (pings sent: " + client.pingsSent() + ")");
        client.stopPinging();
        long sent = client.pingsSent();
        assertThat(sent).isGreaterThanOrEqualTo(5L * n);
        // Every ping sent is answered once: the pongs catch up with the pings, and no ping is sent after the stop.
        awaitTrue(() -> client.pongsReceived() == sent, () -> "pongs: " + client.pongsReceived() + " of " + sent);
        assertThat(client.pingsSent()).isEqualTo(sent);

        assertThat(client.openConnections()).isEqualTo(n);
        assertThat(client.closeCodes()).isEmpty();
    }

    @Test
    void pingsAreSpreadOverThePeriodNotSentAllAtOnce() throws Exception {
        int n = 200;
        startServerAndOpen(1, n);
        // A period far longer than the wait: a slot falls due every 300 ms, so within the 10 s wait for the first
        // pong at most some 35 of the 200 connections have pinged, never all at once.
        client.startPinging(Duration.ofSeconds(60));
        awaitTrue(() -> client.pongsReceived() >= 1, () -> "a first pong");
        client.stopPinging();
        long sent = client.pingsSent();
        assertThat(sent).isBetween(1L, 40L);
        awaitTrue(() -> client.pongsReceived() == sent, () -> "pongs: " + client.pongsReceived() + " of " + sent);
    }

    @Test
    void aPeriodUnderOneMillisecondIsRefused() throws Exception {
        client = new LoadClient(1);
        assertThatThrownBy(() -> client.startPinging(Duration.ofNanos(999_999)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
