package io.ratehub.core.engine;

import io.ratehub.core.MutableClock;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * An engine on a {@link MutableClock} with an in-memory audit log, an {@link EventRecorder} and predictable lock
 * ids ({@code L-1}, {@code L-2}, ...). Time moves only through {@link #advance(Duration)} and friends.
 */
final class EngineFixture {
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    static final CurrencyPair EUR_USD = new CurrencyPair("EUR", "USD");
    static final CurrencyPair USD_JPY = new CurrencyPair("USD", "JPY");
    static final CurrencyPair BTC_USD = new CurrencyPair("BTC", "USD");
    static final CurrencyPair GBP_USD = new CurrencyPair("GBP", "USD");
    static final String STORE = "store-1";
    static final String OWNER = "owner";

    final MutableClock clock = MutableClock.at(T0);
    final AuditLog audit;
    final EventRecorder events = new EventRecorder();
    final AtomicInteger lockSeq = new AtomicInteger();
    final RateEngine engine;

    EngineFixture() {
        this(b -> { });
    }

    EngineFixture(Consumer<RateEngine.Builder> config) {
        this(AuditLog.inMemory(), config);
    }

    EngineFixture(AuditLog audit, Consumer<RateEngine.Builder> config) {
        this.audit = audit;
        RateEngine.Builder b = RateEngine.builder()
                .clock(clock)
                .auditLog(audit)
                .lockIds(() -> "L-" + lockSeq.incrementAndGet());
        config.accept(b);
        engine = b.build();
        engine.addListener(events);
    }

    static BigDecimal d(String text) {
        return new BigDecimal(text);
    }

    Instant now() {
        return clock.instant();
    }

    MarketQuote quote(CurrencyPair pair, String source, String bid, String ask) {
        return new MarketQuote(pair, d(bid), d(ask), source, now());
    }

    /** A quote from {@code source}, dated now. */
    TickOutcome tick(CurrencyPair pair, String source, String bid, String ask) {
        return engine.onQuote(quote(pair, source, bid, ask));
    }

    /** A quote with bid = ask = {@code mid}, dated now. */
    TickOutcome tickMid(CurrencyPair pair, String source, String mid) {
        return tick(pair, source, mid, mid);
    }

    TickOutcome tickAt(CurrencyPair pair, String source, String bid, String ask, Instant time) {
        return engine.onQuote(new MarketQuote(pair, d(bid), d(ask), source, time));
    }

    /** Moves the clock and runs what became due. */
    int advance(Duration amount) {
        clock.advance(amount);
        return engine.runDueTimers();
    }

    int advanceSeconds(long seconds) {
        return advance(Duration.ofSeconds(seconds));
    }

    MarketRate market(CurrencyPair pair) {
        return engine.marketRate(pair).orElseThrow(() -> new AssertionError("no market rate for " + pair));
    }

    StoreRate storeRate(String storeId, CurrencyPair pair) {
        return engine.storeRate(storeId, pair)
                .orElseThrow(() -> new AssertionError("no store rate for " + storeId + " " + pair));
    }

    /** A live USD/CAD market at mid 1.36130 (bid 1.36120, ask 1.36140) and a 50/50 bps spread at {@link #STORE}. */
    EngineFixture withUsdCadMarket() {
        tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);
        return this;
    }

    List<AuditEntry> auditEntries() {
        return audit.query(AuditQuery.all());
    }

    List<String> auditActions() {
        return auditEntries().stream().map(AuditEntry::action).collect(Collectors.toList());
    }

    List<AuditEntry> auditEntries(String action) {
        return auditEntries().stream().filter(e -> e.action().equals(action)).collect(Collectors.toList());
    }
}
