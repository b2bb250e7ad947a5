package io.ratehub.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live rate board in a real headless Chromium (Debian's chromium and chromium-driver, installed by
 * {@code scripts/install-test-deps.sh}) against a real server on a free port: it shows a rate, follows an override
 * made through the HTTP API, marks a stale rate not live, and says "NOT LIVE" when the hub goes away.
 */
class RateBoardBrowserIT {
    private static final String VIEWER_KEY = "board-viewer-key-0123456789";
    private static final String MANAGER_KEY = "board-manager-key-0123456789";
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private static final CurrencyPair EUR_USD = CurrencyPair.parse("EUR/USD");

    @TempDir
    Path profile;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-22T09:00:00Z"));
    private RateEngine engine;
    private RateHubServer server;
    private WebDriver browser;

    @BeforeEach
    void start() {
        engine = RateEngine.builder().clock(clock).maxSourceAge(Duration.ofSeconds(5)).build();
        engine.setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("downtown", EUR_USD, SpreadRule.bps("40", "40"), "owner");
        quote(USD_CAD, "1.36120", "1.36140");
        quote(EUR_USD, "1.08000", "1.08020");
        server = RateHubServer.builder().port(0).engine(engine)
                .authenticator(ApiKeyAuthenticator.builder()
                        .key(VIEWER_KEY, Principal.viewer("screen-1", "downtown"))
                        .key(MANAGER_KEY, Principal.manager("owner", "downtown")).build())
                .timerInterval(Duration.ofMillis(20))
                .start();
        browser = HeadlessChromium.start(profile);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private void quote(CurrencyPair pair, String bid, String ask) {
        engine.onQuote(new MarketQuote(pair, new BigDecimal(bid), new BigDecimal(ask), "feed-a", clock.instant()));
    }

    private WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(50));
        wait.withMessage(this::describePage);
        return wait;
    }

    /** What the page shows, for a failed wait's message. */
    private String describePage() {
        try {
            return "status=" + browser.findElement(By.id("status")).getText() + " error="
                    + browser.findElement(By.id("error")).getText() + " rows="
                    + browser.findElements(By.cssSelector("tbody tr")).stream().map(WebElement::getText).toList();
        } catch (RuntimeException e) {
            return "page unreadable: " + e;
        }
    }

    private WebElement row(CurrencyPair pair) {
        return browser.findElement(By.cssSelector("tr[data-pair='" + pair + "']"));
    }

    private String cell(CurrencyPair pair, String column) {
        return browser.findElements(By.cssSelector("tr[data-pair='" + pair + "'] td." + column)).stream()
                .map(WebElement::getText).findFirst().orElse("");
    }

    private String status() {
        return browser.findElement(By.id("status")).getAttribute("data-state");
    }

    @Test
    void showsLiveRatesFollowsAnOverrideMarksStaleRatesAndGoesNotLiveWhenTheHubStops() throws Exception {
        browser.get(server.boardUri("downtown", VIEWER_KEY).toString());

        // the snapshot: both of the store's rates, live, exactly as the engine priced them
        String buy = engine.storeRate("downtown", USD_CAD).orElseThrow().buy().toPlainString();
        waitUpTo(20).until(d -> cell(USD_CAD, "buy").equals(buy) && status().equals("live"));
        assertThat(cell(EUR_USD, "sell")).isEqualTo(engine.storeRate("downtown", EUR_USD).orElseThrow().sell()
                .toPlainString());
        assertThat(row(USD_CAD).getAttribute("data-live")).isEqualTo("true");
        assertThat(cell(USD_CAD, "basis")).isEqualTo("MARKET");

        // a market move arrives live, and the cell says which way it went
        quote(USD_CAD, "1.36520", "1.36540");
        String movedBuy = engine.storeRate("downtown", USD_CAD).orElseThrow().buy().toPlainString();
        waitUpTo(10).until(d -> cell(USD_CAD, "buy").equals(movedBuy));
        assertThat(browser.findElement(By.cssSelector("tr[data-pair='USD/CAD'] td.buy")).getAttribute("class"))
                .contains("up");

        // the owner overrides the rate through the HTTP API; the board follows
        HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(server.httpUri() + "/api/set_override"))
                .header("X-Api-Key", MANAGER_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"storeId\":\"downtown\",\"pair\":\"USD/CAD\","
                        + "\"buy\":\"1.35000\",\"sell\":\"1.38000\",\"reason\":\"board test\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        waitUpTo(10).until(d -> cell(USD_CAD, "buy").equals("1.35000") && cell(USD_CAD, "sell").equals("1.38000")
                && cell(USD_CAD, "basis").equals("OVERRIDE"));

        // EUR/USD's only source goes quiet: the hub marks it stale and the board stops showing it as live
        clock.advance(Duration.ofSeconds(6));
        quote(USD_CAD, "1.36520", "1.36540"); // USD/CAD stays fresh
        waitUpTo(10).until(d -> "false".equals(row(EUR_USD).getAttribute("data-live")));
        assertThat(cell(EUR_USD, "state")).contains("NOT LIVE");
        assertThat(row(USD_CAD).getAttribute("data-live")).isEqualTo("true");

        // the hub goes away: the whole board says so
        server.stop(Duration.ofSeconds(2));
        server = null;
        waitUpTo(10).until(d -> !status().equals("live"));
        assertThat(browser.findElement(By.id("status")).getText()).contains("NOT LIVE");
        assertThat(row(USD_CAD).getAttribute("data-live")).isEqualTo("false");
    }

    @Test
    void aWrongKeyIsShownAndNotRetried() {
        browser.get(server.boardUri("downtown", "not-a-key-at-all-0123").toString());
        waitUpTo(20).until(d -> status().equals("failed"));
        assertThat(browser.findElement(By.id("status")).getText()).contains("NOT LIVE");
        assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
    }
}
