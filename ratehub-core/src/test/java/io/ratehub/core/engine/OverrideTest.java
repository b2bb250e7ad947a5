package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.USD_JPY;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;
import io.ratehub.core.StaleRateException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverrideTest {
    private static final Instant IN_1H = T0.plusSeconds(3600);
    private static final Instant IN_2H = T0.plusSeconds(7200);

    /** USD/CAD at mid 1.00000 and a 50/50 bps spread: the store buys at 0.99500 and sells at 1.00500. */
    private static EngineFixture market() {
        return market(new EngineFixture());
    }

    private static EngineFixture market(EngineFixture f) {
        f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);
        f.events.clear();
        return f;
    }

    private static OverrideRequest request(String buy, String sell) {
        return OverrideRequest.of(STORE, USD_CAD, d(buy), d(sell), "alice", "promo");
    }

    /** Keeps the market live at the current time, then runs what is due. */
    private static void tickAndRunTimers(EngineFixture f) {
        f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        f.engine.runDueTimers();
    }

    @Test
    void overrideReplacesMarketPricingForItsDefaultWindow() {
        EngineFixture f = market();

        RateOverride o = f.engine.setOverride(request("0.99", "1.01"));

        assertThat(o.storeId()).isEqualTo(STORE);
        assertThat(o.buy()).isEqualByComparingTo("0.99");
        assertThat(o.sell()).isEqualByComparingTo("1.01");
        assertThat(o.actor()).isEqualTo("alice");
        assertThat(o.reason()).isEqualTo("promo");
        assertThat(o.validFrom()).isEqualTo(T0);
        assertThat(o.validUntil()).isEqualTo(T0.plus(Duration.ofHours(8)));
        assertThat(o.forced()).isFalse();
        assertThat(f.engine.override(STORE, USD_CAD)).contains(o);

        StoreRate r = f.storeRate(STORE, USD_CAD);
        assertThat(r.basis()).isEqualTo(RateBasis.OVERRIDE);
        assertThat(r.buy()).isEqualByComparingTo("0.99");
        assertThat(r.sell()).isEqualByComparingTo("1.01");
        assertThat(r.mid()).isEqualByComparingTo("1.00");
        assertThat(r.validUntil()).isEqualTo(o.validUntil());
        assertThat(r.isLiveAt(f.now())).isTrue();

        assertThat(f.events.types()).containsExactly("rate_override_set", "rate_update");
        assertThat(f.events.of(RateEvent.OverrideSet.class).get(0).override()).isEqualTo(o);
        AuditEntry e = f.auditEntries("override.set").get(0);
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(e.reason()).isEqualTo("promo");
        assertThat(e.storeId()).isEqualTo(STORE);
        assertThat(e.pair()).isEqualTo("USD/CAD");
        assertThat(e.before()).isEmpty();
        assertThat(e.after()).containsEntry("buy", "0.99").containsEntry("sell", "1.01")
                .containsEntry("validFrom", T0.toString()).containsEntry("validUntil", o.validUntil().toString())
                .containsEntry("forced", "false").containsEntry("setBy", "alice");
    }

    @Test
    void buyMustBeBelowSellAndARefusalChangesNothing() {
        EngineFixture f = market();
        StoreRate before = f.storeRate(STORE, USD_CAD);
        int audit = f.auditEntries().size();

        for (String[] prices : new String[][] {{"1.01", "1.01"}, {"1.01", "0.99"}}) {
            ValidationException e = catchThrowableOfType(ValidationException.class,
                    () -> f.engine.setOverride(request(prices[0], prices[1])));
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.field()).isEqualTo("buy");
            assertThat(e.value()).isEqualTo(prices[0]);
        }

        assertThat(f.storeRate(STORE, USD_CAD)).isEqualTo(before);
        assertThat(f.engine.override(STORE, USD_CAD)).isEmpty();
        assertThat(f.auditEntries()).hasSize(audit);
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void pricesMustBeWithinTheMaximumDeviationUnlessForced() {
        EngineFixture f = market();

        ValidationException sell = catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.95000", "1.05001")));
        ValidationException buy = catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.94999", "1.05000")));

        assertThat(sell.code()).isEqualTo(ErrorCode.OVERRIDE_DEVIATION);
        assertThat(sell.field()).isEqualTo("sell");
        assertThat(sell.value()).isEqualTo("1.05001");
        assertThat(buy.code()).isEqualTo(ErrorCode.OVERRIDE_DEVIATION);
        assertThat(buy.field()).isEqualTo("buy");
        assertThat(f.engine.override(STORE, USD_CAD)).isEmpty();
        assertThat(f.auditEntries("override.set")).isEmpty();

        RateOverride atLimit = f.engine.setOverride(request("0.95000", "1.05000"));
        assertThat(atLimit.forced()).isFalse();

        RateOverride forced = f.engine.setOverride(request("0.50", "2.00").forced());
        assertThat(forced.forced()).isTrue();
        assertThat(f.storeRate(STORE, USD_CAD).sell()).isEqualByComparingTo("2.00");
        assertThat(f.auditEntries("override.set")).hasSize(2);
        assertThat(f.auditEntries("override.set").get(1).after()).containsEntry("forced", "true");
    }

    @Test
    void maximumDeviationIsConfigurable() {
        EngineFixture f = market(new EngineFixture(b -> b.maxOverrideDeviationPercent(BigDecimal.ONE)));

        assertThat(catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.98", "1.01"))).field()).isEqualTo("buy");
        assertThat(f.engine.setOverride(request("0.99", "1.01")).buy()).isEqualByComparingTo("0.99");
    }

    @Test
    void storeMustQuoteThePairBeforeAnOverride() {
        EngineFixture f = market();
        int audit = f.auditEntries().size();

        RateHubException e = catchThrowableOfType(RateHubException.class, () -> f.engine.setOverride(
                OverrideRequest.of("store-9", USD_CAD, d("0.99"), d("1.01"), "alice", "promo")));

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_STORE_RATE);
        assertThat(e.getMessage()).contains("store-9");
        assertThat(f.engine.override("store-9", USD_CAD)).isEmpty();
        assertThat(f.engine.storeRate("store-9", USD_CAD)).isEmpty();
        assertThat(f.auditEntries()).hasSize(audit);
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void pricesMayNotHaveMoreDecimalsThanThePair() {
        EngineFixture f = market();
        f.tick(USD_JPY, "feed-a", "151.230", "151.240");
        f.engine.setSpread(STORE, USD_JPY, SpreadRule.bps("10", "10"), OWNER);

        ValidationException cad = catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.990001", "1.01")));
        ValidationException jpy = catchThrowableOfType(ValidationException.class, () -> f.engine.setOverride(
                OverrideRequest.of(STORE, USD_JPY, d("151.0001"), d("151.5"), "alice", "promo")));

        assertThat(cad.field()).isEqualTo("buy");
        assertThat(cad.value()).isEqualTo("0.990001");
        assertThat(jpy.field()).isEqualTo("buy");
        assertThat(f.auditEntries("override.set")).isEmpty();
        assertThat(f.engine.setOverride(request("0.9900000", "1.0100000")).buy())
                .as("trailing zeros are not extra decimals").isEqualByComparingTo("0.99");
    }

    @Test
    void withoutALiveMarketAnOverrideMustBeForced() {
        EngineFixture f = market();
        f.advanceSeconds(10);
        assertThat(f.market(USD_CAD).stale()).isTrue();

        StaleRateException e = catchThrowableOfType(StaleRateException.class,
                () -> f.engine.setOverride(request("0.99", "1.01")));

        assertThat(e.code()).isEqualTo(ErrorCode.STALE_RATE);
        assertThat(f.auditEntries("override.set")).isEmpty();
        RateOverride forced = f.engine.setOverride(request("0.99", "1.01").forced());
        assertThat(forced.forced()).isTrue();
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.OVERRIDE);
        assertThat(f.storeRate(STORE, USD_CAD).isLiveAt(f.now())).isTrue();
    }

    @Test
    void expiryReturnsTheStoreToMarketPricingWithAnEventAndAnAuditEntry() {
        EngineFixture f = market();
        RateOverride o = f.engine.setOverride(request("0.99", "1.01").during(null, IN_1H));

        f.clock.set(IN_1H.minusMillis(1));
        tickAndRunTimers(f);
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.OVERRIDE);
        f.events.clear();

        f.clock.set(IN_1H);
        f.engine.runDueTimers();

        assertThat(f.events.types()).containsExactly("rate_override_expired", "rate_update");
        RateEvent.OverrideExpired expired = f.events.of(RateEvent.OverrideExpired.class).get(0);
        assertThat(expired.override()).isEqualTo(o);
        assertThat(expired.time()).isEqualTo(IN_1H);
        StoreRate r = f.storeRate(STORE, USD_CAD);
        assertThat(r.basis()).isEqualTo(RateBasis.MARKET);
        assertThat(r.buy()).isEqualTo(d("0.99500"));
        assertThat(r.sell()).isEqualTo(d("1.00500"));
        assertThat(r.validUntil()).isNull();
        assertThat(f.engine.override(STORE, USD_CAD)).isEmpty();
        AuditEntry e = f.auditEntries("override.expired").get(0);
        assertThat(e.actor()).isEqualTo("system");
        assertThat(e.time()).isEqualTo(IN_1H);
        assertThat(e.storeId()).isEqualTo(STORE);
        assertThat(e.before()).containsEntry("buy", "0.99").containsEntry("sell", "1.01");
        assertThat(e.after()).isEmpty();
        assertThat(f.auditActions()).containsExactly("spread.set", "override.set", "override.expired");

        f.advance(Duration.ofHours(10));
        assertThat(f.events.of(RateEvent.OverrideExpired.class)).as("expires once").hasSize(1);
    }

    @Test
    void clearEndsTheOverrideAtOnceAndItsTimerLaterDoesNothing() {
        EngineFixture f = market();
        RateOverride o = f.engine.setOverride(request("0.99", "1.01").during(null, IN_1H));
        f.events.clear();

        assertThat(f.engine.clearOverride(STORE, USD_CAD, "bob", "promo over")).isTrue();

        assertThat(f.events.types()).containsExactly("rate_override_cleared", "rate_update");
        RateEvent.OverrideCleared cleared = f.events.of(RateEvent.OverrideCleared.class).get(0);
        assertThat(cleared.override()).isEqualTo(o);
        assertThat(cleared.actor()).isEqualTo("bob");
        assertThat(cleared.reason()).isEqualTo("promo over");
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.MARKET);
        assertThat(f.engine.override(STORE, USD_CAD)).isEmpty();
        AuditEntry e = f.auditEntries("override.cleared").get(0);
        assertThat(e.actor()).isEqualTo("bob");
        assertThat(e.reason()).isEqualTo("promo over");
        assertThat(e.before()).containsEntry("buy", "0.99");

        assertThat(f.engine.clearOverride(STORE, USD_CAD, "bob", "again")).isFalse();
        f.clock.set(IN_1H);
        tickAndRunTimers(f);
        assertThat(f.events.of(RateEvent.OverrideExpired.class)).isEmpty();
        assertThat(f.auditActions()).containsExactly("spread.set", "override.set", "override.cleared");
    }

    @Test
    void pendingOverrideStartsAtItsValidFrom() {
        EngineFixture f = market();
        Instant from = T0.plus(Duration.ofMinutes(10));

        RateOverride o = f.engine.setOverride(request("0.99", "1.01").during(from, IN_1H));

        assertThat(o.validFrom()).isEqualTo(from);
        assertThat(f.engine.override(STORE, USD_CAD)).contains(o);
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.MARKET);
        assertThat(f.events.types()).containsExactly("rate_override_set");

        f.clock.set(from.minusMillis(1));
        tickAndRunTimers(f);
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.MARKET);
        f.events.clear();

        f.clock.set(from);
        f.engine.runDueTimers();

        StoreRate r = f.storeRate(STORE, USD_CAD);
        assertThat(r.basis()).isEqualTo(RateBasis.OVERRIDE);
        assertThat(r.buy()).isEqualByComparingTo("0.99");
        assertThat(r.asOf()).isEqualTo(from);
        assertThat(f.events.of(RateEvent.StoreRateUpdated.class)).singleElement()
                .satisfies(u -> assertThat(u.rate().basis()).isEqualTo(RateBasis.OVERRIDE));

        f.clock.set(IN_1H.minusSeconds(1));
        tickAndRunTimers(f);
        f.clock.set(IN_1H);
        f.engine.runDueTimers();
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.MARKET);
        assertThat(f.auditEntries("override.expired")).hasSize(1);
    }

    @Test
    void newOverrideReplacesTheOldOneAndOnlyTheNewOneExpires() {
        EngineFixture f = market();
        RateOverride first = f.engine.setOverride(request("0.99", "1.01").during(null, IN_1H));
        RateOverride second = f.engine.setOverride(request("0.98", "1.02").during(null, IN_2H));

        List<AuditEntry> sets = f.auditEntries("override.set");
        assertThat(sets).hasSize(2);
        assertThat(sets.get(1).before()).containsEntry("buy", "0.99").containsEntry("validUntil", IN_1H.toString());
        assertThat(sets.get(1).after()).containsEntry("buy", "0.98");
        assertThat(f.engine.override(STORE, USD_CAD)).contains(second);
        assertThat(f.storeRate(STORE, USD_CAD).buy()).isEqualByComparingTo("0.98");

        f.clock.set(IN_1H);
        tickAndRunTimers(f);
        assertThat(f.events.of(RateEvent.OverrideExpired.class)).as("the replaced override's end").isEmpty();
        assertThat(f.storeRate(STORE, USD_CAD).buy()).isEqualByComparingTo("0.98");
        assertThat(f.storeRate(STORE, USD_CAD).validUntil()).isEqualTo(IN_2H);

        f.clock.set(IN_2H);
        tickAndRunTimers(f);
        assertThat(f.events.of(RateEvent.OverrideExpired.class)).singleElement()
                .satisfies(e -> assertThat(e.override()).isEqualTo(second).isNotEqualTo(first));
        assertThat(f.storeRate(STORE, USD_CAD).basis()).isEqualTo(RateBasis.MARKET);
    }

    @Test
    void windowMustEndInTheFutureAndNotExceedTheMaximum() {
        EngineFixture f = market();

        ValidationException past = catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.99", "1.01").during(T0.minusSeconds(60), T0)));
        ValidationException tooLong = catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.99", "1.01").during(null, T0.plus(Duration.ofDays(31))
                        .plusSeconds(1))));
        ValidationException reversed = catchThrowableOfType(ValidationException.class,
                () -> f.engine.setOverride(request("0.99", "1.01").during(IN_2H, IN_1H)));

        assertThat(past.field()).isEqualTo("validUntil");
        assertThat(tooLong.field()).isEqualTo("validUntil");
        assertThat(reversed.field()).isEqualTo("validUntil");
        assertThat(f.auditEntries("override.set")).isEmpty();
        assertThat(f.engine.setOverride(request("0.99", "1.01").during(null, T0.plus(Duration.ofDays(31))))
                .validUntil()).isEqualTo(T0.plus(Duration.ofDays(31)));
    }

    @Test
    void spreadCannotBeRemovedUnderAnOverride() {
        EngineFixture f = market();
        f.engine.setOverride(request("0.99", "1.01"));

        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> f.engine.removeSpread(STORE, USD_CAD, OWNER));

        assertThat(e.field()).isEqualTo("pair");
        assertThat(f.auditEntries("spread.removed")).isEmpty();
        f.engine.clearOverride(STORE, USD_CAD, OWNER, "done");
        assertThat(f.engine.removeSpread(STORE, USD_CAD, OWNER)).isTrue();
    }

    @Test
    void overrideThatCannotBeAuditedIsNotMade() {
        SwitchableAuditLog audit = new SwitchableAuditLog();
        EngineFixture f = market(new EngineFixture(audit, b -> { }));
        StoreRate before = f.storeRate(STORE, USD_CAD);
        audit.failAppends(true);

        AuditException e = catchThrowableOfType(AuditException.class,
                () -> f.engine.setOverride(request("0.99", "1.01")));

        assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_FAILURE);
        assertThat(f.engine.override(STORE, USD_CAD)).isEmpty();
        assertThat(f.storeRate(STORE, USD_CAD)).isEqualTo(before);
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void expiryThatCannotBeAuditedIsRetriedUntilItIsRecorded() {
        SwitchableAuditLog audit = new SwitchableAuditLog();
        EngineFixture f = market(new EngineFixture(audit, b -> { }));
        RateOverride o = f.engine.setOverride(request("0.99", "1.01").during(null, IN_1H));
        f.clock.set(IN_1H.minusMillis(1));
        tickAndRunTimers(f);
        f.events.clear();
        audit.failAppends(true);

        f.clock.set(IN_1H);
        f.engine.runDueTimers();

        assertThat(f.events.of(RateEvent.OverrideExpired.class)).isEmpty();
        assertThat(f.engine.override(STORE, USD_CAD)).contains(o);
        assertThat(f.storeRate(STORE, USD_CAD).isLiveAt(f.now())).as("past its end it is not quotable").isFalse();

        audit.failAppends(false);
        f.advanceSeconds(1);

        assertThat(f.events.of(RateEvent.OverrideExpired.class)).hasSize(1);
        assertThat(f.auditEntries("override.expired")).hasSize(1);
        assertThat(f.engine.override(STORE, USD_CAD)).isEmpty();
    }
}
