package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoreRateTest {
    private static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static StoreRate rate(String buy, String sell, Instant validUntil, boolean stale) {
        return new StoreRate("store-1", USD_CAD, new BigDecimal(buy), new BigDecimal(sell), new BigDecimal("1.36"),
                validUntil == null ? RateBasis.MARKET : RateBasis.OVERRIDE, T0, validUntil, stale);
    }

    @Test
    void priceOfASideIsTheStoresBuyOrSellRate() {
        StoreRate r = rate("1.35", "1.37", null, false);

        assertThat(r.price(Side.BUY)).isEqualByComparingTo("1.35");
        assertThat(r.price(Side.SELL)).isEqualByComparingTo("1.37");
    }

    @Test
    void buyAboveSellIsRefusedButEqualIsAllowed() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> rate("1.38", "1.37", null, false));

        assertThat(e.field()).isEqualTo("buy");
        assertThat(rate("1.37", "1.37", null, false).buy()).isEqualByComparingTo("1.37");
    }

    @Test
    void staleRateIsNeverLive() {
        assertThat(rate("1.35", "1.37", null, true).isLiveAt(T0)).isFalse();
        assertThat(rate("1.35", "1.37", null, false).isLiveAt(T0.plusSeconds(86_400 * 365L))).isTrue();
    }

    @Test
    void overrideRateIsLiveUntilItsEndExclusive() {
        Instant end = T0.plusSeconds(3600);
        StoreRate r = rate("1.35", "1.37", end, false);

        assertThat(r.isLiveAt(end.minusNanos(1))).isTrue();
        assertThat(r.isLiveAt(end)).isFalse();
    }

    @Test
    void requiredComponentsAreNamed() {
        BigDecimal one = BigDecimal.ONE;
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new StoreRate("store 1", USD_CAD, one, one, one, RateBasis.MARKET, T0, null, false)).field())
                .isEqualTo("storeId");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new StoreRate("s", USD_CAD, one, one, BigDecimal.ZERO, RateBasis.MARKET, T0, null, false))
                .field()).isEqualTo("mid");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new StoreRate("s", USD_CAD, one, one, one, null, T0, null, false)).field()).isEqualTo("basis");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new StoreRate("s", USD_CAD, one, one, one, RateBasis.MARKET, null, null, false)).field())
                .isEqualTo("asOf");
    }
}
