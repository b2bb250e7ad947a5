package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reads of a store's rules: {@link RateEngine#spread} and {@link RateEngine#threshold}. */
class RuleReadsTest {

    @Test
    void spreadReadsTheRuleInForceUntilItIsRemoved() {
        EngineFixture f = new EngineFixture();
        assertThat(f.engine.spread(STORE, USD_CAD)).isEmpty(); // no book for the pair yet

        SpreadRule rule = SpreadRule.bps("40", "60").withMarginBounds(d("0.0001"), d("0.01"));
        f.engine.setSpread(STORE, USD_CAD, rule, OWNER);

        assertThat(f.engine.spread(STORE, USD_CAD)).contains(rule);
        assertThat(f.engine.spread("store-2", USD_CAD)).isEmpty();

        f.engine.removeSpread(STORE, USD_CAD, OWNER);

        assertThat(f.engine.spread(STORE, USD_CAD)).isEmpty();
    }

    @Test
    void thresholdReadsEachKindSeparatelyUntilItIsRemoved() {
        EngineFixture f = new EngineFixture();
        ThresholdRule move = ThresholdRule.marketMove(STORE, USD_CAD, d("1.5"), Duration.ofMinutes(10));
        ThresholdRule divergence = ThresholdRule.overrideDivergence(STORE, USD_CAD, d("2"));
        assertThat(f.engine.threshold(STORE, USD_CAD, ThresholdRule.Kind.MARKET_MOVE)).isEmpty();

        f.engine.setThreshold(move, OWNER);
        f.engine.setThreshold(divergence, OWNER);

        assertThat(f.engine.threshold(STORE, USD_CAD, ThresholdRule.Kind.MARKET_MOVE)).contains(move);
        assertThat(f.engine.threshold(STORE, USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE)).contains(divergence);

        f.engine.removeThreshold(STORE, USD_CAD, ThresholdRule.Kind.MARKET_MOVE, OWNER);

        assertThat(f.engine.threshold(STORE, USD_CAD, ThresholdRule.Kind.MARKET_MOVE)).isEmpty();
        assertThat(f.engine.threshold(STORE, USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE)).contains(divergence);
        assertThat(f.engine.threshold("store-2", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE)).isEmpty();
    }
}
