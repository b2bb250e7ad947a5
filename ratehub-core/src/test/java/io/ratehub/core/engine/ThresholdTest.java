package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ThresholdTest {
    private static final ThresholdRule MOVE_1PCT_60S =
            ThresholdRule.marketMove(STORE, USD_CAD, BigDecimal.ONE, Duration.ofSeconds(60));
    private static final ThresholdRule DIVERGENCE_2PCT =
            ThresholdRule.overrideDivergence(STORE, USD_CAD, new BigDecimal("2"));

    /** USD/CAD at mid 1.00000 with a spread at the store, and {@code rule} set; events cleared. */
    private static EngineFixture withRule(ThresholdRule rule) {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);
        f.engine.setThreshold(rule, OWNER);
        f.events.clear();
        return f;
    }

    /** One second later, a new mid from feed-a. */
    private static void step(EngineFixture f, String mid) {
        f.clock.advanceSeconds(1);
        f.tickMid(USD_CAD, "feed-a", mid);
        f.engine.runDueTimers();
    }

    private static List<String> alerts(EngineFixture f) {
        return f.events.types().stream().filter(t -> t.startsWith("rate_threshold")).collect(Collectors.toList());
    }

    @Test
    void marketMoveBreachesOnceAndClearsOnlyBelowTheClearLevel() {
        EngineFixture f = withRule(MOVE_1PCT_60S);

        step(f, "1.01100"); // +1.1%: breach
        assertThat(alerts(f)).containsExactly("rate_threshold_breach");
        RateEvent.ThresholdBreached breach = f.events.of(RateEvent.ThresholdBreached.class).get(0);
        assertThat(breach.rule()).isEqualTo(MOVE_1PCT_60S);
        assertThat(breach.storeId()).isEqualTo(STORE);
        assertThat(breach.observedPercent()).isEqualByComparingTo("1.1");
        assertThat(breach.reference()).isEqualByComparingTo("1.00000");
        assertThat(breach.current()).isEqualByComparingTo("1.01100");
        assertThat(breach.time()).isEqualTo(T0.plusSeconds(1));

        step(f, "1.00900"); // 0.9%: still above the clear level 0.8
        step(f, "1.01200"); // 1.2%: already breached
        step(f, "1.00850"); // 0.85%
        assertThat(alerts(f)).as("no storm while hovering").containsExactly("rate_threshold_breach");

        step(f, "1.00700"); // 0.7% < 0.8: cleared
        assertThat(alerts(f)).containsExactly("rate_threshold_breach", "rate_threshold_cleared");
        assertThat(f.events.of(RateEvent.ThresholdCleared.class).get(0).observedPercent()).isEqualByComparingTo("0.7");

        step(f, "1.00750");
        step(f, "1.00950"); // 0.95%: re-armed but not above 1%
        assertThat(alerts(f)).hasSize(2);

        step(f, "1.01050"); // 1.05%: a new breach
        assertThat(alerts(f)).containsExactly("rate_threshold_breach", "rate_threshold_cleared",
                "rate_threshold_breach");
    }

    @Test
    void marketMoveDownwardsCountsToo() {
        EngineFixture f = withRule(MOVE_1PCT_60S);

        step(f, "0.98900");

        assertThat(alerts(f)).containsExactly("rate_threshold_breach");
        assertThat(f.events.of(RateEvent.ThresholdBreached.class).get(0).observedPercent())
                .isEqualByComparingTo("1.1");
    }

    @Test
    void exactlyAtTheLimitIsNotABreach() {
        EngineFixture f = withRule(MOVE_1PCT_60S);

        step(f, "1.01000");

        assertThat(alerts(f)).isEmpty();
    }

    @Test
    void aMoveSpreadOverMoreThanTheWindowDoesNotAlert() {
        EngineFixture f = withRule(MOVE_1PCT_60S);

        f.clock.set(T0.plusSeconds(61));
        f.tickMid(USD_CAD, "feed-a", "1.00600");
        f.clock.set(T0.plusSeconds(122));
        f.tickMid(USD_CAD, "feed-a", "1.01200"); // 1.2% since T0, 0.6% within the last 60 s

        assertThat(alerts(f)).isEmpty();
    }

    @Test
    void jumpAfterAQuietSpellLongerThanTheWindowIsABreach() {
        EngineFixture f = withRule(MOVE_1PCT_60S);
        for (int s = 5; s <= 120; s += 5) { // the same price keeps the source fresh; the mid stays 1.00000
            f.clock.set(T0.plusSeconds(s));
            f.tickMid(USD_CAD, "feed-a", "1.00000");
            f.engine.runDueTimers();
        }

        f.clock.set(T0.plusSeconds(125));
        f.tickMid(USD_CAD, "feed-a", "1.02000"); // the mid 60 s ago was 1.00000: a 2% move

        assertThat(alerts(f)).containsExactly("rate_threshold_breach");
    }

    @Test
    void overrideDivergenceBreachesAndClearsWithHysteresis() {
        EngineFixture f = withRule(DIVERGENCE_2PCT);

        f.engine.setOverride(OverrideRequest.of(STORE, USD_CAD, d("1.03"), d("1.05"), "alice", "promo"));

        assertThat(alerts(f)).containsExactly("rate_threshold_breach");
        RateEvent.ThresholdBreached breach = f.events.of(RateEvent.ThresholdBreached.class).get(0);
        assertThat(breach.observedPercent()).isEqualByComparingTo("4");
        assertThat(breach.reference()).isEqualByComparingTo("1.00000");
        assertThat(breach.current()).isEqualByComparingTo("1.04");

        f.tickMid(USD_CAD, "feed-a", "1.02200"); // |1.04 - 1.022| / 1.022 = 1.76%: above the clear level 1.6
        assertThat(alerts(f)).hasSize(1);

        f.tickMid(USD_CAD, "feed-a", "1.02500"); // 1.46%: cleared
        assertThat(alerts(f)).containsExactly("rate_threshold_breach", "rate_threshold_cleared");

        f.tickMid(USD_CAD, "feed-a", "1.00000"); // 4% again
        assertThat(alerts(f)).containsExactly("rate_threshold_breach", "rate_threshold_cleared",
                "rate_threshold_breach");
    }

    @Test
    void clearingTheOverrideClearsTheDivergenceAlert() {
        EngineFixture f = withRule(DIVERGENCE_2PCT);
        f.engine.setOverride(OverrideRequest.of(STORE, USD_CAD, d("1.03"), d("1.05"), "alice", "promo"));

        f.engine.clearOverride(STORE, USD_CAD, "alice", "done");

        assertThat(alerts(f)).containsExactly("rate_threshold_breach", "rate_threshold_cleared");
        assertThat(f.events.of(RateEvent.ThresholdCleared.class).get(0).observedPercent()).isEqualByComparingTo("0");
    }

    @Test
    void overrideExpiryClearsTheDivergenceAlert() {
        EngineFixture f = withRule(DIVERGENCE_2PCT);
        Instant end = T0.plusSeconds(600);
        f.engine.setOverride(OverrideRequest.of(STORE, USD_CAD, d("1.03"), d("1.05"), "alice", "promo")
                .during(null, end));
        f.clock.set(end.minusSeconds(1));
        f.tickMid(USD_CAD, "feed-a", "1.00000");

        f.clock.set(end);
        f.engine.runDueTimers();

        assertThat(alerts(f)).containsExactly("rate_threshold_breach", "rate_threshold_cleared");
    }

    @Test
    void overrideWithinTheLimitRaisesNothing() {
        EngineFixture f = withRule(DIVERGENCE_2PCT);

        f.engine.setOverride(OverrideRequest.of(STORE, USD_CAD, d("0.99"), d("1.02"), "alice", "promo")); // 0.5%

        assertThat(alerts(f)).isEmpty();
    }

    @Test
    void pendingOverrideIsJudgedWhenItStarts() {
        EngineFixture f = withRule(DIVERGENCE_2PCT);
        Instant from = T0.plusSeconds(600);
        f.engine.setOverride(OverrideRequest.of(STORE, USD_CAD, d("1.03"), d("1.05"), "alice", "promo")
                .during(from, from.plusSeconds(3600)));
        assertThat(alerts(f)).isEmpty();
        f.clock.set(from.minusSeconds(1));
        f.tickMid(USD_CAD, "feed-a", "1.00000");

        f.clock.set(from);
        f.engine.runDueTimers();

        assertThat(alerts(f)).containsExactly("rate_threshold_breach");
    }

    @Test
    void settingAndRemovingARuleIsAuditedAndAnnounced() {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("50", "50"), OWNER);
        f.events.clear();

        f.engine.setThreshold(MOVE_1PCT_60S, "risk");

        RateEvent.ThresholdSet set = f.events.of(RateEvent.ThresholdSet.class).get(0);
        assertThat(set.rule()).isEqualTo(MOVE_1PCT_60S);
        assertThat(set.actor()).isEqualTo("risk");
        AuditEntry e = f.auditEntries("threshold.set").get(0);
        assertThat(e.actor()).isEqualTo("risk");
        assertThat(e.after()).containsEntry("kind", "MARKET_MOVE").containsEntry("percent", "1")
                .containsEntry("window", "PT1M");
        assertThat(new BigDecimal(e.after().get("clearPercent"))).isEqualByComparingTo("0.8");

        assertThat(f.engine.removeThreshold(STORE, USD_CAD, ThresholdRule.Kind.MARKET_MOVE, "risk")).isTrue();
        assertThat(f.events.of(RateEvent.ThresholdRemoved.class)).singleElement()
                .satisfies(r -> assertThat(r.rule()).isEqualTo(MOVE_1PCT_60S));
        assertThat(f.auditEntries("threshold.removed")).singleElement()
                .satisfies(r -> assertThat(r.before()).containsEntry("kind", "MARKET_MOVE"));

        assertThat(f.engine.removeThreshold(STORE, USD_CAD, ThresholdRule.Kind.MARKET_MOVE, "risk")).isFalse();
        assertThat(f.engine.removeThreshold(STORE, USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE, "risk")).isFalse();
        assertThat(f.auditEntries("threshold.removed")).hasSize(1);

        step(f, "1.05000");
        assertThat(alerts(f)).as("a removed rule raises nothing").isEmpty();
    }

    @Test
    void aRuleReplacesTheStoresRuleOfTheSameKind() {
        EngineFixture f = withRule(MOVE_1PCT_60S);
        ThresholdRule wider = ThresholdRule.marketMove(STORE, USD_CAD, new BigDecimal("3"), Duration.ofSeconds(60));

        f.engine.setThreshold(wider, OWNER);
        step(f, "1.02000");

        assertThat(alerts(f)).isEmpty();
        assertThat(f.auditEntries("threshold.set").get(1).before()).containsEntry("percent", "1");
    }

    @Test
    void staleMarketRaisesNoAlerts() {
        EngineFixture f = withRule(MOVE_1PCT_60S);

        f.advanceSeconds(10);
        f.advanceSeconds(30);

        assertThat(f.market(USD_CAD).stale()).isTrue();
        assertThat(alerts(f)).isEmpty();
    }
}
