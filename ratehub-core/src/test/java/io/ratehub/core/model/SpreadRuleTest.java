package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpreadRuleTest {
    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    @Test
    void bpsMarginsRoundInTheStoresFavour() {
        SpreadRule rule = SpreadRule.bps("50", "50");

        // margin = 1.36130 * 50 / 10000 = 0.0068065
        assertThat(rule.buyPrice(d("1.36130"), 5)).isEqualTo(d("1.35449")); // 1.3544935 down
        assertThat(rule.sellPrice(d("1.36130"), 5)).isEqualTo(d("1.36811")); // 1.3681065 up
    }

    @Test
    void buyAndSellMarginsAreSeparate() {
        SpreadRule rule = SpreadRule.bps("25", "75");

        assertThat(rule.buyPrice(d("1.36130"), 5)).isEqualTo(d("1.35789")); // 1.35789675 down
        assertThat(rule.sellPrice(d("1.36130"), 5)).isEqualTo(d("1.37151")); // 1.37150975 up
    }

    @Test
    void absoluteMarginsAreInQuoteCurrencyUnits() {
        SpreadRule rule = SpreadRule.absolute("0.0020", "0.0030");

        assertThat(rule.buyPrice(d("1.36130"), 5)).isEqualTo(d("1.35930"));
        assertThat(rule.sellPrice(d("1.36130"), 5)).isEqualTo(d("1.36430"));
    }

    @ParameterizedTest
    @CsvSource({
        "1.000005, 1.00000, 1.00001",
        "1.000001, 1.00000, 1.00001",
        "1.000009, 1.00000, 1.00001",
        "1.00000, 1.00000, 1.00000"
    })
    void withoutMarginBuyRoundsDownAndSellRoundsUpNeverHalfway(String mid, String buy, String sell) {
        SpreadRule none = SpreadRule.bps("0", "0");

        assertThat(none.buyPrice(d(mid), 5)).isEqualTo(d(buy));
        assertThat(none.sellPrice(d(mid), 5)).isEqualTo(d(sell));
    }

    @Test
    void pricesComeAtThePairsScale() {
        SpreadRule rule = SpreadRule.bps("10", "10");

        // margin = 151.2345 * 10 / 10000 = 0.15123450
        assertThat(rule.buyPrice(d("151.2345"), 3)).isEqualTo(d("151.083"));
        assertThat(rule.sellPrice(d("151.2345"), 3)).isEqualTo(d("151.386"));
        assertThat(rule.sellPrice(d("2"), 5).scale()).isEqualTo(5);
        assertThat(rule.buyPrice(d("65000.12345678"), 8).scale()).isEqualTo(8);
    }

    @Test
    void minMarginRaisesASmallMarginOnBothSides() {
        SpreadRule rule = SpreadRule.bps("1", "1").withMarginBounds(d("0.0005"), null);

        assertThat(rule.buyPrice(d("1.36130"), 5)).isEqualTo(d("1.36080"));
        assertThat(rule.sellPrice(d("1.36130"), 5)).isEqualTo(d("1.36180"));
    }

    @Test
    void maxMarginCapsALargeMarginOnBothSides() {
        SpreadRule rule = SpreadRule.bps("100", "100").withMarginBounds(null, d("0.005"));

        assertThat(rule.buyPrice(d("1.36130"), 5)).isEqualTo(d("1.35630"));
        assertThat(rule.sellPrice(d("1.36130"), 5)).isEqualTo(d("1.36630"));
    }

    @Test
    void marginWithinBoundsIsUntouched() {
        SpreadRule rule = SpreadRule.absolute("0.002", "0.003").withMarginBounds(d("0.001"), d("0.004"));

        assertThat(rule.buyPrice(d("1.36130"), 5)).isEqualTo(d("1.35930"));
        assertThat(rule.sellPrice(d("1.36130"), 5)).isEqualTo(d("1.36430"));
        assertThat(rule.minMargin()).isEqualByComparingTo("0.001");
        assertThat(rule.maxMargin()).isEqualByComparingTo("0.004");
        assertThat(rule.unit()).isEqualTo(SpreadRule.Unit.ABSOLUTE);
    }

    @Test
    void boundsApplyToAbsoluteMarginsToo() {
        SpreadRule rule = SpreadRule.absolute("0", "0.01").withMarginBounds(d("0.0001"), d("0.005"));

        assertThat(rule.buyPrice(d("1.00000"), 5)).isEqualTo(d("0.99990"));
        assertThat(rule.sellPrice(d("1.00000"), 5)).isEqualTo(d("1.00500"));
    }

    @ParameterizedTest
    @CsvSource({"2, 1.5", "1.5, 1.5", "1.500001, 1.5"})
    void buyPriceThatWouldNotBePositiveIsHeldAtOneUnitOfTheLastPlace(String buyMargin, String mid) {
        SpreadRule rule = SpreadRule.absolute(buyMargin, "0.1");

        assertThat(rule.buyPrice(d(mid), 5)).isEqualTo(d("0.00001"));
        assertThat(rule.buyPrice(d(mid), 0)).isEqualTo(d("1"));
    }

    @Test
    void sellMarginInBpsMayExceedOneHundredPercent() {
        SpreadRule rule = SpreadRule.bps("0", "20000");

        assertThat(rule.sellPrice(d("1.5"), 2)).isEqualTo(d("4.50"));
    }

    /** Checks the rounding rule against independent arithmetic over many mids, scales and margins. */
    @Test
    void roundingAlwaysFavoursTheStoreOverManyCases() {
        Random random = new Random(20260302L);
        for (int i = 0; i < 2_000; i++) {
            int scale = random.nextInt(9);
            BigDecimal mid = BigDecimal.valueOf(1 + random.nextInt(2_000_000_000), 9); // 0.000000001 .. 2
            mid = mid.add(BigDecimal.ONE);
            BigDecimal buyBps = BigDecimal.valueOf(random.nextInt(5_000), 1);
            BigDecimal sellBps = BigDecimal.valueOf(random.nextInt(5_000), 1);
            SpreadRule rule = new SpreadRule(SpreadRule.Unit.BPS, buyBps, sellBps, null, null);

            BigDecimal exactBuy = mid.subtract(mid.multiply(buyBps).divide(BigDecimal.valueOf(10_000)));
            BigDecimal exactSell = mid.add(mid.multiply(sellBps).divide(BigDecimal.valueOf(10_000)));
            BigDecimal unit = BigDecimal.ONE.movePointLeft(scale);
            BigDecimal buy = rule.buyPrice(mid, scale);
            BigDecimal sell = rule.sellPrice(mid, scale);

            String ctx = "mid=" + mid + " scale=" + scale + " bps=" + buyBps + "/" + sellBps;
            assertThat(buy.scale()).as(ctx).isEqualTo(scale);
            assertThat(sell.scale()).as(ctx).isEqualTo(scale);
            assertThat(buy).as(ctx).isLessThanOrEqualTo(exactBuy.max(unit));
            assertThat(buy.add(unit)).as(ctx).isGreaterThan(exactBuy);
            assertThat(sell).as(ctx).isGreaterThanOrEqualTo(exactSell);
            assertThat(sell.subtract(unit)).as(ctx).isLessThan(exactSell);
            assertThat(buy).as(ctx).isLessThanOrEqualTo(sell);
            assertThat(buy).as(ctx).isEqualTo(exactBuy.setScale(scale, RoundingMode.DOWN).max(unit));
        }
    }

    @Test
    void negativeMarginsAreRefusedNamingTheField() {
        assertThat(catchThrowableOfType(ValidationException.class, () -> SpreadRule.bps("-1", "1")).field())
                .isEqualTo("buyMargin");
        assertThat(catchThrowableOfType(ValidationException.class, () -> SpreadRule.absolute("1", "-0.1")).field())
                .isEqualTo("sellMargin");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> SpreadRule.bps("1", "1").withMarginBounds(d("-0.1"), null)).field()).isEqualTo("minMargin");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> SpreadRule.bps("1", "1").withMarginBounds(null, d("-0.1"))).field()).isEqualTo("maxMargin");
    }

    @Test
    void buyMarginOfOneHundredPercentOrMoreInBpsIsRefused() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> SpreadRule.bps("10000", "1"));

        assertThat(e.field()).isEqualTo("buyMargin");
        assertThat(e.value()).isEqualTo("10000");
        assertThat(SpreadRule.bps("9999.99", "1").buyMargin()).isEqualByComparingTo("9999.99");
    }

    @Test
    void minMarginAboveMaxMarginIsRefused() {
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> SpreadRule.bps("1", "1").withMarginBounds(d("0.5"), d("0.4")));

        assertThat(e.field()).isEqualTo("minMargin");
        assertThat(e.value()).isEqualTo("0.5");
    }

    @Test
    void nonNumericOrMissingTextIsRefusedNamingTheField() {
        ValidationException text = catchThrowableOfType(ValidationException.class, () -> SpreadRule.bps("abc", "1"));
        ValidationException missing = catchThrowableOfType(ValidationException.class,
                () -> SpreadRule.absolute("1", null));

        assertThat(text.field()).isEqualTo("buyMargin");
        assertThat(text.value()).isEqualTo("abc");
        assertThat(missing.field()).isEqualTo("sellMargin");
        assertThat(missing.value()).isNull();
    }

    @Test
    void missingUnitAndHugeMarginsAreRefused() {
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new SpreadRule(null, BigDecimal.ONE, BigDecimal.ONE, null, null)).field()).isEqualTo("unit");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> SpreadRule.absolute("1E+50", "1")).field()).isEqualTo("buyMargin");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> SpreadRule.absolute("1", "0.00000000000000000001")).field()).isEqualTo("sellMargin");
    }
}
