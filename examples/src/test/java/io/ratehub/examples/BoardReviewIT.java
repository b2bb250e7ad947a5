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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Review tests of the live rate board in headless Chromium. A harness script, installed before the page's own
 * script, replaces the page's timers and {@code Date.now} with a clock the test moves by hand (so heartbeat, backoff
 * and override ends run without sleeping) and, with {@code mock=1} in the fragment, replaces {@code WebSocket} with
 * a fake the test drives frame by frame (so recovery cases are exact). The page itself always comes from a real
 * server, with its real CSP header; two tests also use the real WebSocket.
 */
class BoardReviewIT {
    private static final String KEY = "board-review-viewer-key-0123456789";
    private static final String CH = "store:downtown:rates";
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private static final CurrencyPair EUR_USD = CurrencyPair.parse("EUR/USD");

    /** Fake clock and timers, CSP violation and error log, and a scriptable fake WebSocket. */
    private static final String HARNESS = """
            (() => {
              const realNow = Date.now.bind(Date);
              let skew = 0, nextId = 1;
              const timers = new Map();
              const fake = window.__fake = {violations: [], errors: [], sockets: []};
              Date.now = () => realNow() + skew;
              window.setTimeout = (fn, d) => { const id = nextId++;
                timers.set(id, {id, fn, at: Date.now() + Math.max(0, d || 0)}); return id; };
              window.setInterval = (fn, d) => { const id = nextId++;
                timers.set(id, {id, fn, at: Date.now() + d, every: Math.max(1, d)}); return id; };
              window.clearTimeout = window.clearInterval = (id) => { timers.delete(id); };
              fake.advance = (ms) => {
                const target = Date.now() + ms;
                for (;;) {
                  let due = null;
                  for (const t of timers.values()) { if (t.at <= target && (due === null || t.at < due.at)) { due = t; } }
                  if (due === null) { break; }
                  skew += Math.max(0, due.at - Date.now());
                  if (due.every) { due.at += due.every; } else { timers.delete(due.id); }
                  try { due.fn(); } catch (e) { fake.errors.push(String(e)); }
                }
                skew += Math.max(0, target - Date.now());
              };
              document.addEventListener('securitypolicyviolation',
                  (e) => fake.violations.push(e.violatedDirective + ' ' + e.blockedURI));
              window.addEventListener('error', (e) => fake.errors.push(String(e.message)));
              class FakeWebSocket {
                constructor(url) { this.url = url; this.readyState = 0; this.sent = []; this.closeRequested = null;
                  this.onopen = this.onmessage = this.onclose = this.onerror = null; fake.sockets.push(this); }
                send(data) { if (this.readyState !== 1) { throw new DOMException('not open', 'InvalidStateError'); }
                  this.sent.push(JSON.parse(data)); }
                close(code, reason) { if (this.readyState < 2) { this.readyState = 2; this.closeRequested = {code, reason}; } }
                _fire(name, ev) { const h = this['on' + name]; if (!h) { return; }
                  try { h.call(this, ev); } catch (e) { fake.errors.push(String(e)); reportError(e); } }
                _open() { this.readyState = 1; this._fire('open', {}); }
                _recv(frame) { this._fire('message', {data: typeof frame === 'string' ? frame : JSON.stringify(frame)}); }
                _close(code, reason) { this.readyState = 3; this._fire('close', {code, reason: reason || '', wasClean: true}); }
              }
              FakeWebSocket.CONNECTING = 0; FakeWebSocket.OPEN = 1; FakeWebSocket.CLOSING = 2; FakeWebSocket.CLOSED = 3;
              if (new URLSearchParams(location.hash.slice(1)).get('mock') === '1') { window.WebSocket = FakeWebSocket; }
            })();
            """;

    private static ChromeDriver browser;
    private static RateHubServer pages; // serves the board's files to the mock tests
    private static final AtomicInteger loads = new AtomicInteger();

    @TempDir
    static Path profile;

    private RateEngine engine;
    private RateHubServer server;

    @BeforeAll
    static void startBrowser() {
        pages = RateHubServer.builder().port(0).engine(RateEngine.builder().build())
                .authenticator(ApiKeyAuthenticator.builder().key(KEY, Principal.viewer("screen", "downtown")).build())
                .start();
        browser = HeadlessChromium.start(profile);
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", HARNESS));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (pages != null) {
            pages.stop(Duration.ofSeconds(2));
        }
    }

    @BeforeEach
    void blank() {
        browser.get("about:blank");
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    // ------------------------------------------------------------------ page and fake socket helpers

    private void openMock(String store) {
        browser.get(pages.httpUri() + "/board/?load=" + loads.incrementAndGet() + "#store="
                + URLEncoder.encode(store, StandardCharsets.UTF_8) + "&key=" + KEY + "&mock=1");
        assertThat(sockets()).isEqualTo(1);
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private long sockets() {
        return (Long) js("return __fake.sockets.length");
    }

    private void advance(long ms) {
        js("__fake.advance(arguments[0])", ms);
    }

    /** The last fake socket receives a frame (JSON text). */
    private void recv(String frame) {
        js("__fake.sockets[__fake.sockets.length - 1]._recv(arguments[0])", frame);
    }

    private void closeSocket(int code, String reason) {
        js("__fake.sockets[__fake.sockets.length - 1]._close(arguments[0], arguments[1])", code, reason);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> sent() {
        return (List<Map<String, Object>>) js("return __fake.sockets[__fake.sockets.length - 1].sent");
    }

    /** Opens the last fake socket, checks the auth, answers welcome; returns the board's subscribe message. */
    private Map<String, Object> handshake() {
        return handshake(CH);
    }

    private Map<String, Object> handshake(String channel) {
        js("__fake.sockets[__fake.sockets.length - 1]._open()");
        assertThat(sent()).hasSize(1);
        assertThat(sent().get(0)).containsEntry("op", "auth").containsEntry("apiKey", KEY);
        js("__fake.sockets[__fake.sockets.length - 1]._recv({type: 'welcome', id: 'auth', protocol: 1,"
                + " connection: 'c1', principal: {id: 'screen', role: 'VIEWER', stores: ['downtown']},"
                + " time: new Date(Date.now()).toISOString()})");
        Map<String, Object> sub = sent().get(sent().size() - 1);
        assertThat(sub).containsEntry("op", "subscribe").containsEntry("channel", channel);
        return sub;
    }

    private static String subscribed(String recovery, String epoch, long head, int count) {
        return "{\"type\":\"subscribed\",\"id\":\"sub\",\"channel\":\"" + CH + "\",\"kind\":\"STATE\",\"epoch\":\""
                + epoch + "\",\"seq\":" + head + ",\"recovery\":\"" + recovery + "\",\"count\":" + count + "}";
    }

    private static String rateJson(String pair, String buy, String sell, String basis, String validUntil,
                                   boolean stale) {
        return "{\"storeId\":\"downtown\",\"pair\":\"" + pair + "\",\"buy\":\"" + buy + "\",\"sell\":\"" + sell
                + "\",\"mid\":\"1\",\"basis\":\"" + basis + "\",\"asOf\":\"2026-11-22T09:00:00Z\",\"validUntil\":"
                + (validUntil == null ? "null" : "\"" + validUntil + "\"") + ",\"stale\":" + stale + "}";
    }

    private static String update(String epoch, long seq, String pair, String buy, String sell) {
        return updateWith(epoch, seq, pair, rateJson(pair, buy, sell, "MARKET", null, false));
    }

    private static String updateWith(String epoch, long seq, String pair, String rate) {
        return "{\"type\":\"update\",\"channel\":\"" + CH + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + seq
                + ",\"key\":\"" + pair + "\",\"event\":{\"type\":\"rate_update\",\"rate\":" + rate
                + ",\"time\":\"2026-11-22T09:00:00Z\"}}";
    }

    private static String removed(String epoch, long seq, String pair) {
        return "{\"type\":\"update\",\"channel\":\"" + CH + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + seq
                + ",\"key\":\"" + pair + "\",\"removed\":true,\"event\":{\"type\":\"spread_removed\",\"storeId\":"
                + "\"downtown\",\"pair\":\"" + pair + "\",\"actor\":\"owner\",\"time\":\"2026-11-22T09:00:00Z\"}}";
    }

    private static Map<String, Object> position(String epoch, long seq) {
        return Map.of("epoch", epoch, "seq", seq);
    }

    private String cell(String pair, String column) {
        return browser.findElements(By.cssSelector("tr[data-pair='" + pair + "'] td." + column)).stream()
                .map(WebElement::getText).findFirst().orElse("");
    }

    private String live(String pair) {
        return browser.findElement(By.cssSelector("tr[data-pair='" + pair + "']")).getAttribute("data-live");
    }

    private List<String> pairs() {
        return browser.findElements(By.cssSelector("tbody tr")).stream().map(e -> e.getAttribute("data-pair")).toList();
    }

    private String state() {
        return browser.findElement(By.id("status")).getAttribute("data-state");
    }

    private String statusText() {
        return browser.findElement(By.id("status")).getText();
    }

    /** A live board with USD/CAD and EUR/USD from a SNAPSHOT of epoch e1 (head 5). */
    private void liveBoardAtE1Seq5() {
        openMock("downtown");
        assertThat(handshake()).doesNotContainKey("from");
        recv(subscribed("SNAPSHOT", "e1", 5, 2));
        recv(update("e1", 4, "USD/CAD", "1.35000", "1.37000"));
        recv(update("e1", 5, "EUR/USD", "1.08000", "1.09000"));
        assertThat(state()).isEqualTo("live");
        assertThat(pairs()).containsExactly("EUR/USD", "USD/CAD");
        assertThat(live("USD/CAD")).isEqualTo("true");
    }

    // ------------------------------------------------------------------ recovery

    @Test
    void resumesWithADeltaFromItsLastPositionAppliesRemovalsAndFlashes() {
        liveBoardAtE1Seq5();
        recv(update("e1", 7, "USD/CAD", "1.35100", "1.37100"));
        closeSocket(1001, "going away");
        assertThat(state()).isEqualTo("offline");
        assertThat(statusText()).contains("NOT LIVE");
        assertThat(live("USD/CAD")).isEqualTo("false");
        assertThat(cell("USD/CAD", "state")).contains("NOT LIVE");

        advance(10_000); // past any backoff
        assertThat(sockets()).isEqualTo(2);
        assertThat(handshake()).containsEntry("from", position("e1", 7));
        recv(subscribed("DELTA", "e1", 9, 2));
        recv(update("e1", 8, "USD/CAD", "1.35200", "1.37000"));
        assertThat(live("USD/CAD")).as("not live while catching up").isEqualTo("false");
        recv(removed("e1", 9, "EUR/USD"));
        assertThat(state()).isEqualTo("live");
        assertThat(pairs()).containsExactly("USD/CAD");
        assertThat(cell("USD/CAD", "buy")).isEqualTo("1.35200");
        assertThat(browser.findElement(By.cssSelector("tr[data-pair='USD/CAD'] td.buy")).getAttribute("class"))
                .contains("up");
        assertThat(browser.findElement(By.cssSelector("tr[data-pair='USD/CAD'] td.sell")).getAttribute("class"))
                .contains("down");

        closeSocket(4009, "heartbeat");
        advance(10_000);
        assertThat(handshake()).containsEntry("from", position("e1", 9));
    }

    @Test
    void aReconnectDuringCatchUpResumesFromThePositionBeforeTheCatchUp() {
        liveBoardAtE1Seq5();
        closeSocket(4008, "slow consumer");
        advance(10_000);
        assertThat(handshake()).containsEntry("from", position("e1", 5));
        recv(subscribed("DELTA", "e1", 12, 3));
        recv(update("e1", 10, "USD/CAD", "1.35300", "1.37300"));
        closeSocket(1006, ""); // gone after 1 of 3
        assertThat(live("USD/CAD")).isEqualTo("false");
        advance(10_000);
        assertThat(handshake()).containsEntry("from", position("e1", 5));
        recv(subscribed("DELTA", "e1", 12, 3));
        recv(update("e1", 10, "USD/CAD", "1.35300", "1.37300"));
        recv("{\"type\":\"batch\",\"updates\":[" + update("e1", 11, "EUR/USD", "1.08100", "1.09100") + ","
                + update("e1", 12, "GBP/USD", "1.25000", "1.26000") + "," + update("e1", 13, "USD/CAD", "1.35400",
                "1.37400") + "]}"); // the last one is live, after the catch-up
        assertThat(state()).isEqualTo("live");
        assertThat(pairs()).containsExactly("EUR/USD", "GBP/USD", "USD/CAD");
        assertThat(cell("USD/CAD", "buy")).isEqualTo("1.35400");
        closeSocket(1001, "");
        advance(10_000);
        assertThat(handshake()).containsEntry("from", position("e1", 13));
    }

    @Test
    void aResetFromANewEpochDropsKeysTheSnapshotDoesNotHold() {
        liveBoardAtE1Seq5();
        closeSocket(1001, "restart");
        advance(10_000);
        assertThat(handshake()).containsEntry("from", position("e1", 5));
        recv(subscribed("RESET", "e2", 3, 1));
        recv(update("e2", 3, "USD/CAD", "1.34000", "1.36000"));
        assertThat(state()).isEqualTo("live");
        assertThat(pairs()).containsExactly("USD/CAD");
        assertThat(cell("USD/CAD", "buy")).isEqualTo("1.34000");
        closeSocket(1001, "");
        advance(10_000);
        assertThat(handshake()).containsEntry("from", position("e2", 3));
    }

    // ------------------------------------------------------------------ liveness

    @Test
    void anEndedOverrideAndAStaleRateAreShownNotLive() {
        openMock("downtown");
        handshake();
        String until = Instant.ofEpochMilli((Long) js("return Date.now()") + 5_000).toString();
        recv(subscribed("SNAPSHOT", "e1", 2, 2));
        recv(updateWith("e1", 1, "USD/CAD", rateJson("USD/CAD", "1.35000", "1.38000", "OVERRIDE", until, false)));
        recv(update("e1", 2, "EUR/USD", "1.08000", "1.09000"));
        assertThat(live("USD/CAD")).isEqualTo("true");
        advance(4_000);
        recv("{\"type\":\"pong\",\"id\":\"hb\",\"time\":\"2026-11-22T09:00:00Z\"}");
        assertThat(live("USD/CAD")).isEqualTo("true");
        advance(2_000); // the board re-judges every second
        assertThat(live("USD/CAD")).isEqualTo("false");
        assertThat(cell("USD/CAD", "state")).isEqualTo("NOT LIVE: override ended");
        assertThat(live("EUR/USD")).isEqualTo("true");
        recv(updateWith("e1", 3, "EUR/USD", rateJson("EUR/USD", "1.08000", "1.09000", "MARKET", null, true)));
        assertThat(cell("EUR/USD", "state")).isEqualTo("NOT LIVE: stale");
        assertThat(statusText()).isEqualTo("LIVE (2 not live)");
    }

    @Test
    void theHeartbeatPingsAndASilentLinkIsEventuallyReplaced() {
        liveBoardAtE1Seq5();
        for (int i = 0; i < 20; i++) { // a minute of pings, one after 2 s of quiet (judged each second), answered
            advance(3_000);
            assertThat(sent().get(sent().size() - 1)).containsEntry("op", "ping");
            recv("{\"type\":\"pong\",\"id\":\"hb\",\"time\":\"2026-11-22T09:00:00Z\"}");
        }
        assertThat(sockets()).isEqualTo(1);
        assertThat(live("USD/CAD")).isEqualTo("true");
        advance(16_000); // then nothing comes back: the link is replaced after 15 s (DEAD_LINK_MS)
        assertThat(js("return __fake.sockets[0].closeRequested.code")).isEqualTo(4000L);
        assertThat(live("USD/CAD")).isEqualTo("false");
        advance(10_000);
        assertThat(sockets()).isEqualTo(2);
    }

    @Test
    void aSilentLinkStopsShowingRatesLiveWithinTheLivenessBound() {
        liveBoardAtE1Seq5(); // the last frame arrives now
        for (int i = 0; i < 4; i++) {
            advance(1_000);
        }
        assertThat(live("USD/CAD")).as("4 s after the last frame").isEqualTo("true");
        assertThat(sent()).as("a ping after 2 s of quiet").anySatisfy(m -> assertThat(m).containsEntry("op", "ping"));
        advance(1_000);
        advance(1_000);
        assertThat(live("USD/CAD")).as("6 s after the last frame (LIVENESS_MS is 5 s, as the client's)")
                .isEqualTo("false");
        assertThat(cell("USD/CAD", "state")).isEqualTo("NOT LIVE: no traffic");
    }

    // ------------------------------------------------------------------ odd frames, XSS, CSP

    @Test
    void oddFramesAreIgnoredAndNeverCostTheRestOfABatch() {
        liveBoardAtE1Seq5();
        recv("null");
        recv("{\"type\":\"batch\"}");
        recv("{\"type\":\"batch\",\"updates\":[{\"type\":\"update\",\"channel\":\"" + CH + "\",\"epoch\":\"e1\","
                + "\"seq\":6,\"key\":\"USD/CAD\",\"event\":{\"type\":\"rate_update\"}},"
                + update("e1", 7, "EUR/USD", "1.08500", "1.09500") + "]}");
        assertThat(cell("EUR/USD", "buy")).as("the good update after the bad one").isEqualTo("1.08500");
        assertThat((List<?>) js("return __fake.errors")).isEmpty();
    }

    @Test
    void storeNamesServerTextAndPairsAreNeverParsedAsHtml() {
        String evil = "<img src=x onerror=\"__fake.pwned=1\">";
        openMock(evil);
        assertThat(browser.findElement(By.id("store")).getText()).isEqualTo(evil);
        handshake("store:" + evil + ":rates");
        recv("{\"type\":\"error\",\"id\":\"sub\",\"code\":\"forbidden\",\"message\":\"<img src=y onerror="
                + "__fake.pwned=2>\"}");
        assertThat(browser.findElement(By.id("error")).getText()).isEqualTo("forbidden: <img src=y onerror=__fake.pwned=2>");
        // a refused subscription ends the board's attempts (retrying cannot help), showing why as text
        assertThat(state()).isEqualTo("failed");
        assertThat(statusText()).contains("<img src=y");
        closeSocket(4001, "<img src=z onerror=__fake.pwned=3>");
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        assertThat(js("return __fake.pwned")).isNull();
        advance(60_000);
        assertThat(sockets()).as("a refused subscription and 4001 are not retried").isEqualTo(1);
    }

    /** A real hub, a real WebSocket: the page works under its own CSP, and recovers across a hub restart. */
    @Test
    void worksUnderItsCspAndRecoversWithAResetAfterTheHubRestarts() {
        engine = RateEngine.builder().clock(Clock.systemUTC()).build();
        engine.setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("downtown", EUR_USD, SpreadRule.bps("40", "40"), "owner");
        quote(engine, USD_CAD, "1.36120", "1.36140");
        quote(engine, EUR_USD, "1.08000", "1.08020");
        server = start(engine, 0);
        int port = server.port();
        browser.get(server.boardUri("downtown", KEY).toString());
        String buy = engine.storeRate("downtown", USD_CAD).orElseThrow().buy().toPlainString();
        waitUpTo(15).until(d -> state().equals("live") && cell("USD/CAD", "buy").equals(buy)
                && pairs().size() == 2);

        server.stop(Duration.ofSeconds(2));
        server = null;
        waitUpTo(10).until(d -> state().equals("offline"));
        assertThat(live("USD/CAD")).isEqualTo("false");

        // the hub comes back on the same port with a new epoch and without EUR/USD
        RateEngine restarted = RateEngine.builder().clock(Clock.systemUTC()).build();
        restarted.setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        quote(restarted, USD_CAD, "1.37120", "1.37140");
        server = start(restarted, port);
        String newBuy = restarted.storeRate("downtown", USD_CAD).orElseThrow().buy().toPlainString();
        advance(11_000); // the backoff
        waitUpTo(15).until(d -> state().equals("live") && cell("USD/CAD", "buy").equals(newBuy));
        assertThat(pairs()).containsExactly("USD/CAD");
        assertThat(live("USD/CAD")).isEqualTo("true");
        assertThat((List<?>) js("return __fake.violations")).isEmpty();
        assertThat((List<?>) js("return __fake.errors")).isEmpty();
    }

    private static RateHubServer start(RateEngine e, int port) {
        return RateHubServer.builder().port(port).engine(e)
                .authenticator(ApiKeyAuthenticator.builder().key(KEY, Principal.viewer("screen", "downtown")).build())
                .timerInterval(Duration.ofMillis(20)).start();
    }

    private static void quote(RateEngine e, CurrencyPair pair, String bid, String ask) {
        e.onQuote(new MarketQuote(pair, new BigDecimal(bid), new BigDecimal(ask), "feed-a", Instant.now()));
    }

    private WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(50));
        wait.withMessage(() -> "status=" + statusText() + " rows=" + pairs() + " errors=" + js("return __fake.errors"));
        return wait;
    }
}
