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

/**
 * Review tests of {@code calculator} and {@code dashboard}: money rounding with currencies of other minor units,
 * parsing holes (exponents, huge numbers, odd whitespace), and what a bad line does to the session and its exit code.
 */
class TerminalReviewTest {
    private static final String TERMINAL_KEY = TerminalHub.TERMINAL_KEY;
    private static final String MANAGER_KEY = TerminalHub.MANAGER_KEY;
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private static final CurrencyPair USD_JPY = CurrencyPair.parse("USD/JPY");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final MovableClock clock = new MovableClock(Instant.now());
    private Stdio stdio;
    private RateEngine engine;
    private RateHubServer server;

    @BeforeEach
    void start() {
        stdio = new Stdio();
        engine = RateEngine.builder().clock(clock).maxSourceAge(Duration.ofSeconds(5)).build();
        engine.setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("downtown", USD_JPY, SpreadRule.bps("50", "50"), "owner");
        quote(USD_CAD, "1.36123", "1.36147");
        quote(USD_JPY, "151.237", "151.259");
        server = TerminalHub.start(engine);
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
        stdio.close();
    }

    private void quote(CurrencyPair pair, String bid, String ask) {
        engine.onQuote(new MarketQuote(pair, new BigDecimal(bid), new BigDecimal(ask), "feed", clock.instant()));
    }

    private CompletableFuture<Integer> run(String command, String key) {
        return CompletableFuture.supplyAsync(() -> RateHubCli.run(command, "--plain", "--uri",
                server.webSocketUri().toString(), "--api-key", key, "--store", "downtown"));
    }

    private CompletableFuture<Integer> runDashboard() {
        return CompletableFuture.supplyAsync(() -> RateHubCli.run("dashboard", "--uri",
                server.webSocketUri().toString(), "--api-key", MANAGER_KEY, "--store", "downtown"));
    }

    private StoreRate rate(CurrencyPair pair) {
        return engine.storeRate("downtown", pair).orElseThrow();
    }

    private CompletableFuture<Integer> liveCalculator() {
        CompletableFuture<Integer> calc = run("calculator", TERMINAL_KEY);
        stdio.awaitOut(o -> o.lines().filter(l -> l.endsWith(" live")).count() >= 2 || calc.isDone(), WAIT,
                "two live lines");
        assertThat(calc).isNotDone();
        return calc;
    }

    /** Types {@code line} and waits for the {@code n}-th occurrence of {@code text}, or for the session to end. */
    private void typeAndAwait(CompletableFuture<Integer> session, String line, String text, int n) {
        stdio.type(line);
        stdio.awaitOut(o -> o.split(Pattern.quote(text), -1).length > n || session.isDone(), WAIT,
                "'" + text + "' #" + n + " after '" + line + "'");
        assertThat(session).as("the session ended after '" + line + "'; err:\n" + stdio.err()).isNotDone();
    }

    @Test
    void convertRoundsInTheStoresFavourAtTheTargetCurrencysMinorUnitsAndReadsExponentsAndTabs() throws Exception {
        CompletableFuture<Integer> calc = liveCalculator();
        StoreRate jpy = rate(USD_JPY);
        StoreRate cad = rate(USD_CAD);

        // the customer hands over 1,234.56 USD for yen: the store buys USD at `buy`, yen rounded down to whole yen
        String yen = new BigDecimal("1234.56").multiply(jpy.buy()).setScale(0, RoundingMode.FLOOR).toPlainString();
        typeAndAwait(calc, "convert 1234.56 USD JPY", "1234.56 USD -> " + yen + " JPY   at "
                + jpy.buy().toPlainString() + " (we buy USD)", 1);
        // the customer hands over 10,001 yen for dollars: the store sells USD at `sell`, cents rounded down
        String usd = new BigDecimal("10001").divide(jpy.sell(), 2, RoundingMode.FLOOR).toPlainString();
        typeAndAwait(calc, "convert\t10001   JPY\tto USD ", "10001 JPY -> " + usd + " USD   at "
                + jpy.sell().toPlainString() + " (we sell USD)", 1);
        // an exponent is read exactly: 1e3 is 1000.00
        String cadOut = new BigDecimal("1000").multiply(cad.buy()).setScale(2, RoundingMode.FLOOR).toPlainString();
        typeAndAwait(calc, "convert 1e3 usd cad", "1000.00 USD -> " + cadOut + " CAD", 1);
        // yen have no minor unit: 100.5 JPY is refused, as are zero and negative amounts
        typeAndAwait(calc, "convert 100.5 JPY USD", "error: amount: JPY has 0 decimals", 1);
        typeAndAwait(calc, "convert -5 USD CAD", "error: amount must be > 0", 1);
        typeAndAwait(calc, "convert 0.00 USD CAD", "error: amount must be > 0", 2);
        typeAndAwait(calc, "convert 1e-3 USD CAD", "error: amount: USD has 2 decimals", 1);
        typeAndAwait(calc, "convert 5 USD USD", "error: ", 5);
        typeAndAwait(calc, "convert 5 USD XYZ", "error: ", 6);

        stdio.type("quit");
        assertThat(calc.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aLockWithMinutesAndItsCancellationAreShownWithTheStoresRoundingOfTheCounterAmount() throws Exception {
        CompletableFuture<Integer> calc = liveCalculator();
        stdio.type("lock usdjpy BUY 12.34 7");
        Pattern locked = Pattern.compile("locked (\\S+): BUY 12.34 USD at (\\S+) = (\\S+) JPY, ACTIVE until ");
        Matcher m = locked.matcher(stdio.awaitOut(o -> locked.matcher(o).find() || calc.isDone(), WAIT, "a lock"));
        assertThat(m.find()).as(stdio.out()).isTrue();
        RateLock lock = engine.findLock(m.group(1)).orElseThrow();
        assertThat(lock.expiresAt()).isEqualTo(lock.createdAt().plus(Duration.ofMinutes(7)));
        assertThat(m.group(2)).isEqualTo(rate(USD_JPY).buy().toPlainString());
        assertThat(m.group(3)).isEqualTo(new BigDecimal("12.34").multiply(lock.rate())
                .setScale(0, RoundingMode.FLOOR).toPlainString());
        typeAndAwait(calc, "cancel " + lock.lockId() + " customer   changed mind", "cancelled " + lock.lockId(), 1);
        typeAndAwait(calc, "lock USD/CAD sell 1000 0", "error: minutes", 1);
        typeAndAwait(calc, "lock USD/CAD sideways 1000", "error: side must be buy or sell", 1);
        typeAndAwait(calc, "lock USD/CAD sell 10.001", "refused: invalid_argument", 1);
        stdio.endInput();
        assertThat(calc.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void hugeNumbersAreRefusedWithOneErrorLineAndTheCalculatorGoesOn() throws Exception {
        CompletableFuture<Integer> calc = liveCalculator();
        typeAndAwait(calc, "convert 1e999999999 USD CAD", "error: ", 1);
        typeAndAwait(calc, "lock USD/CAD sell 10 9223372036854775807", "error: ", 2);
        typeAndAwait(calc, "convert 100 USD CAD", "100.00 USD -> ", 1);
        stdio.type("quit");
        assertThat(calc.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(stdio.err()).doesNotContain("Exception");
    }

    @Test
    void hugeMinuteCountsAreRefusedWithOneErrorLineAndTheDashboardGoesOn() throws Exception {
        CompletableFuture<Integer> dash = runDashboard();
        stdio.awaitOut("connection: CONNECTED");
        typeAndAwait(dash, "override USD/CAD 1.35000 1.37000 999999999999999 promo", "error: ", 1);
        typeAndAwait(dash, "threshold USD/CAD move 1 9223372036854775807", "error: ", 2);
        typeAndAwait(dash, "spread USD/CAD 40 60", "spread on USD/CAD set", 1);
        stdio.endInput();
        assertThat(dash.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(stdio.err()).doesNotContain("Exception");
    }

    @Test
    void dashboardAbsoluteSpreadsExponentsAndARefusedInvertedOverride() throws Exception {
        CompletableFuture<Integer> dash = runDashboard();
        stdio.awaitOut("connection: CONNECTED");
        typeAndAwait(dash, "spread USD/CAD abs 2e-3 0.003", "spread on USD/CAD set: USD/CAD", 1);
        assertThat(rate(USD_CAD).buy()).isEqualByComparingTo("1.35935"); // mid 1.36135 - 0.002
        assertThat(rate(USD_CAD).sell()).isEqualByComparingTo("1.36435");
        stdio.awaitOut("ALERT spread_set");
        // buy above sell would pay customers on a round trip: the hub refuses it, the dashboard says so and goes on
        typeAndAwait(dash, "override USD/CAD 1.37000 1.35000", "refused: invalid_argument", 1);
        typeAndAwait(dash, "spread USD/CAD -10 10", "error: buyMargin", 1);
        typeAndAwait(dash, "clear USD/CAD", "no override on USD/CAD", 1);
        typeAndAwait(dash, "threshold USD/CAD move 0.5 10", "threshold on USD/CAD: MARKET_MOVE 0.5%", 1);
        stdio.type("quit");
        assertThat(dash.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aTooShortRefreshIntervalIsAUsageError() {
        assertThat(RateHubCli.run("calculator", "--refresh-ms", "5", "--uri", server.webSocketUri().toString(),
                "--api-key", TERMINAL_KEY, "--store", "downtown")).isEqualTo(2);
        assertThat(stdio.err()).contains("--refresh-ms must be >= 20");
    }

    @Test
    void aRefusedKeyEndsTheCalculatorWithAFailureStatus() throws Exception {
        CompletableFuture<Integer> calc = run("calculator", "not-a-key-at-all-0123456789");
        stdio.awaitOut("connection: CLOSED");
        stdio.endInput();
        assertThat(calc.get(20, TimeUnit.SECONDS)).isNotZero();
    }
}
