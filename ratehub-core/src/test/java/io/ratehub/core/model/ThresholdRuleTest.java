package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThresholdRuleTest {
    private static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");

    private static ValidationException rejected(Runnable r) {
        ValidationException e = catchThrowableOfType(ValidationException.class, r::run);
        assertThat(e).as("expected a ValidationException").isNotNull();
        return e;
    }

    @Test
    void marketMoveClearsAtEightyPercentOfItsLimit() {
        ThresholdRule rule = ThresholdRule.marketMove("store-1", USD_CAD, new BigDecimal("2"), Duration.ofMinutes(5));

        assertThat(rule.kind()).isEqualTo(ThresholdRule.Kind.MARKET_MOVE);
        assertThat(rule.percent()).isEqualByComparingTo("2");
        assertThat(rule.clearPercent()).isEqualByComparingTo("1.6");
        assertThat(rule.window()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void overrideDivergenceHasNoWindow() {
        ThresholdRule rule = ThresholdRule.overrideDivergence("store-1", USD_CAD, new BigDecimal("0.5"));

        assertThat(rule.kind()).isEqualTo(ThresholdRule.Kind.OVERRIDE_DIVERGENCE);
        assertThat(rule.clearPercent()).isEqualByComparingTo("0.4");
        assertThat(rule.window()).isNull();
    }

    @Test
    void explicitClearPercentBelowTheLimitIsKept() {
        ThresholdRule rule = new ThresholdRule("store-1", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE,
                new BigDecimal("1"), BigDecimal.ZERO, null);

        assertThat(rule.clearPercent()).isEqualByComparingTo("0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "100.01", "1E+50"})
    void percentOutsideZeroToHundredIsRefused(String percent) {
        ValidationException e = rejected(
                () -> ThresholdRule.overrideDivergence("store-1", USD_CAD, new BigDecimal(percent)));

        assertThat(e.field()).isEqualTo("percent");
    }

    @Test
    void percentOfHundredIsAllowedAndNullIsNamed() {
        assertThat(ThresholdRule.overrideDivergence("s", USD_CAD, new BigDecimal("100")).percent())
                .isEqualByComparingTo("100");
        assertThat(rejected(() -> ThresholdRule.marketMove("s", USD_CAD, null, Duration.ofMinutes(1))).field())
                .isEqualTo("percent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.5", "-0.1"})
    void clearPercentMustBeBelowPercentAndNotNegative(String clear) {
        ValidationException e = rejected(() -> new ThresholdRule("store-1", USD_CAD,
                ThresholdRule.Kind.OVERRIDE_DIVERGENCE, new BigDecimal("1"), new BigDecimal(clear), null));

        assertThat(e.field()).isEqualTo("clearPercent");
    }

    @Test
    void marketMoveWindowMustBeBetweenOneSecondAndOneDay() {
        BigDecimal one = BigDecimal.ONE;
        assertThat(ThresholdRule.marketMove("s", USD_CAD, one, Duration.ofSeconds(1)).window())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(ThresholdRule.marketMove("s", USD_CAD, one, Duration.ofDays(1)).window())
                .isEqualTo(Duration.ofDays(1));

        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMillis(999),
            Duration.ofDays(1).plusMillis(1)}) {
            ValidationException e = rejected(() -> ThresholdRule.marketMove("s", USD_CAD, one, bad));
            assertThat(e.field()).as("window %s", bad).isEqualTo("window");
        }
    }

    @Test
    void windowOnAnOverrideDivergenceRuleIsRefused() {
        ValidationException e = rejected(() -> new ThresholdRule("s", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE,
                BigDecimal.ONE, new BigDecimal("0.5"), Duration.ofMinutes(1)));

        assertThat(e.field()).isEqualTo("window");
    }

    @Test
    void requiredFieldsAreNamed() {
        BigDecimal one = BigDecimal.ONE;
        BigDecimal half = new BigDecimal("0.5");
        assertThat(rejected(() -> ThresholdRule.overrideDivergence("bad store", USD_CAD, one)).field())
                .isEqualTo("storeId");
        assertThat(rejected(() -> ThresholdRule.overrideDivergence(null, USD_CAD, one)).field()).isEqualTo("storeId");
        assertThat(rejected(() -> ThresholdRule.overrideDivergence("s", null, one)).field()).isEqualTo("pair");
        assertThat(rejected(() -> new ThresholdRule("s", USD_CAD, null, one, half, null)).field()).isEqualTo("kind");
        assertThat(rejected(() -> new ThresholdRule("s", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE, one, null,
                null)).field()).isEqualTo("clearPercent");
    }
}
