package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.BTC_USD;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.USD_JPY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.MarketRate;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationTest {

    private static void assertPrices(MarketRate m, String bid, String ask, String mid) {
        assertThat(m.bid()).as("bid").isEqualTo(new BigDecimal(bid));
        assertThat(m.ask()).as("ask").isEqualTo(new BigDecimal(ask));
        assertThat(m.mid()).as("mid").isEqualTo(new BigDecimal(mid));
    }

    @Test
    void medianTakesTheMedianOfBidsAsksAndMidsSeparately() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140"); // mid 1.36130
        f.tick(USD_CAD, "feed-b", "1.36100", "1.36160"); // mid 1.36130
        f.clock.advanceSeconds(1);
        f.tick(USD_CAD, "feed-c", "1.36150", "1.36170"); // mid 1.36160

        MarketRate m = f.market(USD_CAD);

        assertPrices(m, "1.36120", "1.36160", "1.36130");
        assertThat(m.sources()).containsExactly("feed-a", "feed-b", "feed-c");
        assertThat(m.asOf()).as("newest source time").isEqualTo(T0.plusSeconds(1));
        assertThat(m.stale()).isFalse();
        assertThat(m.pair()).isEqualTo(USD_CAD);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwoRoundedHalfEven() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.36130");
        f.tickMid(USD_CAD, "feed-b", "1.36139");

        // (1.36130 + 1.36139) / 2 = 1.361345: half-even keeps the even 4 (half-up would give 1.36135)
        assertPrices(f.market(USD_CAD), "1.36134", "1.36134", "1.36134");

        f.tickMid(USD_CAD, "feed-b", "1.36141"); // mean 1.361355 -> 1.36136 (round to even 6)
        assertPrices(f.market(USD_CAD), "1.36136", "1.36136", "1.36136");
    }

    @Test
    void medianOfFourUsesTheMiddleTwo() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "a", "1.00000");
        f.tickMid(USD_CAD, "b", "1.00010");
        f.tickMid(USD_CAD, "c", "1.00030");
        f.tickMid(USD_CAD, "d", "1.00100");

        assertPrices(f.market(USD_CAD), "1.00020", "1.00020", "1.00020");
        assertThat(f.market(USD_CAD).sources()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void singleSourceIsTheMarketRoundedToThePairsScale() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.361204", "1.361416");

        // bid 1.361204 -> 1.36120, ask 1.361416 -> 1.36142, mid 1.361310 -> 1.36131
        assertPrices(f.market(USD_CAD), "1.36120", "1.36142", "1.36131");
    }

    @Test
    void marketRateComesAtEachPairsScale() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_JPY, "feed-a", "151.23456", "151.23478");
        f.tick(BTC_USD, "feed-a", "65000.123456789", "65001.987654321");

        assertThat(f.market(USD_JPY).mid()).isEqualTo(new BigDecimal("151.235"));
        assertThat(f.market(USD_JPY).bid().scale()).isEqualTo(3);
        assertThat(f.market(BTC_USD).mid()).isEqualTo(new BigDecimal("65001.05555556"));
        assertThat(f.market(BTC_USD).ask().scale()).isEqualTo(8);
    }

    @Test
    void bestTakesHighestBidAndLowestAsk() {
        EngineFixture f = new EngineFixture(b -> b.aggregation(AggregationPolicy.best()));
        f.tick(USD_CAD, "feed-a", "1.00000", "1.00100");
        f.tick(USD_CAD, "feed-b", "1.00020", "1.00120");
        f.tick(USD_CAD, "feed-c", "0.99990", "1.00080");

        MarketRate m = f.market(USD_CAD);

        assertPrices(m, "1.00020", "1.00080", "1.00050");
        assertThat(m.sources()).containsExactly("feed-a", "feed-b", "feed-c");
    }

    @Test
    void bestWithACrossedMarketHoldsBidAskAndMidAtTheMidpoint() {
        EngineFixture f = new EngineFixture(b -> b.aggregation(AggregationPolicy.best()));
        f.tick(USD_CAD, "feed-a", "1.00100", "1.00200");
        f.tick(USD_CAD, "feed-b", "1.00300", "1.00400");

        // best bid 1.00300 > best ask 1.00200: crossed across venues
        assertPrices(f.market(USD_CAD), "1.00250", "1.00250", "1.00250");
    }

    @Test
    void bestWithACrossedMarketRoundsToThePairsScaleKeepingOrder() {
        EngineFixture f = new EngineFixture(b -> b.aggregation(AggregationPolicy.best()));
        f.tick(USD_CAD, "feed-a", "1.00101", "1.00201");
        f.tick(USD_CAD, "feed-b", "1.00300", "1.00400");

        MarketRate m = f.market(USD_CAD);

        // (1.00300 + 1.00201) / 2 = 1.002505, half-even to 1.00250
        assertPrices(m, "1.00250", "1.00250", "1.00250");
        assertThat(m.bid()).isLessThanOrEqualTo(m.mid());
        assertThat(m.mid()).isLessThanOrEqualTo(m.ask());
    }

    @Test
    void priorityUsesTheFirstFreshListedSourceAndFailsOverAsSourcesGoStale() {
        EngineFixture f = new EngineFixture(b -> b.aggregation(AggregationPolicy.priority(List.of("feed-b", "feed-a"))));
        f.tick(USD_CAD, "feed-b", "1.00000", "1.00020"); // T0, stale at T0+10
        f.clock.advanceSeconds(5);
        f.tick(USD_CAD, "feed-a", "1.00100", "1.00120"); // T0+5, stale at T0+15
        f.tick(USD_CAD, "feed-c", "1.00200", "1.00220"); // unlisted

        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-b");
        assertPrices(f.market(USD_CAD), "1.00000", "1.00020", "1.00010");
        assertThat(f.market(USD_CAD).asOf()).isEqualTo(T0);

        f.advanceSeconds(5); // T0+10: feed-b stale
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a");
        assertPrices(f.market(USD_CAD), "1.00100", "1.00120", "1.00110");

        f.clock.advanceSeconds(2);
        f.tick(USD_CAD, "feed-c", "1.00200", "1.00220"); // T0+12, keeps c fresh until T0+22
        f.advanceSeconds(3); // T0+15: feed-a stale, only the unlisted source remains
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-c");
        assertThat(f.market(USD_CAD).stale()).isFalse();

        f.tick(USD_CAD, "feed-b", "1.00010", "1.00030"); // the preferred source is back
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-b");
        assertPrices(f.market(USD_CAD), "1.00010", "1.00030", "1.00020");
    }

    @Test
    void priorityFailOverIsAnnouncedAsMarketUpdates() {
        EngineFixture f = new EngineFixture(b -> b.aggregation(AggregationPolicy.priority(List.of("feed-b", "feed-a"))));
        f.tick(USD_CAD, "feed-b", "1.00000", "1.00020");
        f.clock.advanceSeconds(5);
        f.tick(USD_CAD, "feed-a", "1.00100", "1.00120");
        f.events.clear();

        f.advanceSeconds(5);

        assertThat(f.events.types()).containsExactly("source_stale", "market_data_update");
        assertThat(f.events.of(RateEvent.SourceStale.class).get(0).source()).isEqualTo("feed-b");
        assertThat(f.events.of(RateEvent.MarketRateUpdated.class).get(0).rate().sources()).containsExactly("feed-a");
    }

    @Test
    void unlistedSourcesFollowInNameOrder() {
        EngineFixture f = new EngineFixture(b -> b.aggregation(AggregationPolicy.priority(List.of("feed-x"))));
        f.tickMid(USD_CAD, "zeta", "1.00030");
        f.tickMid(USD_CAD, "alpha", "1.00010");
        f.tickMid(USD_CAD, "mid", "1.00020");

        assertThat(f.market(USD_CAD).sources()).containsExactly("alpha");
        assertThat(f.market(USD_CAD).mid()).isEqualTo(new BigDecimal("1.00010"));
    }

    @Test
    void priorityListIsCopiedAndValidated() {
        List<String> order = new ArrayList<>(List.of("a", "b"));
        AggregationPolicy.Priority p = (AggregationPolicy.Priority) AggregationPolicy.priority(order);
        order.add("c");

        assertThat(p.sources()).containsExactly("a", "b");
        assertThat(catchThrowableOfType(ValidationException.class, () -> AggregationPolicy.priority(List.of()))
                .field()).isEqualTo("sources");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> AggregationPolicy.priority(List.of("a", "b", "a"))).field()).isEqualTo("sources");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> AggregationPolicy.priority(List.of("a", "bad source"))).field()).isEqualTo("sources");
        assertThat(catchThrowableOfType(ValidationException.class, () -> AggregationPolicy.priority(null))
                .field()).isEqualTo("sources");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> AggregationPolicy.priority(Arrays.asList("a", null))).field()).isEqualTo("sources");
    }

    @Test
    void unchangedPricesDoNotRepeatTheMarketUpdate() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.clock.advanceSeconds(1);
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.tick(USD_CAD, "feed-a", "1.361201", "1.361399"); // rounds to the same rate

        assertThat(f.events.of(RateEvent.MarketRateUpdated.class)).hasSize(1);
    }

    @Test
    void aNewSourceChangesTheSourcesAndIsAnnouncedEvenAtTheSamePrice() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_CAD, "feed-a", "1.36120", "1.36140");
        f.tick(USD_CAD, "feed-b", "1.36120", "1.36140");

        List<RateEvent.MarketRateUpdated> updates = f.events.of(RateEvent.MarketRateUpdated.class);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(1).rate().sources()).containsExactly("feed-a", "feed-b");
    }
}
