package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarketRateTest {
    private static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static MarketRate rate(String bid, String ask, String mid) {
        return new MarketRate(USD_CAD, new BigDecimal(bid), new BigDecimal(ask), new BigDecimal(mid), T0,
                List.of("a"), false);
    }

    @Test
    void midMustLieBetweenBidAndAsk() {
        assertThat(rate("1.1", "1.3", "1.1").mid()).isEqualByComparingTo("1.1");
        assertThat(rate("1.1", "1.3", "1.3").mid()).isEqualByComparingTo("1.3");

        ValidationException below = catchThrowableOfType(ValidationException.class, () -> rate("1.1", "1.3", "1.0"));
        ValidationException above = catchThrowableOfType(ValidationException.class, () -> rate("1.1", "1.3", "1.31"));
        assertThat(below.field()).isEqualTo("mid");
        assertThat(above.field()).isEqualTo("mid");
    }

    @Test
    void bidAboveAskIsRefused() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> rate("1.4", "1.3", "1.35"));

        assertThat(e.field()).isEqualTo("bid");
    }

    @Test
    void sourcesAreCopiedAndUnmodifiable() {
        List<String> sources = new ArrayList<>(List.of("a", "b"));
        MarketRate r = new MarketRate(USD_CAD, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, T0, sources, false);

        sources.add("c");

        assertThat(r.sources()).containsExactly("a", "b");
        assertThatThrownBy(() -> r.sources().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void asStaleKeepsLastPricesAndDropsSources() {
        MarketRate live = rate("1.1", "1.3", "1.2");

        MarketRate stale = live.asStale();

        assertThat(stale.stale()).isTrue();
        assertThat(stale.sources()).isEmpty();
        assertThat(stale.bid()).isEqualTo(live.bid());
        assertThat(stale.ask()).isEqualTo(live.ask());
        assertThat(stale.mid()).isEqualTo(live.mid());
        assertThat(stale.asOf()).isEqualTo(live.asOf());
        assertThat(stale.asStale()).isSameAs(stale);
        assertThat(live.stale()).as("original unchanged").isFalse();
    }

    @Test
    void requiredComponentsAreNamed() {
        BigDecimal one = BigDecimal.ONE;
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new MarketRate(USD_CAD, one, one, one, null, List.of(), false)).field()).isEqualTo("asOf");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new MarketRate(USD_CAD, one, one, one, T0, null, false)).field()).isEqualTo("sources");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> new MarketRate(null, one, one, one, T0, List.of(), false)).field()).isEqualTo("pair");
    }
}
