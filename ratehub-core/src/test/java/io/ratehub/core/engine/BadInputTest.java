package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point refuses bad input with a specific exception naming the field and the value, and a
 * refused call changes nothing: market, store rates, overrides, locks, stores, timers, audit trail and events.
 */
class BadInputTest {
    private static final String STORE_2 = "store-2";
    private static final CurrencyPair ZZZ_CAD = new CurrencyPair("ZZZ", "CAD");
    private static final String NULL = "<null>";

    /** What a refusal must look like; {@code field} null when the exception has none. */
    record Case(String name, Consumer<EngineFixture> call, Class<? extends RateHubException> type, ErrorCode code,
                String field, String value) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case invalid(String name, Consumer<EngineFixture> call, String field, String value) {
        return new Case(name, call, ValidationException.class, ErrorCode.INVALID_ARGUMENT, field, value);
    }

    /** Everything a refused call must leave as it was. */
    record Snapshot(List<MarketRate> markets, List<StoreRate> store1, List<StoreRate> store2,
                    Optional<RateOverride> override, Optional<RateLock> lock1, Optional<RateLock> lock2,
                    Set<String> stores, Optional<Instant> nextDeadline, List<AuditEntry> audit) {
        static Snapshot of(EngineFixture f) {
            return new Snapshot(f.engine.marketRates(), f.engine.storeRates(STORE), f.engine.storeRates(STORE_2),
                    f.engine.override(STORE_2, USD_CAD), f.engine.findLock("L-1"), f.engine.findLock("L-2"),
                    f.engine.stores(), f.engine.nextDeadline(), f.auditEntries());
        }
    }

    /**
     * USD/CAD at 1.00000; store-1 on an absolute spread; store-2 on a bps spread with an override and a divergence
     * rule; lock L-1 active (request id req-1), lock L-2 completed by TX-1.
     */
    private static EngineFixture established() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.absolute("0.00333", "0.00333"), OWNER);
        f.engine.setSpread(STORE_2, USD_CAD, SpreadRule.bps("10", "10"), OWNER);
        f.engine.setOverride(OverrideRequest.of(STORE_2, USD_CAD, d("0.99"), d("1.01"), "alice", "promo")
                .during(null, T0.plusSeconds(3600)));
        f.engine.setThreshold(ThresholdRule.overrideDivergence(STORE_2, USD_CAD, BigDecimal.ONE), OWNER);
        f.engine.lock(LockRequest.of(STORE, USD_CAD, Side.SELL, d("100.00"), "till-1").withRequestId("req-1"));
        f.engine.lock(LockRequest.of(STORE, USD_CAD, Side.BUY, d("50.00"), "till-1"));
        f.engine.completeLock("L-2", "TX-1", "till-1");
        f.events.clear();
        return f;
    }

    private static MarketQuote quote(String bid, String ask) {
        return new MarketQuote(USD_CAD, d(bid), d(ask), "feed-a", T0);
    }

    private static OverrideRequest override(String buy, String sell) {
        return OverrideRequest.of(STORE, USD_CAD, d(buy), d(sell), "alice", "promo");
    }

    private static LockRequest lock(String amount) {
        return LockRequest.of(STORE, USD_CAD, Side.SELL, d(amount), "till-1");
    }

    static Stream<Case> cases() {
        return Stream.of(
                // onQuote and the quote itself
                invalid("onQuote(null)", f -> f.engine.onQuote(null), "quote", null),
                invalid("quote bid 0", f -> f.engine.onQuote(quote("0", "1")), "bid", "0"),
                invalid("quote bid negative", f -> f.engine.onQuote(quote("-1.2", "1")), "bid", "-1.2"),
                invalid("quote ask 0", f -> f.engine.onQuote(quote("1", "0.000")), "ask", "0.000"),
                invalid("quote bid > ask", f -> f.engine.onQuote(quote("1.5", "1.4")), "bid", "1.5"),
                invalid("quote ask 1E+50", f -> f.engine.onQuote(quote("1", "1E+50")), "ask", "1E+50"),
                invalid("quote bid scale 20", f -> f.engine.onQuote(quote("1.00000000000000000001", "2")), "bid",
                        "1.00000000000000000001"),
                invalid("quote null source", f -> f.engine.onQuote(new MarketQuote(USD_CAD, d("1"), d("1"), null, T0)),
                        "source", null),
                invalid("quote bad source", f -> f.engine.onQuote(new MarketQuote(USD_CAD, d("1"), d("1"), "a b", T0)),
                        "source", "a b"),
                invalid("quote null time", f -> f.engine.onQuote(new MarketQuote(USD_CAD, d("1"), d("1"), "a", null)),
                        "time", null),
                invalid("quote from the future", f -> f.engine.onQuote(new MarketQuote(USD_CAD, d("1"), d("1"), "a",
                        T0.plusSeconds(60))), "time", T0.plusSeconds(60).toString()),
                new Case("quote unknown pair", f -> f.engine.onQuote(new MarketQuote(ZZZ_CAD, d("1"), d("1"), "a", T0)),
                        ValidationException.class, ErrorCode.UNKNOWN_PAIR, "pair", "ZZZ/CAD"),
                new Case("quote pair parsed ZZZ/CAD", f -> f.engine.onQuote(new MarketQuote(
                        CurrencyPair.parse("ZZZ/CAD"), d("1"), d("1"), "a", T0)),
                        ValidationException.class, ErrorCode.UNKNOWN_PAIR, "pair", "ZZZ/CAD"),

                // setSpread / removeSpread
                invalid("setSpread null store", f -> f.engine.setSpread(null, USD_CAD, SpreadRule.bps("1", "1"), OWNER),
                        "storeId", null),
                invalid("setSpread bad store", f -> f.engine.setSpread("store 1", USD_CAD, SpreadRule.bps("1", "1"),
                        OWNER), "storeId", "store 1"),
                invalid("setSpread null pair", f -> f.engine.setSpread(STORE, null, SpreadRule.bps("1", "1"), OWNER),
                        "pair", null),
                new Case("setSpread unknown pair", f -> f.engine.setSpread(STORE, ZZZ_CAD, SpreadRule.bps("1", "1"),
                        OWNER), ValidationException.class, ErrorCode.UNKNOWN_PAIR, "pair", "ZZZ/CAD"),
                invalid("setSpread null rule", f -> f.engine.setSpread(STORE, USD_CAD, null, OWNER), "rule", null),
                invalid("setSpread blank actor", f -> f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("1", "1"), " "),
                        "actor", " "),
                invalid("spread rule negative", f -> f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("-5", "1"),
                        OWNER), "buyMargin", "-5"),
                invalid("spread rule huge", f -> f.engine.setSpread(STORE, USD_CAD, SpreadRule.absolute("1", "1E+50"),
                        OWNER), "sellMargin", "1E+50"),
                invalid("removeSpread null actor", f -> f.engine.removeSpread(STORE, USD_CAD, null), "actor", null),
                invalid("removeSpread under override", f -> f.engine.removeSpread(STORE_2, USD_CAD, OWNER), "pair",
                        "USD/CAD"),

                // setOverride / clearOverride
                invalid("setOverride(null)", f -> f.engine.setOverride(null), "request", null),
                invalid("override buy = sell", f -> f.engine.setOverride(override("1.01", "1.01")), "buy", "1.01"),
                invalid("override buy > sell", f -> f.engine.setOverride(override("1.02", "1.01")), "buy", "1.02"),
                invalid("override buy 0", f -> f.engine.setOverride(override("0", "1.01")), "buy", "0"),
                invalid("override sell 1E+50", f -> f.engine.setOverride(override("1", "1E+50")), "sell", "1E+50"),
                invalid("override buy scale 20", f -> f.engine.setOverride(override("0.99000000000000000001", "1.01")),
                        "buy", "0.99000000000000000001"),
                invalid("override too many decimals", f -> f.engine.setOverride(override("0.990001", "1.01")), "buy",
                        "0.990001"),
                invalid("override null reason", f -> f.engine.setOverride(new OverrideRequest(STORE, USD_CAD, d("0.99"),
                        d("1.01"), "alice", null, null, null, false)), "reason", null),
                invalid("override ends in the past", f -> f.engine.setOverride(override("0.99", "1.01")
                        .during(T0.minusSeconds(600), T0.minusSeconds(1))), "validUntil",
                        T0.minusSeconds(1).toString()),
                new Case("override unknown pair", f -> f.engine.setOverride(OverrideRequest.of(STORE, ZZZ_CAD, d("0.99"),
                        d("1.01"), "alice", "promo")), ValidationException.class, ErrorCode.UNKNOWN_PAIR, "pair",
                        "ZZZ/CAD"),
                new Case("override too far from market", f -> f.engine.setOverride(override("0.99", "1.20")),
                        ValidationException.class, ErrorCode.OVERRIDE_DEVIATION, "sell", "1.20"),
                new Case("override without spread", f -> f.engine.setOverride(OverrideRequest.of("store-9", USD_CAD,
                        d("0.99"), d("1.01"), "alice", "promo")), RateHubException.class,
                        ErrorCode.UNKNOWN_STORE_RATE, null, null),
                invalid("clearOverride null reason", f -> f.engine.clearOverride(STORE_2, USD_CAD, "alice", null),
                        "reason", null),
                invalid("clearOverride bad store", f -> f.engine.clearOverride("", USD_CAD, "alice", "r"), "storeId",
                        ""),

                // thresholds
                invalid("setThreshold(null)", f -> f.engine.setThreshold(null, OWNER), "rule", null),
                invalid("setThreshold null actor", f -> f.engine.setThreshold(
                        ThresholdRule.overrideDivergence(STORE, USD_CAD, BigDecimal.ONE), null), "actor", null),
                invalid("threshold percent 0", f -> f.engine.setThreshold(
                        ThresholdRule.overrideDivergence(STORE, USD_CAD, BigDecimal.ZERO), OWNER), "percent", "0"),
                new Case("threshold unknown pair", f -> f.engine.setThreshold(
                        ThresholdRule.overrideDivergence(STORE, ZZZ_CAD, BigDecimal.ONE), OWNER),
                        ValidationException.class, ErrorCode.UNKNOWN_PAIR, "pair", "ZZZ/CAD"),
                invalid("removeThreshold null kind", f -> f.engine.removeThreshold(STORE_2, USD_CAD, null, OWNER),
                        "kind", null),

                // locks
                invalid("lock(null)", f -> f.engine.lock(null), "request", null),
                invalid("lock ttl above max", f -> f.engine.lock(lock("1.00").withTtl(Duration.ofMinutes(31))), "ttl",
                        "PT31M"),
                invalid("lock ttl zero", f -> f.engine.lock(lock("1.00").withTtl(Duration.ZERO)), "ttl", "PT0S"),
                invalid("lock amount 0", f -> f.engine.lock(lock("0")), "amount", "0"),
                invalid("lock amount negative", f -> f.engine.lock(lock("-5.00")), "amount", "-5.00"),
                invalid("lock amount 3 decimals", f -> f.engine.lock(lock("1.001")), "amount", "1.001"),
                invalid("lock amount 1E+50", f -> f.engine.lock(lock("1E+50")), "amount", "1E+50"),
                invalid("lock amount scale 20", f -> f.engine.lock(lock("1.00000000000000000001")), "amount",
                        "1.00000000000000000001"),
                invalid("lock null side", f -> f.engine.lock(new LockRequest(STORE, USD_CAD, null, d("1"), null, "t",
                        null)), "side", null),
                invalid("lock bad request id", f -> f.engine.lock(lock("1.00").withRequestId("req 1")), "requestId",
                        "req 1"),
                invalid("lock request id reused", f -> f.engine.lock(lock("999.00").withRequestId("req-1")),
                        "requestId", "req-1"),
                new Case("lock unknown pair", f -> f.engine.lock(LockRequest.of(STORE, ZZZ_CAD, Side.SELL, d("1"), "t")),
                        ValidationException.class, ErrorCode.UNKNOWN_PAIR, "pair", "ZZZ/CAD"),
                new Case("lock store without rate", f -> f.engine.lock(LockRequest.of("store-9", USD_CAD, Side.SELL,
                        d("1"), "t")), RateHubException.class, ErrorCode.UNKNOWN_STORE_RATE, null, null),
                invalid("completeLock null id", f -> f.engine.completeLock(null, "TX-1", "t"), "lockId", null),
                invalid("completeLock bad ref", f -> f.engine.completeLock("L-1", "tx 1", "t"), "transactionRef",
                        "tx 1"),
                invalid("completeLock null actor", f -> f.engine.completeLock("L-1", "TX-1", null), "actor", null),
                new Case("completeLock unknown", f -> f.engine.completeLock("L-404", "TX-1", "t"),
                        LockStateException.class, ErrorCode.LOCK_NOT_FOUND, null, null),
                new Case("completeLock other ref", f -> f.engine.completeLock("L-2", "TX-9", "t"),
                        LockStateException.class, ErrorCode.LOCK_ALREADY_COMPLETED, null, null),
                new Case("cancelLock completed", f -> f.engine.cancelLock("L-2", "t", "r"),
                        LockStateException.class, ErrorCode.LOCK_ALREADY_COMPLETED, null, null),
                invalid("cancelLock null reason", f -> f.engine.cancelLock("L-1", "t", null), "reason", null),

                // reads and listeners
                invalid("marketRate(null)", f -> f.engine.marketRate(null), "pair", null),
                invalid("storeRate(null, pair)", f -> f.engine.storeRate(null, USD_CAD), "storeId", null),
                invalid("storeRate(store, null)", f -> f.engine.storeRate(STORE, null), "pair", null),
                invalid("storeRates(null)", f -> f.engine.storeRates(null), "storeId", null),
                invalid("override(store, null)", f -> f.engine.override(STORE, null), "pair", null),
                invalid("override(null, pair)", f -> f.engine.override(null, USD_CAD), "storeId", null),
                invalid("findLock(null)", f -> f.engine.findLock(null), "lockId", null),
                invalid("addListener(null)", f -> f.engine.addListener(null), "listener", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithANamedFieldAndNothingChanged(Case c) {
        EngineFixture f = established();
        Snapshot before = Snapshot.of(f);

        Throwable t = catchThrowable(() -> c.call().accept(f));

        assertThat(t).as(c.name()).isInstanceOf(c.type());
        RateHubException e = (RateHubException) t;
        assertThat(e.code()).as(c.name()).isEqualTo(c.code());
        if (c.field() != null) {
            ValidationException v = (ValidationException) e;
            assertThat(v.field()).as(c.name()).isEqualTo(c.field());
            assertThat(v.value()).as(c.name()).isEqualTo(c.value());
            assertThat(v.getMessage()).as(c.name()).startsWith(c.field() + ":");
        }
        if (e instanceof LockStateException l) {
            assertThat(l.lockId()).as(c.name()).isNotBlank();
        }
        assertThat(Snapshot.of(f)).as(c.name()).isEqualTo(before);
        assertThat(f.events.all()).as(c.name()).isEmpty();
    }

    @Test
    void refusedCallsLeaveTheEngineFullyWorking() {
        EngineFixture f = established();
        cases().forEach(c -> catchThrowable(() -> c.call().accept(f)));

        RateLock done = f.engine.completeLock("L-1", "TX-2", "till-1");

        assertThat(done.rate()).isEqualTo(d("1.00333"));
        assertThat(f.engine.lock(lock("1.00")).lockId()).isEqualTo("L-3");
        assertThat(f.auditEntries()).extracting(AuditEntry::action).containsExactly("spread.set", "spread.set",
                "override.set", "threshold.set", "lock.created", "lock.created", "lock.completed",
                "lock.completed", "lock.created");
        assertThat(f.audit.verify().valid()).isTrue();
    }

    @Test
    void overrideReadRejectsNullStoreEvenForAnUnseenPair() {
        EngineFixture f = new EngineFixture();

        Throwable t = catchThrowable(() -> f.engine.override(null, EngineFixture.EUR_USD));

        assertThat(t).isInstanceOf(ValidationException.class);
        assertThat(((ValidationException) t).field()).isEqualTo("storeId");
    }
}
