package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.StaleRateException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StalenessTest {

    /** feed-a at T0 and feed-b at T0+3s, both at 1.36120 / 1.36140, and a 50/50 bps spread at the store. */
    private static EngineFixture twoSources() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);
        f.clock.advanceSeconds(3);
        f.tick(USD_CAD, "feed-b", "1.36120", "1.36140");
        f.events.clear();
        return f;
    }

    @Test
    void sourceIsStaleExactlyAtMaxAgeAndDroppedFromTheMarket() {
        EngineFixture f = twoSources();
        assertThat(f.engine.nextDeadline()).contains(T0.plusSeconds(10));

        f.clock.set(T0.plusSeconds(10).minusMillis(1));
        assertThat(f.engine.runDueTimers()).isZero();
        assertThat(f.events.all()).isEmpty();
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b");

        f.clock.set(T0.plusSeconds(10));
        assertThat(f.engine.runDueTimers()).isPositive();

        assertThat(f.events.types()).containsExactly("source_stale", "market_data_update");
        RateEvent.SourceStale stale = f.events.of(RateEvent.SourceStale.class).get(0);
        assertThat(stale.source()).isEqualTo("feed-a");
        assertThat(stale.pair()).isEqualTo(USD_CAD);
        assertThat(stale.lastQuoteTime()).isEqualTo(T0);
        assertThat(stale.time()).isEqualTo(T0.plusSeconds(10));
        MarketRate m = f.market(USD_CAD);
        assertThat(m.stale()).isFalse();
        assertThat(m.sources()).containsExactly("feed-b");
        assertThat(f.storeRate(STORE, USD_CAD).stale()).isFalse();
    }

    @Test
    void pairGoesStaleWhenNoSourceIsFreshAndStoreRatesAreFlagged() {
        EngineFixture f = twoSources();
        StoreRate liveRate = f.storeRate(STORE, USD_CAD);
        f.advanceSeconds(7); // T0+10: feed-a stale
        f.events.clear();

        f.advanceSeconds(3); // T0+13: feed-b stale too

        assertThat(f.events.types()).containsExactly("source_stale", "pair_stale", "market_data_update", "rate_update");
        RateEvent.PairStale pairStale = f.events.of(RateEvent.PairStale.class).get(0);
        assertThat(pairStale.pair()).isEqualTo(USD_CAD);
        assertThat(pairStale.lastRate().stale()).isTrue();
        assertThat(pairStale.time()).isEqualTo(T0.plusSeconds(13));
        assertThat(f.events.of(RateEvent.MarketRateUpdated.class).get(0).rate().stale()).isTrue();
        assertThat(f.events.of(RateEvent.StoreRateUpdated.class).get(0).rate().stale()).isTrue();

        MarketRate m = f.market(USD_CAD);
        assertThat(m.stale()).isTrue();
        assertThat(m.sources()).isEmpty();
        assertThat(m.mid()).as("last known price kept for context").isEqualTo(d("1.36130"));
        StoreRate r = f.storeRate(STORE, USD_CAD);
        assertThat(r.stale()).isTrue();
        assertThat(r.isLiveAt(f.now())).isFalse();
        assertThat(r.buy()).isEqualTo(liveRate.buy());
        assertThat(f.engine.storeRates(STORE)).singleElement().satisfies(x -> assertThat(x.stale()).isTrue());
        assertThat(f.engine.marketRates()).singleElement().satisfies(x -> assertThat(x.stale()).isTrue());
    }

    @Test
    void pairStaleIsReportedOnce() {
        EngineFixture f = twoSources();
        f.advanceSeconds(10);
        f.advanceSeconds(10);
        f.advance(Duration.ofHours(1));
        f.clock.advanceSeconds(1);
        f.tickAt(USD_CAD, "feed-a", "1.36120", "1.36140", f.now().minusSeconds(30)); // stale on arrival

        assertThat(f.events.of(RateEvent.PairStale.class)).hasSize(1);
        assertThat(f.events.of(RateEvent.SourceStale.class)).extracting(RateEvent.SourceStale::source)
                .containsExactly("feed-a", "feed-b");
        assertThat(f.events.of(RateEvent.PairLive.class)).isEmpty();
        assertThat(f.market(USD_CAD).stale()).isTrue();
    }

    @Test
    void freshQuoteBringsThePairBackLive() {
        EngineFixture f = twoSources();
        f.advanceSeconds(10); // both stale
        assertThat(f.market(USD_CAD).stale()).isTrue();
        f.events.clear();

        TickOutcome outcome = f.tick(USD_CAD, "feed-a", "1.36220", "1.36240");

        assertThat(outcome).isEqualTo(TickOutcome.ACCEPTED);
        assertThat(f.events.types()).containsExactly("source_recovered", "pair_live", "market_data_update",
                "rate_update");
        assertThat(f.events.of(RateEvent.SourceRecovered.class).get(0).source()).isEqualTo("feed-a");
        RateEvent.PairLive live = f.events.of(RateEvent.PairLive.class).get(0);
        assertThat(live.rate().stale()).isFalse();
        assertThat(live.rate().mid()).isEqualTo(d("1.36230"));
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a");
        StoreRate r = f.storeRate(STORE, USD_CAD);
        assertThat(r.stale()).isFalse();
        assertThat(r.isLiveAt(f.now())).isTrue();
        assertThat(r.mid()).isEqualTo(d("1.36230"));
    }

    @Test
    void lockOnAStaleRateIsRefusedAndChangesNothing() {
        EngineFixture f = twoSources();
        f.advanceSeconds(10);
        int auditBefore = f.auditEntries().size();
        f.events.clear();

        StaleRateException e = catchThrowableOfType(StaleRateException.class,
                () -> f.engine.lock(LockRequest.of(STORE, USD_CAD, Side.SELL, d("100.00"), "till-1")));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.STALE_RATE);
        assertThat(f.auditEntries()).hasSize(auditBefore);
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void maxSourceAgeIsConfigurable() {
        EngineFixture f = new EngineFixture(b -> b.maxSourceAge(Duration.ofSeconds(2)));
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");

        f.advanceSeconds(1);
        assertThat(f.market(USD_CAD).stale()).isFalse();
        f.advanceSeconds(1);
        assertThat(f.market(USD_CAD).stale()).isTrue();
    }

    @Test
    void quoteOlderThanMaxAgeOnArrivalIsRecordedButUnused() {
        EngineFixture f = new EngineFixture();
        f.clock.advanceSeconds(60);

        assertThat(f.tickAt(USD_CAD, "feed-a", "1.3", "1.4", f.now().minusSeconds(11)))
                .isEqualTo(TickOutcome.STALE_ON_ARRIVAL);
        assertThat(f.tickAt(USD_CAD, "feed-b", "1.3", "1.4", f.now().minusSeconds(10)))
                .as("exactly max age is stale").isEqualTo(TickOutcome.STALE_ON_ARRIVAL);

        assertThat(f.engine.marketRate(USD_CAD)).as("never presented as live").isEmpty();
        assertThat(f.events.of(RateEvent.MarketRateUpdated.class)).isEmpty();
        assertThat(f.events.of(RateEvent.PairLive.class)).isEmpty();

        assertThat(f.tickAt(USD_CAD, "feed-c", "1.3", "1.4", f.now().minusSeconds(10).plusMillis(1)))
                .isEqualTo(TickOutcome.ACCEPTED);
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-c");
    }

    @Test
    void staleOnArrivalQuoteLeavesALiveMarketAlone() {
        EngineFixture f = new EngineFixture();
        f.clock.advanceSeconds(60);
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        MarketRate before = f.market(USD_CAD);
        f.events.clear();

        assertThat(f.tickAt(USD_CAD, "feed-b", "1.50000", "1.50020", f.now().minusSeconds(20)))
                .isEqualTo(TickOutcome.STALE_ON_ARRIVAL);

        assertThat(f.market(USD_CAD)).isEqualTo(before);
        assertThat(f.events.of(RateEvent.MarketRateUpdated.class)).isEmpty();
    }

    @Test
    void olderQuoteFromTheSameSourceIsOutOfOrderAndIgnored() {
        EngineFixture f = new EngineFixture();
        f.clock.advanceSeconds(5);
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        MarketRate before = f.market(USD_CAD);
        f.events.clear();

        TickOutcome outcome = f.tickAt(USD_CAD, "feed-a", "1.40000", "1.40020", f.now().minusSeconds(1));

        assertThat(outcome).isEqualTo(TickOutcome.OUT_OF_ORDER);
        assertThat(f.market(USD_CAD)).isEqualTo(before);
        assertThat(f.events.all()).isEmpty();

        assertThat(f.tickAt(USD_CAD, "feed-a", "1.36125", "1.36145", f.now()))
                .as("same time is not out of order").isEqualTo(TickOutcome.ACCEPTED);
        assertThat(f.market(USD_CAD).mid()).isEqualTo(d("1.36135"));
        assertThat(f.tickAt(USD_CAD, "feed-b", "1.36125", "1.36145", f.now().minusSeconds(1)))
                .as("order is per source").isEqualTo(TickOutcome.ACCEPTED);
    }

    @Test
    void quoteTooFarInTheFutureIsRejectedAndChangesNothing() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        MarketRate before = f.market(USD_CAD);
        f.events.clear();
        Instant tooFar = f.now().plusSeconds(5).plusMillis(1);

        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> f.tickAt(USD_CAD, "feed-a", "1.50000", "1.50020", tooFar));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.field()).isEqualTo("time");
        assertThat(e.value()).isEqualTo(tooFar.toString());
        assertThat(f.market(USD_CAD)).isEqualTo(before);
        assertThat(f.events.all()).isEmpty();
        // The rejected quote was not recorded: an on-time quote of the source is still in order.
        assertThat(f.tick(USD_CAD, "feed-a", "1.36121", "1.36141")).isEqualTo(TickOutcome.ACCEPTED);
    }

    @Test
    void quoteWithinTheAllowedSkewIsAccepted() {
        EngineFixture f = new EngineFixture();

        assertThat(f.tickAt(USD_CAD, "feed-a", "1.36120", "1.36140", f.now().plusSeconds(5)))
                .isEqualTo(TickOutcome.ACCEPTED);
        assertThat(f.market(USD_CAD).asOf()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void zeroSkewRefusesAnyFutureTime() {
        EngineFixture f = new EngineFixture(b -> b.maxClockSkew(Duration.ZERO));

        assertThat(catchThrowableOfType(ValidationException.class,
                () -> f.tickAt(USD_CAD, "feed-a", "1.3", "1.4", f.now().plusNanos(1))).field()).isEqualTo("time");
        assertThat(f.tickAt(USD_CAD, "feed-a", "1.3", "1.4", f.now())).isEqualTo(TickOutcome.ACCEPTED);
    }

    @Test
    void readsNeverPresentARatePastItsSourcesAgeAsLiveEvenBeforeTheTimerRuns() {
        EngineFixture f = new EngineFixture();
        f.withUsdCadMarket();
        f.clock.advanceSeconds(10); // the only source reaches max age; no timer has run

        assertThat(f.market(USD_CAD).stale()).isTrue();
        assertThat(f.engine.marketRates()).allSatisfy(m -> assertThat(m.stale()).isTrue());
        assertThat(f.storeRate(STORE, USD_CAD).isLiveAt(f.now())).isFalse();
        assertThat(f.engine.storeRates(STORE)).allSatisfy(r -> assertThat(r.stale()).isTrue());
        assertThat(f.events.of(RateEvent.PairStale.class)).as("reads have no side effects").isEmpty();

        f.engine.runDueTimers();
        assertThat(f.events.of(RateEvent.PairStale.class)).as("the transition is reported once").hasSize(1);
    }

    @Test
    void lockJudgesSourceAgeItselfWhenTheTimerHasNotRunYet() {
        EngineFixture f = new EngineFixture();
        f.withUsdCadMarket();
        f.clock.advanceSeconds(11); // the only source is past max age; no timer has run

        StaleRateException e = catchThrowableOfType(StaleRateException.class,
                () -> f.engine.lock(LockRequest.of(STORE, USD_CAD, Side.SELL, d("100.00"), "till-1")));

        assertThat(e).as("a stale rate must not be locked as live").isNotNull();
        assertThat(f.auditEntries("lock.created")).isEmpty();
    }

    @Test
    void overrideDeviationCheckJudgesSourceAgeItselfWhenTheTimerHasNotRunYet() {
        EngineFixture f = new EngineFixture();
        f.withUsdCadMarket();
        f.clock.advanceSeconds(11);

        StaleRateException e = catchThrowableOfType(StaleRateException.class, () -> f.engine.setOverride(
                OverrideRequest.of(STORE, USD_CAD, d("1.35"), d("1.37"), "alice", "promo")));

        assertThat(e).isNotNull();
        assertThat(f.auditEntries("override.set")).isEmpty();
    }
}
