package io.ratehub.examples.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import io.ratehub.server.ServerOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadClientTest {
    private static final String KEY = "bench-key-0123456789";
    private static final List<CurrencyPair> PAIRS = List.of("USD/CAD", "EUR/CAD", "GBP/CAD", "CHF/CAD", "AUD/CAD")
            .stream().map(CurrencyPair::parse).toList();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RateEngine engine = RateEngine.builder().build();
    private RateHubServer server;
    private LoadClient client;
    private int round;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void startServer(ServerOptions options, SessionSettings sessions) {
        for (CurrencyPair p : PAIRS) {
            engine.setSpread("s0", p, SpreadRule.bps("50", "50"), "owner");
        }
        pushRound(); // the store has a rate per pair: subscribing gets a snapshot of 5
        server = RateHubServer.builder().port(0).engine(engine)
                .authenticator(ApiKeyAuthenticator.builder().key(KEY, Principal.viewer("bench", "s0")).build())
                .limits(new ConnectionLimits(10_000, 10_000, 10_000))
                .options(options)
                .sessionSettings(sessions)
                .start();
    }

    private void startServer() {
        startServer(ServerOptions.defaults(), SessionSettings.defaults());
    }

    private static List<String> opening(String key, String channel) {
        return List.of("{\"op\":\"auth\",\"id\":\"a\",\"apiKey\":\"" + key + "\"}",
                "{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"" + channel + "\"}");
    }

    private void open(int ioThreads, int connections) throws Exception {
        client = new LoadClient(ioThreads);
        client.open(server.webSocketUri(), connections, i -> opening(KEY, "store:s0:rates"), 8)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** One quote per pair, each moving its mid: one live update per pair for every subscriber. */
    private void pushRound() {
        round++;
        for (CurrencyPair p : PAIRS) {
            BigDecimal mid = new BigDecimal("1.20000").add(new BigDecimal("0.00010").multiply(BigDecimal.valueOf(round)));
            engine.onQuote(new MarketQuote(p, mid.subtract(new BigDecimal("0.00010")),
                    mid.add(new BigDecimal("0.00010")), "a", Instant.now()));
        }
    }

    /** Samples accumulated over a test. */
    private static final class Totals {
        long updates;
        long frames;
        long lost;
        long outOfOrder;
        long bytes;
        long nanos;
        final Histogram latency = WsTally.newHistogram();

        void add(LoadSample s) {
            updates += s.updates();
            frames += s.frames();
            lost += s.lost();
            outOfOrder += s.outOfOrder();
            bytes += s.bytes();
            nanos += s.nanos();
            latency.add(s.latencyMicros());
        }
    }

    /** Polls samples into {@code t} until it holds at least {@code target} updates. */
    private void awaitUpdates(Totals t, long target) {
        awaitTrue(() -> {
            t.add(client.sample());
            return t.updates >= target;
        }, () -> "updates: " + t.updates + " of " + target);
    }

    /** Waits, with a deadline, until {@code condition} holds (also for the other load-client tests). */
    static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void countsEveryLiveUpdateOnceWithItsLatency() throws Exception {
        startServer();
        int n = 50;
        open(2, n);
        assertThat(client.openConnections()).isEqualTo(n);
        assertThat(client.connectNanos()).isPositive();
        Totals t = new Totals();
        t.add(client.sample()); // the 5 snapshot updates of each connection are not live
        assertThat(t.updates).isZero();
        int rounds = 20;
        for (int r = 1; r <= rounds; r++) {
            pushRound();
            awaitUpdates(t, (long) r * PAIRS.size() * n);
        }
        assertThat(t.updates).isEqualTo((long) rounds * PAIRS.size() * n);
        assertThat(t.lost).isZero();
        assertThat(t.outOfOrder).isZero();
        assertThat(t.frames).isBetween(1L, t.updates);
        assertThat(t.bytes).isGreaterThan(t.updates * 300);
        assertThat(t.nanos).isPositive();
        assertThat(t.latency.getTotalCount()).isEqualTo(t.updates);
        assertThat(t.latency.getMaxValue()).isLessThan(WAIT.toNanos() / 1_000);
        assertThat(client.closeCodes()).isEmpty();
        assertThat(client.openConnections()).isEqualTo(n);
    }

    @Test
    void batchFramesAreCountedPerUpdate() throws Exception {
        startServer(ServerOptions.defaults(), SessionSettings.builder().batchWindow(Duration.ofMillis(20)).build());
        int n = 20;
        open(1, n);
        Totals t = new Totals();
        t.add(client.sample());
        for (int r = 1; r <= 5; r++) {
            pushRound();
            awaitUpdates(t, (long) r * PAIRS.size() * n);
        }
        assertThat(t.updates).isEqualTo(5L * PAIRS.size() * n);
        assertThat(t.frames).isLessThan(t.updates);
        assertThat(t.lost).isZero();
        assertThat(t.outOfOrder).isZero();
        assertThat(t.latency.getTotalCount()).isEqualTo(t.updates);
    }

    @Test
    void stoppedConnectionsAreNoLongerCounted() throws Exception {
        startServer();
        int n = 10;
        open(2, n);
        client.stopReading(4);
        Totals t = new Totals();
        t.add(client.sample());
        pushRound();
        awaitUpdates(t, (long) PAIRS.size() * (n - 4));
        pushRound();
        awaitUpdates(t, 2L * PAIRS.size() * (n - 4));
        assertThat(t.updates).isEqualTo(2L * PAIRS.size() * (n - 4));
        assertThat(t.lost).isZero();
        assertThat(client.openConnections()).isEqualTo(n);
    }

    @Test
    void aServerSideCloseIsRecorded() throws Exception {
        startServer();
        open(1, 10);
        server.close();
        awaitTrue(() -> client.openConnections() == 0, () -> "open connections: " + client.openConnections());
        assertThat(client.closeCodes()).isEqualTo(Map.of(1001, 10));
    }

    @Test
    void aRefusedKeyFailsTheOpenNamingTheError() throws Exception {
        startServer();
        client = new LoadClient(1);
        CompletableFuture<Void> f = client.open(server.webSocketUri(), 3, i -> opening("wrong-key-0123456789",
                "store:s0:rates"), 1);
        assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("connection 0")
                .hasMessageContaining("\"type\":\"error\"")
                .hasMessageContaining("unauthenticated");
        awaitTrue(() -> client.closeCodes().containsKey(4001), () -> "close codes: " + client.closeCodes());
        assertThat(client.closeCodes()).isEqualTo(Map.of(4001, 1));
    }

    @Test
    void aForbiddenChannelFailsTheOpen() throws Exception {
        startServer();
        client = new LoadClient(1);
        CompletableFuture<Void> f = client.open(server.webSocketUri(), 2, i -> opening(KEY, "store:s9:rates"), 2);
        assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("forbidden");
    }

    @Test
    void aConnectionRefusedFailsTheOpen() throws Exception {
        startServer();
        java.net.URI uri = server.webSocketUri();
        server.close();
        server = null;
        client = new LoadClient(1);
        CompletableFuture<Void> f = client.open(uri, 2, i -> opening(KEY, "store:s0:rates"), 2);
        assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("connect to");
    }

    @Test
    void answersPingsAndSurvivesSeveralIntervals() throws Exception {
        // Nothing but pongs comes from the client after it subscribed: without them the server would close every
        // connection 300 ms after the first ping; waiting for 8 pings each spans more than that.
        startServer(ServerOptions.builder().pingInterval(Duration.ofMillis(100)).pongTimeout(Duration.ofMillis(200))
                .build(), SessionSettings.defaults());
        int n = 10;
        open(1, n);
        awaitTrue(() -> client.pingsAnswered() >= 8L * n, () -> "pings answered: " + client.pingsAnswered());
        Totals t = new Totals();
        t.add(client.sample());
        pushRound();
        awaitUpdates(t, (long) PAIRS.size() * n);
        assertThat(t.updates).isEqualTo((long) PAIRS.size() * n);
        assertThat(client.closeCodes()).isEmpty();
        assertThat(client.openConnections()).isEqualTo(n);
    }
}
