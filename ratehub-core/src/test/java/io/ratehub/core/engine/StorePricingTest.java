package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.EUR_USD;
import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.USD_JPY;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StorePricingTest {

    @Test
    void spreadSetAfterTheMarketPricesTheStoreAtOnce() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.events.clear();

        Optional<StoreRate> rate = f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);

        assertThat(rate).isPresent();
        StoreRate r = rate.get();
        assertThat(r.storeId()).isEqualTo(STORE);
        assertThat(r.pair()).isEqualTo(USD_CAD);
        assertThat(r.buy()).isEqualTo(d("1.35449"));
        assertThat(r.sell()).isEqualTo(d("1.36811"));
        assertThat(r.mid()).isEqualTo(d("1.36130"));
        assertThat(r.basis()).isEqualTo(RateBasis.MARKET);
        assertThat(r.asOf()).isEqualTo(T0);
        assertThat(r.validUntil()).isNull();
        assertThat(r.stale()).isFalse();
        assertThat(f.storeRate(STORE, USD_CAD)).isEqualTo(r);
        assertThat(f.events.types()).containsExactly("spread_set", "rate_update");
        RateEvent.SpreadSet set = f.events.of(RateEvent.SpreadSet.class).get(0);
        assertThat(set.actor()).isEqualTo(OWNER);
        assertThat(set.rule()).isEqualTo(SpreadRule.bps("50", "50"));
        assertThat(set.storeId()).isEqualTo(STORE);
    }

    @Test
    void spreadSetIsAuditedWithItsValues() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");

        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "60").withMarginBounds(d("0.001"), null), OWNER);
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.absolute("0.002", "0.003"), "manager");

        assertThat(f.auditActions()).containsExactly("spread.set", "spread.set");
        AuditEntry first = f.auditEntries().get(0);
        assertThat(first.actor()).isEqualTo(OWNER);
        assertThat(first.storeId()).isEqualTo(STORE);
        assertThat(first.pair()).isEqualTo("USD/CAD");
        assertThat(first.time()).isEqualTo(T0);
        assertThat(first.before()).isEmpty();
        assertThat(first.after()).containsExactlyInAnyOrderEntriesOf(
                Map.of("unit", "BPS", "buyMargin", "50", "sellMargin", "60", "minMargin", "0.001"));
        AuditEntry second = f.auditEntries().get(1);
        assertThat(second.before()).containsEntry("unit", "BPS").containsEntry("sellMargin", "60");
        assertThat(second.after()).containsEntry("unit", "ABSOLUTE").containsEntry("buyMargin", "0.002");
        assertThat(f.storeRate(STORE, USD_CAD).buy()).isEqualTo(d("1.35930"));
        assertThat(f.storeRate(STORE, USD_CAD).sell()).isEqualTo(d("1.36430"));
    }

    @Test
    void spreadSetBeforeAnyMarketPricesTheStoreWithTheFirstQuote() {
        EngineFixture f = new EngineFixture();

        assertThat(f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER)).isEmpty();
        assertThat(f.engine.storeRate(STORE, USD_CAD)).isEmpty();

        f.events.clear();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");

        assertThat(f.events.types()).containsExactly("market_data_update", "rate_update");
        assertThat(f.storeRate(STORE, USD_CAD).buy()).isEqualTo(d("1.35449"));
    }

    @Test
    void marketMoveRepricesEveryStoreQuotingThePair() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);
        f.engine.setSpread("store-2", USD_CAD, SpreadRule.absolute("0.001", "0.002"), OWNER);
        f.events.clear();

        f.tick(USD_CAD, "feed-a", "1.36220", "1.36240"); // mid 1.36230

        assertThat(f.events.of(RateEvent.StoreRateUpdated.class)).extracting(RateEvent.StoreRateUpdated::storeId)
                .containsExactlyInAnyOrder(STORE, "store-2");
        // margin 1.36230 * 0.005 = 0.0068115
        assertThat(f.storeRate(STORE, USD_CAD).buy()).isEqualTo(d("1.35548"));
        assertThat(f.storeRate(STORE, USD_CAD).sell()).isEqualTo(d("1.36912"));
        assertThat(f.storeRate("store-2", USD_CAD).buy()).isEqualTo(d("1.36130"));
        assertThat(f.storeRate("store-2", USD_CAD).sell()).isEqualTo(d("1.36430"));
    }

    @Test
    void marketUpdateThatLeavesTheStorePricesAloneIsNotAnnouncedAsARateUpdate() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.00000", "1.00002");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.absolute("0.5", "0.5"), OWNER);
        StoreRate before = f.storeRate(STORE, USD_CAD);
        f.events.clear();

        f.tick(USD_CAD, "feed-a", "0.99999", "1.00003"); // same mid 1.00001, wider market

        assertThat(f.events.types()).containsExactly("market_data_update");
        assertThat(f.storeRate(STORE, USD_CAD)).isEqualTo(before);
        f.events.clear();
        f.tick(USD_CAD, "feed-a", "0.99999", "1.00003");
        assertThat(f.events.all()).as("an identical quote changes nothing").isEmpty();
    }

    @Test
    void pricesAreAtThePairsScale() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_JPY, "feed-a", "151.230", "151.240");

        StoreRate r = f.engine.setSpread(STORE, USD_JPY, SpreadRule.bps("10", "10"), OWNER).orElseThrow();

        // mid 151.235, margin 0.151235
        assertThat(r.buy()).isEqualTo(d("151.083"));
        assertThat(r.sell()).isEqualTo(d("151.387"));
    }

    @Test
    void spreadSetOnAStaleMarketGivesAStaleRate() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.advanceSeconds(10);

        StoreRate r = f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER).orElseThrow();

        assertThat(r.stale()).isTrue();
        assertThat(r.isLiveAt(f.now())).isFalse();
        assertThat(f.events.of(RateEvent.StoreRateUpdated.class)).singleElement()
                .satisfies(u -> assertThat(u.rate().stale()).isTrue());
    }

    @Test
    void removeSpreadStopsTheStoreQuotingThePair() {
        EngineFixture f = new EngineFixture().withUsdCadMarket();
        f.events.clear();

        assertThat(f.engine.removeSpread(STORE, USD_CAD, "manager")).isTrue();

        assertThat(f.engine.storeRate(STORE, USD_CAD)).isEmpty();
        assertThat(f.engine.storeRates(STORE)).isEmpty();
        assertThat(f.events.of(RateEvent.SpreadRemoved.class)).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("manager");
            assertThat(e.storeId()).isEqualTo(STORE);
        });
        AuditEntry removed = f.auditEntries().get(f.auditEntries().size() - 1);
        assertThat(removed.action()).isEqualTo("spread.removed");
        assertThat(removed.actor()).isEqualTo("manager");
        assertThat(removed.before()).containsEntry("unit", "BPS");
        assertThat(removed.after()).isEmpty();

        f.tick(USD_CAD, "feed-a", "1.36220", "1.36240");
        assertThat(f.engine.storeRate(STORE, USD_CAD)).as("no pricing after removal").isEmpty();
    }

    @Test
    void removingAMissingSpreadReturnsFalseAndRecordsNothing() {
        EngineFixture f = new EngineFixture().withUsdCadMarket();
        int audit = f.auditEntries().size();
        f.events.clear();

        assertThat(f.engine.removeSpread("store-9", USD_CAD, "manager")).isFalse();
        assertThat(f.engine.removeSpread(STORE, EUR_USD, "manager")).isFalse();

        assertThat(f.auditEntries()).hasSize(audit);
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void storeRatesListsEveryPairOfAStoreInPairOrder() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_JPY, "feed-a", "151.230", "151.240");
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.tick(EUR_USD, "feed-a", "1.08000", "1.08010");
        f.engine.setSpread(STORE, USD_JPY, SpreadRule.bps("10", "10"), OWNER);
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("10", "10"), OWNER);
        f.engine.setSpread(STORE, EUR_USD, SpreadRule.bps("10", "10"), OWNER);
        f.engine.setSpread("store-2", USD_CAD, SpreadRule.bps("10", "10"), OWNER);

        assertThat(f.engine.storeRates(STORE)).extracting(r -> r.pair().toString())
                .containsExactly("EUR/USD", "USD/CAD", "USD/JPY");
        assertThat(f.engine.storeRates("store-2")).hasSize(1);
        assertThat(f.engine.storeRates("store-3")).isEmpty();
        assertThat(f.engine.stores()).containsExactly(STORE, "store-2");
        assertThat(f.engine.marketRates()).extracting(m -> m.pair().toString())
                .containsExactly("EUR/USD", "USD/CAD", "USD/JPY");
    }

    @Test
    void storeWithNothingLeftIsNoLongerListed() {
        EngineFixture f = new EngineFixture().withUsdCadMarket();

        f.engine.removeSpread(STORE, USD_CAD, "manager");

        assertThat(f.engine.stores()).doesNotContain(STORE);
    }
}
