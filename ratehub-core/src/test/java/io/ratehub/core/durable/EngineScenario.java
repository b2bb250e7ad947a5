package io.ratehub.core.durable;

import io.ratehub.core.MutableClock;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.engine.OverrideRequest;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real engine on a virtual clock and an in-memory audit log, driven through every kind of decision the engine
 * audits (as {@code engine/EngineFixture} does for the engine's own tests, which it cannot reach from here).
 */
final class EngineScenario {
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    static final CurrencyPair EUR_USD = new CurrencyPair("EUR", "USD");
    static final Duration RETENTION = Duration.ofHours(1);
    static final List<String> STORES = List.of("s1", "s2", "s3");
    static final List<CurrencyPair> PAIRS = List.of(USD_CAD, EUR_USD);

    final MutableClock clock = MutableClock.at(T0);
    final AuditLog audit = AuditLog.inMemory();
    final List<RateEvent> events = new CopyOnWriteArrayList<>();
    final List<String> lockIds = new ArrayList<>();
    final List<LockRequest> lockRequests = new ArrayList<>();
    private final AtomicInteger lockSeq = new AtomicInteger();
    final RateEngine engine = RateEngine.builder()
            .clock(clock)
            .auditLog(audit)
            .lockRetention(RETENTION)
            .lockIds(() -> "L-" + lockSeq.incrementAndGet())
            .build();

    EngineScenario() {
        engine.addListener(events::add);
        tick();
    }

    static BigDecimal d(String text) {
        return new BigDecimal(text);
    }

    /** Fresh quotes on every pair at unchanged mids. */
    void tick() {
        engine.onQuote(new MarketQuote(USD_CAD, d("1.36120"), d("1.36140"), "feed-a", clock.instant()));
        engine.onQuote(new MarketQuote(EUR_USD, d("1.08000"), d("1.08020"), "feed-a", clock.instant()));
    }

    /** Moves the clock, keeps the market live and runs what is due. */
    void advance(Duration d) {
        clock.advance(d);
        tick();
        engine.runDueTimers();
    }

    RateLock lock(LockRequest r) {
        RateLock l = engine.lock(r);
        lockIds.add(l.lockId());
        lockRequests.add(r);
        return l;
    }

    List<AuditEntry> entries() {
        return audit.query(AuditQuery.all());
    }

    /**
     * Every kind of decision, ending at T0+75m with: spreads at s1 (both pairs) and s3; an override in force at s1
     * USD/CAD and one pending at s3; rules at s1 and s3; L-1..L-3 finished more than the retention ago (forgotten),
     * L-4 expired and L-5 completed within it, L-6 active.
     */
    EngineScenario runEverything() {
        engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("s1", EUR_USD, SpreadRule.absolute("0.0010", "0.0012").withMarginBounds(d("0.0005"),
                d("0.0100")), "owner");
        engine.setSpread("s2", USD_CAD, SpreadRule.bps("30", "30"), "owner");
        engine.setSpread("s3", EUR_USD, SpreadRule.bps("20", "25"), "owner");
        advance(Duration.ofSeconds(1));
        engine.setSpread("s1", USD_CAD, SpreadRule.bps("40", "45"), "alice");
        engine.removeSpread("s2", USD_CAD, "owner");

        engine.setOverride(OverrideRequest.of("s1", USD_CAD, d("1.35500"), d("1.36800"), "alice", "promo"));
        engine.setOverride(OverrideRequest.of("s1", EUR_USD, d("0.90000"), d("1.20000"), "alice", "test rates")
                .during(clock.instant(), clock.instant().plus(Duration.ofMinutes(10))).forced());
        engine.setOverride(OverrideRequest.of("s3", EUR_USD, d("1.07500"), d("1.08500"), "bob", "wrong"));
        engine.clearOverride("s3", EUR_USD, "bob", "mistake");
        engine.setOverride(OverrideRequest.of("s3", EUR_USD, d("1.07600"), d("1.08400"), "bob", "weekend")
                .during(clock.instant().plus(Duration.ofHours(2)), clock.instant().plus(Duration.ofHours(3))));

        engine.setThreshold(ThresholdRule.marketMove("s1", USD_CAD, d("1.5"), Duration.ofMinutes(10)), "owner");
        engine.setThreshold(ThresholdRule.overrideDivergence("s1", USD_CAD, d("3")), "owner");
        engine.setThreshold(ThresholdRule.overrideDivergence("s3", EUR_USD, d("2")), "owner");
        engine.removeThreshold("s1", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE, "owner");
        engine.setThreshold(new ThresholdRule("s3", EUR_USD, ThresholdRule.Kind.MARKET_MOVE, d("2.5"), d("1.25"),
                Duration.ofMinutes(5)), "owner");

        RateLock l1 = lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("100.00"), "till-1")
                .withRequestId("r-1").withTtl(Duration.ofMinutes(10)));
        RateLock l2 = lock(LockRequest.of("s1", EUR_USD, Side.BUY, d("250.00"), "till-2"));
        lock(LockRequest.of("s3", EUR_USD, Side.SELL, d("10.00"), "till-3").withRequestId("r-3"));
        lock(LockRequest.of("s1", USD_CAD, Side.BUY, d("5.00"), "till-1").withRequestId("r-4")
                .withTtl(Duration.ofMinutes(30)));
        advance(Duration.ofSeconds(1));
        engine.completeLock(l1.lockId(), "tx-1", "till-1");
        engine.cancelLock(l2.lockId(), "till-2", "customer left");

        advance(Duration.ofMinutes(11)); // the forced EUR/USD override ends, L-3 expires
        advance(Duration.ofMinutes(20)); // L-4 expires
        advance(Duration.ofMinutes(33)); // T0+65m
        RateLock l5 = lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("20.00"), "till-1").withRequestId("r-5"));
        engine.completeLock(l5.lockId(), "tx-5", "till-1");
        advance(Duration.ofMinutes(7));
        lock(LockRequest.of("s3", EUR_USD, Side.BUY, d("30.00"), "till-3").withRequestId("r-6"));
        advance(Duration.ofMinutes(3)); // T0+75m: L-1..L-3 are forgotten
        engine.setSpread("s3", EUR_USD, SpreadRule.bps("21", "25"), "owner");
        return this;
    }
}
