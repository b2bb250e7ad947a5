package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CurrencyPairTest {

    @ParameterizedTest
    @CsvSource({
        "USD/CAD, USD, CAD",
        "USDCAD, USD, CAD",
        "usd/cad, USD, CAD",
        "usdcad, USD, CAD",
        "USD-CAD, USD, CAD",
        "' EUR/USD ', EUR, USD",
        "USD/JPY, USD, JPY",
        "BTC/USD, BTC, USD",
        "BTCUSD, BTC, USD",
        "ETH/BTC, ETH, BTC",
        "ETHBTC, ETH, BTC",
        "BTCUSDT, BTC, USDT",
        "USDT/CAD, USDT, CAD",
        "USDTCAD, USDT, CAD",
        "DOGEUSD, DOGE, USD"
    })
    void parsesSlashDashAndJoinedForms(String text, String base, String quote) {
        CurrencyPair pair = CurrencyPair.parse(text);

        assertThat(pair.base()).isEqualTo(base);
        assertThat(pair.quote()).isEqualTo(quote);
        assertThat(pair).isEqualTo(new CurrencyPair(base, quote));
    }

    @Test
    void canonicalTextIsBaseSlashQuoteAndRoundTrips() {
        CurrencyPair pair = new CurrencyPair("USD", "CAD");

        assertThat(pair).hasToString("USD/CAD");
        assertThat(CurrencyPair.parse(pair.toString())).isEqualTo(pair);
    }

    @Test
    void pairsAreEqualByBaseAndQuoteAndOrderMatters() {
        assertThat(new CurrencyPair("USD", "CAD")).isEqualTo(new CurrencyPair("USD", "CAD"))
                .hasSameHashCodeAs(new CurrencyPair("USD", "CAD"))
                .isNotEqualTo(new CurrencyPair("CAD", "USD"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZZZ/CAD", "ZZZCAD", "USD/ZZZ", "usd/zzz", "XTS/USD", "XXX/USD"})
    void unknownCodesAreRefusedNamingTheInput(String text) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> CurrencyPair.parse(text));

        assertThat(e).as("parse(%s)", text).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PAIR);
        assertThat(e.field()).isEqualTo("pair");
        assertThat(e.value()).isEqualTo(text);
        assertThat(e.getMessage()).contains(text);
    }

    @Test
    void unknownCodeIsNamedInTheMessage() {
        assertThatThrownBy(() -> CurrencyPair.parse("USD/QQQ"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("QQQ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"USD/", "/CAD", "/", "USD//CAD", "USD/CAD/EUR", "US D/CAD", "USD/C$D", "USD/USD",
        "USDUSD", "", "   ", "USDCA", "U", "1USD/CAD"})
    void malformedTextIsRefusedNamingTheInput(String text) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> CurrencyPair.parse(text));

        assertThat(e).as("parse('%s')", text).isNotNull();
        assertThat(e.field()).isEqualTo("pair");
        assertThat(e.value()).isEqualTo(text);
        assertThat(e.code()).isIn(ErrorCode.INVALID_ARGUMENT, ErrorCode.UNKNOWN_PAIR);
    }

    @Test
    void parseOfNullNamesTheField() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> CurrencyPair.parse(null));

        assertThat(e.field()).isEqualTo("pair");
        assertThat(e.value()).isNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void constructorChecksShapeOnlyNotWhetherTheCodeIsKnown() {
        CurrencyPair pair = new CurrencyPair("ZZZ", "CAD");

        assertThat(pair.base()).isEqualTo("ZZZ");
        assertThat(CurrencyCatalog.standard().isKnown(pair)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(value = {
        "usd, CAD, base",
        "USD, cad, quote",
        "U, CAD, base",
        "USD, ABCDEFGHIJK, quote",
        "1US, CAD, base",
        "US-D, CAD, base",
        "NULL, CAD, base",
        "USD, NULL, quote"
    }, nullValues = "NULL")
    void constructorRejectsMalformedCodesNamingTheField(String base, String quote, String field) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> new CurrencyPair(base, quote));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.value()).isEqualTo("base".equals(field) ? base : quote);
    }

    @Test
    void constructorAcceptsTwoToTenCharacterCodes() {
        assertThat(new CurrencyPair("AB", "ABCDEFGHI1").quote()).isEqualTo("ABCDEFGHI1");
    }

    @Test
    void baseAndQuoteMustDiffer() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> new CurrencyPair("USD", "USD"));

        assertThat(e.field()).isEqualTo("pair");
        assertThat(e.value()).isEqualTo("USD/USD");
    }
}
