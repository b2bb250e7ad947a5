package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.event.RateEvent;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class OutlierTest {

    @Test
    void withThreeSourcesTheOneFarFromTheMedianIsExcludedAndReported() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.36130");
        f.tickMid(USD_CAD, "feed-b", "1.36140");
        f.events.clear();

        f.tickMid(USD_CAD, "feed-c", "1.40000");

        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b");
        assertThat(f.market(USD_CAD).mid()).isEqualTo(d("1.36135"));
        assertThat(f.events.of(RateEvent.SourceOutlier.class)).singleElement().satisfies(o -> {
            assertThat(o.source()).isEqualTo("feed-c");
            assertThat(o.pair()).isEqualTo(USD_CAD);
            assertThat(o.mid()).isEqualByComparingTo("1.40000");
            assertThat(o.referenceMid()).isEqualByComparingTo("1.36140");
            // |1.40000 - 1.36140| * 100 / 1.36140 = 2.8353...
            assertThat(o.deviationPercent()).isBetween(new BigDecimal("2.835"), new BigDecimal("2.836"));
            assertThat(o.time()).isEqualTo(f.now());
        });
    }

    @Test
    void anOutlierIsReportedOnceWhileItStaysOff() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.36130");
        f.tickMid(USD_CAD, "feed-b", "1.36140");
        f.tickMid(USD_CAD, "feed-c", "1.40000");

        for (int i = 0; i < 5; i++) {
            f.clock.advanceSeconds(1);
            f.tickMid(USD_CAD, "feed-c", "1.4000" + i);
            f.tickMid(USD_CAD, "feed-a", "1.3613" + i);
            f.engine.runDueTimers();
        }

        assertThat(f.events.of(RateEvent.SourceOutlier.class)).hasSize(1);
        assertThat(f.market(USD_CAD).sources()).doesNotContain("feed-c");
    }

    @Test
    void anOutlierBackInLineIsRecoveredAndUsedAgain() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.36130");
        f.tickMid(USD_CAD, "feed-b", "1.36140");
        f.tickMid(USD_CAD, "feed-c", "1.40000");
        f.events.clear();

        f.tickMid(USD_CAD, "feed-c", "1.36150");

        assertThat(f.events.of(RateEvent.SourceRecovered.class)).singleElement()
                .satisfies(r -> assertThat(r.source()).isEqualTo("feed-c"));
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b", "feed-c");
        assertThat(f.market(USD_CAD).mid()).isEqualTo(d("1.36140"));

        f.tickMid(USD_CAD, "feed-c", "1.30000");
        assertThat(f.events.of(RateEvent.SourceOutlier.class)).as("a new episode is reported again").hasSize(1);
    }

    @Test
    void withTwoSourcesNobodyIsAnOutlier() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.tickMid(USD_CAD, "feed-b", "1.50000");

        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b");
        assertThat(f.market(USD_CAD).mid()).isEqualTo(d("1.25000"));
        assertThat(f.events.of(RateEvent.SourceOutlier.class)).isEmpty();
    }

    @Test
    void exactlyAtTheLimitIsNotAnOutlier() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.tickMid(USD_CAD, "feed-b", "1.00000");
        f.tickMid(USD_CAD, "feed-c", "1.02000"); // exactly 2% from the median 1.00000

        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b", "feed-c");

        f.tickMid(USD_CAD, "feed-c", "1.02001");
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b");
    }

    @Test
    void outlierLimitIsConfigurable() {
        EngineFixture f = new EngineFixture(b -> b.outlierPercent(new BigDecimal("0.5")));
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.tickMid(USD_CAD, "feed-b", "1.00100");
        f.tickMid(USD_CAD, "feed-c", "1.00600"); // 0.4995% from 1.00100

        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b", "feed-c");

        f.tickMid(USD_CAD, "feed-c", "1.00700"); // 0.599%
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b");
    }

    @Test
    void whenFreshSourcesDropToTwoTheFormerOutlierIsUsedAgain() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.36130"); // T0, stale at T0+10
        f.clock.advanceSeconds(5);
        f.tickMid(USD_CAD, "feed-b", "1.36140");
        f.tickMid(USD_CAD, "feed-c", "1.40000");
        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-a", "feed-b");
        f.events.clear();

        f.advanceSeconds(5); // feed-a stale: two fresh sources, no majority to judge by

        assertThat(f.market(USD_CAD).sources()).containsExactly("feed-b", "feed-c");
        assertThat(f.events.types()).contains("source_stale", "source_recovered", "market_data_update");
    }

    @Test
    void evenSplitWithNothingInTheMiddleUsesAllSources() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "a", "1.00000");
        f.tickMid(USD_CAD, "b", "1.00000");
        f.tickMid(USD_CAD, "c", "1.10000");
        f.tickMid(USD_CAD, "d", "1.10000"); // median 1.05: every source is ~4.8% off

        assertThat(f.market(USD_CAD).sources()).containsExactly("a", "b", "c", "d");
        assertThat(f.market(USD_CAD).mid()).isEqualTo(d("1.05000"));
    }
}
