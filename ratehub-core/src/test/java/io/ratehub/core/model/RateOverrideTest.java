package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateOverrideTest {
    private static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    private static final Instant FROM = Instant.parse("2026-03-02T10:00:00Z");
    private static final Instant UNTIL = Instant.parse("2026-03-02T18:00:00Z");

    private static RateOverride override(String buy, String sell) {
        return new RateOverride("store-1", USD_CAD, new BigDecimal(buy), new BigDecimal(sell), "alice", "promo",
                FROM, UNTIL, false);
    }

    private static ValidationException rejected(Runnable r) {
        ValidationException e = catchThrowableOfType(ValidationException.class, r::run);
        assertThat(e).as("expected a ValidationException").isNotNull();
        return e;
    }

    @ParameterizedTest
    @CsvSource({"1.36, 1.36", "1.37, 1.36"})
    void buyMustBeBelowSell(String buy, String sell) {
        ValidationException e = rejected(() -> override(buy, sell));

        assertThat(e.field()).isEqualTo("buy");
        assertThat(e.value()).isEqualTo(buy);
    }

    @Test
    void validFromMustBeBeforeValidUntil() {
        ValidationException same = rejected(() -> new RateOverride("store-1", USD_CAD, BigDecimal.ONE,
                BigDecimal.TEN, "alice", "promo", FROM, FROM, false));
        ValidationException reversed = rejected(() -> new RateOverride("store-1", USD_CAD, BigDecimal.ONE,
                BigDecimal.TEN, "alice", "promo", UNTIL, FROM, false));

        assertThat(same.field()).isEqualTo("validUntil");
        assertThat(reversed.field()).isEqualTo("validUntil");
    }

    @Test
    void activeFromValidFromInclusiveUntilValidUntilExclusive() {
        RateOverride o = override("1.35", "1.37");

        assertThat(o.isActiveAt(FROM.minusNanos(1))).isFalse();
        assertThat(o.isActiveAt(FROM)).isTrue();
        assertThat(o.isActiveAt(UNTIL.minusNanos(1))).isTrue();
        assertThat(o.isActiveAt(UNTIL)).isFalse();
    }

    @Test
    void actorAndReasonAreRequired() {
        BigDecimal one = BigDecimal.ONE;
        BigDecimal two = BigDecimal.valueOf(2);
        assertThat(rejected(() -> new RateOverride("s", USD_CAD, one, two, " ", "r", FROM, UNTIL, false)).field())
                .isEqualTo("actor");
        assertThat(rejected(() -> new RateOverride("s", USD_CAD, one, two, "a", null, FROM, UNTIL, false)).field())
                .isEqualTo("reason");
        assertThat(rejected(() -> new RateOverride("s", USD_CAD, one, two, "a", "x".repeat(501), FROM, UNTIL,
                false)).field()).isEqualTo("reason");
        assertThat(rejected(() -> new RateOverride("s", USD_CAD, one, two, "a", "r", null, UNTIL, false)).field())
                .isEqualTo("validFrom");
        assertThat(rejected(() -> new RateOverride("s", USD_CAD, BigDecimal.ZERO, two, "a", "r", FROM, UNTIL,
                false)).field()).isEqualTo("buy");
    }
}
