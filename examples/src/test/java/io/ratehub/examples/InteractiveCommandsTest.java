package io.ratehub.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code calculator} and {@code dashboard}, in process, typed at through standard input, against a real hub. */
class InteractiveCommandsTest {
    private static final String TERMINAL_KEY = TerminalHub.TERMINAL_KEY;
    private static final String MANAGER_KEY = TerminalHub.MANAGER_KEY;
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");

    private final MovableClock clock = new MovableClock(Instant.now());
    private Stdio stdio;
    private RateEngine engine;
    private RateHubServer server;

    @BeforeEach
    void start() {
        stdio = new Stdio();
        engine = RateEngine.builder().clock(clock).maxSourceAge(Duration.ofSeconds(5)).build();
        engine.setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        quote("1.36120", "1.36140");
        server = TerminalHub.start(engine);
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
        stdio.close();
    }

    private void quote(String bid, String ask) {
        engine.onQuote(new MarketQuote(USD_CAD, new BigDecimal(bid), new BigDecimal(ask), "feed", clock.instant()));
    }

    private CompletableFuture<Integer> run(String command, String key) {
        return CompletableFuture.supplyAsync(() -> RateHubCli.run(command, "--uri", server.webSocketUri().toString(),
                "--api-key", key, "--store", "downtown"));
    }

    private StoreRate rate() {
        return engine.storeRate("downtown", USD_CAD).orElseThrow();
    }

    @Test
    void calculatorShowsLiveRatesConvertsLocksAndRefusesToQuoteAStaleRate() throws Exception {
        CompletableFuture<Integer> calc = run("calculator", TERMINAL_KEY);
        StoreRate r = rate();
        stdio.awaitOut(o -> o.lines().anyMatch(l -> l.startsWith("USD/CAD") && l.contains(r.buy().toPlainString())
                && l.endsWith(" live")), Duration.ofSeconds(20), "a live USD/CAD line");

        stdio.type("convert 100 USD CAD");
        String cad = new BigDecimal("100").multiply(r.buy()).setScale(2, RoundingMode.FLOOR).toPlainString();
        stdio.awaitOut("100.00 USD -> " + cad + " CAD   at " + r.buy().toPlainString() + " (we buy USD)");
        stdio.type("convert 100 CAD to USD");
        String usd = new BigDecimal("100").divide(r.sell(), 2, RoundingMode.FLOOR).toPlainString();
        stdio.awaitOut("100.00 CAD -> " + usd + " USD   at " + r.sell().toPlainString() + " (we sell USD)");

        // a market move shows up as a new line with its direction
        quote("1.36520", "1.36540");
        String moved = rate().buy().toPlainString();
        stdio.awaitOut(o -> o.lines().anyMatch(l -> l.startsWith("USD/CAD") && l.contains(moved) && l.contains("\u25b2")),
                Duration.ofSeconds(20), "the moved rate with an up arrow");

        stdio.type("lock USD/CAD sell 1000");
        Pattern locked = Pattern.compile("locked (\\S+): SELL 1000 USD at (\\S+) = (\\S+) CAD, ACTIVE");
        Matcher m = locked.matcher(stdio.awaitOut(o -> locked.matcher(o).find(), Duration.ofSeconds(20), "a lock"));
        assertThat(m.find()).isTrue();
        RateLock lock = engine.findLock(m.group(1)).orElseThrow();
        assertThat(m.group(2)).isEqualTo(lock.rate().toPlainString()).isEqualTo(rate().sell().toPlainString());
        assertThat(m.group(3)).isEqualTo(lock.counterAmount().toPlainString());
        stdio.type("complete " + lock.lockId() + " tx-1001");
        stdio.awaitOut("completed " + lock.lockId());
        assertThat(engine.findLock(lock.lockId()).orElseThrow().transactionRef()).isEqualTo("tx-1001");

        // typing errors and refusals: one line each, the calculator goes on
        stdio.type("convert lots USD CAD");
        stdio.awaitOut("error: amount");
        stdio.type("convert 1.001 USD CAD");
        stdio.awaitOut("error: amount: USD has 2 decimals");
        stdio.type("fly me to the moon");
        stdio.awaitOut("error: unknown command 'fly'");
        stdio.type("complete L-nope tx-1");
        stdio.awaitOut("refused: lock_not_found");

        // the only source goes quiet: the rate turns NOT LIVE and is no longer quoted or locked
        clock.advance(Duration.ofSeconds(6));
        stdio.awaitOut(o -> o.lines().anyMatch(l -> l.startsWith("USD/CAD") && l.contains("NOT LIVE")),
                Duration.ofSeconds(20), "USD/CAD NOT LIVE");
        stdio.type("convert 100 USD CAD");
        stdio.awaitOut("error: USD/CAD is NOT LIVE");
        stdio.type("lock USD/CAD sell 10");
        stdio.awaitOut(o -> o.split("error: USD/CAD is NOT LIVE", -1).length == 3, Duration.ofSeconds(20),
                "the lock refused too");

        stdio.type("quit");
        assertThat(calc.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void calculatorSaysNotLiveWhenTheHubGoesAway() throws Exception {
        CompletableFuture<Integer> calc = run("calculator", TERMINAL_KEY);
        stdio.awaitOut(o -> o.lines().anyMatch(l -> l.startsWith("USD/CAD") && l.endsWith(" live")),
                Duration.ofSeconds(20), "a live line");
        server.stop(Duration.ofSeconds(2));
        stdio.awaitOut("connection: DISCONNECTED, reconnecting");
        stdio.awaitOut(o -> o.lines().anyMatch(l -> l.startsWith("USD/CAD") && l.contains("NOT LIVE")),
                Duration.ofSeconds(20), "USD/CAD NOT LIVE");
        stdio.type("convert 5 USD CAD");
        stdio.awaitOut("error: USD/CAD is NOT LIVE");
        stdio.endInput();
        assertThat(calc.get(20, TimeUnit.SECONDS)).isZero();
        server = RateHubServer.builder().port(0).engine(engine)
                .authenticator(ApiKeyAuthenticator.builder().key(TERMINAL_KEY, Principal.terminal("t", "downtown"))
                        .build()).start(); // for @AfterEach
    }

    @Test
    void dashboardSetsSpreadsOverridesAndThresholdsAndPrintsAlerts() throws Exception {
        CompletableFuture<Integer> dash = run("dashboard", MANAGER_KEY);
        stdio.awaitOut("connection: CONNECTED");

        stdio.type("spread USD/CAD 40 60");
        stdio.awaitOut("spread on USD/CAD set: USD/CAD");
        assertThat(engine.storeRate("downtown", USD_CAD).orElseThrow().buy())
                .isEqualByComparingTo(new BigDecimal("1.36130").subtract(new BigDecimal("1.36130")
                        .multiply(new BigDecimal("0.004"))).setScale(5, RoundingMode.FLOOR));
        stdio.awaitOut("ALERT spread_set");

        stdio.type("threshold USD/CAD divergence 0.5");
        stdio.awaitOut("threshold on USD/CAD: OVERRIDE_DIVERGENCE 0.5% (clears at 0.4");
        // the override's mid (1.33) is 2.3% off the market's (1.3613): over the 0.5% alert, under the 5% refusal
        stdio.type("override USD/CAD 1.31000 1.35000 30 weekend promotion");
        stdio.awaitOut("override on USD/CAD: buy 1.31000 sell 1.35000 until ");
        stdio.awaitOut("ALERT rate_override_set");
        stdio.awaitOut("ALERT rate_threshold_breach");
        assertThat(engine.override("downtown", USD_CAD).orElseThrow().reason()).isEqualTo("weekend promotion");

        stdio.type("rates");
        stdio.awaitOut("USD/CAD   buy 1.31000  sell 1.35000  OVERRIDE  live");
        stdio.type("clear USD/CAD back to market");
        stdio.awaitOut("override on USD/CAD cleared");
        stdio.awaitOut("ALERT rate_override_cleared");

        stdio.type("override USD/CAD 1.0 2.0");
        stdio.awaitOut("refused: ");
        stdio.type("threshold USD/CAD sideways 1");
        stdio.awaitOut("error: kind must be move or divergence");
        stdio.type("spread USD/XYZ 1 1");
        stdio.awaitOut("error: ");
        stdio.endInput();
        assertThat(dash.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aTerminalKeyCannotChangeSpreadsFromTheDashboard() throws Exception {
        CompletableFuture<Integer> dash = run("dashboard", TERMINAL_KEY);
        stdio.awaitOut("connection: CONNECTED");
        stdio.type("spread USD/CAD 40 40");
        stdio.awaitOut("refused: forbidden");
        stdio.type("quit");
        assertThat(dash.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(engine.storeRate("downtown", USD_CAD).orElseThrow().buy()).isEqualTo(rate().buy());
    }

    @Test
    void missingOptionsGiveTheUsage() {
        assertThat(RateHubCli.run("calculator", "--api-key", "k")).isEqualTo(2);
        assertThat(stdio.err()).contains("--store").contains("Usage:");
        assertThat(RateHubCli.run("dashboard", "--store", "downtown")).isEqualTo(2);
        assertThat(stdio.err()).contains("--api-key");
    }
}
