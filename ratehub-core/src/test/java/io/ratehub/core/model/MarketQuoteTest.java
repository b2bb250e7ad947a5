package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MarketQuoteTest {
    private static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static MarketQuote quote(String bid, String ask) {
        return new MarketQuote(USD_CAD, new BigDecimal(bid), new BigDecimal(ask), "feed-a", T0);
    }

    private static ValidationException rejected(Runnable r) {
        ValidationException e = catchThrowableOfType(ValidationException.class, r::run);
        assertThat(e).as("expected a ValidationException").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        return e;
    }

    @Test
    void keepsItsComponents() {
        MarketQuote q = quote("1.36120", "1.36140");

        assertThat(q.pair()).isEqualTo(USD_CAD);
        assertThat(q.bid()).isEqualByComparingTo("1.36120");
        assertThat(q.ask()).isEqualByComparingTo("1.36140");
        assertThat(q.source()).isEqualTo("feed-a");
        assertThat(q.time()).isEqualTo(T0);
    }

    @ParameterizedTest
    @CsvSource({
        "1.36120, 1.36140, 1.361300",
        "1.3612, 1.3613, 1.36125",
        "1, 2, 1.5",
        "0.000000000001, 0.000000000002, 0.0000000000015",
        "1.5, 1.5, 1.50",
        "1E+3, 3E+3, 2E+3"
    })
    void midIsTheExactHalfOfBidPlusAsk(String bid, String ask, String mid) {
        assertThat(quote(bid, ask).mid()).isEqualByComparingTo(mid);
    }

    @Test
    void bidEqualToAskIsAccepted() {
        assertThat(quote("1.2", "1.2").mid()).isEqualByComparingTo("1.2");
    }

    @Test
    void bidAboveAskIsRefusedNamingBid() {
        ValidationException e = rejected(() -> quote("1.36150", "1.36140"));

        assertThat(e.field()).isEqualTo("bid");
        assertThat(e.value()).isEqualTo("1.36150");
        assertThat(e.getMessage()).contains("1.36140");
    }

    @ParameterizedTest
    @CsvSource({"0, 1, bid", "-1.2, 1, bid", "1, 0, ask", "1, -0.5, ask", "0.0, 1, bid"})
    void nonPositivePricesAreRefusedNamingTheField(String bid, String ask, String field) {
        ValidationException e = rejected(() -> quote(bid, ask));

        assertThat(e.field()).isEqualTo(field);
        assertThat(e.value()).isEqualTo(new BigDecimal("bid".equals(field) ? bid : ask).toPlainString());
    }

    @Test
    void twelveDecimalsAndTwelveIntegerDigitsAreTheLimits() {
        assertThat(quote("0.000000000001", "999999999999.999999999999").ask())
                .isEqualByComparingTo("999999999999.999999999999");

        assertThat(rejected(() -> quote("0.0000000000001", "1")).field()).isEqualTo("bid");
        assertThat(rejected(() -> quote("1", "1000000000000")).field()).isEqualTo("ask");
    }

    @Test
    void trailingZerosBeyondTwelveDecimalsAreNotRealDecimals() {
        assertThat(quote("1.00000000000000000000", "2").bid()).isEqualByComparingTo("1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1E+50", "1E+13", "123456789012345678901234567890"})
    void hugeNumbersAreRefusedWithoutExpandingThem(String huge) {
        ValidationException e = rejected(() -> quote("1", huge));

        assertThat(e.field()).isEqualTo("ask");
        assertThat(e.getMessage()).hasSizeLessThan(300);
    }

    @Test
    void absurdExponentIsRefusedQuickly() {
        ValidationException e = rejected(() -> quote("1", "1E+999999999"));

        assertThat(e.field()).isEqualTo("ask");
        assertThat(e.value()).hasSizeLessThan(100);
    }

    @Test
    void scaleTwentyIsRefused() {
        ValidationException e = rejected(() -> quote("1.00000000000000000001", "2"));

        assertThat(e.field()).isEqualTo("bid");
        assertThat(e.value()).isEqualTo("1.00000000000000000001");
    }

    @Test
    void nullComponentsAreRefusedNamingTheField() {
        BigDecimal one = BigDecimal.ONE;
        assertThat(rejected(() -> new MarketQuote(null, one, one, "a", T0)).field()).isEqualTo("pair");
        assertThat(rejected(() -> new MarketQuote(USD_CAD, null, one, "a", T0)).field()).isEqualTo("bid");
        assertThat(rejected(() -> new MarketQuote(USD_CAD, one, null, "a", T0)).field()).isEqualTo("ask");
        assertThat(rejected(() -> new MarketQuote(USD_CAD, one, one, null, T0)).field()).isEqualTo("source");
        assertThat(rejected(() -> new MarketQuote(USD_CAD, one, one, "a", null)).field()).isEqualTo("time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-feed", "feed a", "feed/a", "é"})
    void malformedSourceIsRefused(String source) {
        BigDecimal one = BigDecimal.ONE;
        ValidationException e = rejected(() -> new MarketQuote(USD_CAD, one, one, source, T0));

        assertThat(e.field()).isEqualTo("source");
        assertThat(e.value()).isEqualTo(source);
    }

    @Test
    void sourceOfSixtyFourCharactersIsTheLimit() {
        BigDecimal one = BigDecimal.ONE;
        String ok = "a".repeat(64);

        assertThat(new MarketQuote(USD_CAD, one, one, ok, T0).source()).isEqualTo(ok);
        assertThat(rejected(() -> new MarketQuote(USD_CAD, one, one, ok + "a", T0)).field()).isEqualTo("source");
    }

    @Test
    void validSourceCharacters() {
        BigDecimal one = BigDecimal.ONE;
        assertThat(new MarketQuote(USD_CAD, one, one, "ecb.v2:feed_A-1", T0).source()).isEqualTo("ecb.v2:feed_A-1");
    }

    @Test
    void equalQuotesAreEqualValues() {
        assertThat(quote("1.1", "1.2")).isEqualTo(quote("1.1", "1.2")).isNotEqualTo(quote("1.1", "1.3"));
    }
}
