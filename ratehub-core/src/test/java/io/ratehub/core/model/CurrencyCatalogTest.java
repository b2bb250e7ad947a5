package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CurrencyCatalogTest {
    private static final CurrencyCatalog STANDARD = CurrencyCatalog.standard();

    @ParameterizedTest
    @CsvSource({
        "USD/CAD, 5",
        "EUR/USD, 5",
        "USD/JPY, 3",
        "EUR/JPY, 3",
        "JPY/USD, 5",
        "BTC/USD, 8",
        "USD/BTC, 8",
        "BTC/JPY, 8",
        "ETH/BTC, 8"
    })
    void standardScalesAreFiveForFiatThreeForJpyAndEightForCrypto(String pair, int scale) {
        assertThat(STANDARD.scaleOf(CurrencyPair.parse(pair))).isEqualTo(scale);
    }

    @Test
    void defaultConstantsMatchTheIssue() {
        assertThat(CurrencyCatalog.DEFAULT_FIAT_SCALE).isEqualTo(5);
        assertThat(CurrencyCatalog.DEFAULT_JPY_SCALE).isEqualTo(3);
        assertThat(CurrencyCatalog.DEFAULT_CRYPTO_SCALE).isEqualTo(8);
        assertThat(CurrencyCatalog.DEFAULT_CRYPTO_CODES).contains("BTC", "ETH", "USDT");
    }

    @Test
    void cryptoScaleIsConfigurable() {
        CurrencyCatalog c = CurrencyCatalog.builder().cryptoScale(6).build();

        assertThat(c.scaleOf(CurrencyPair.parse("BTC/USD"))).isEqualTo(6);
        assertThat(c.scaleOf(CurrencyPair.parse("USD/CAD"))).isEqualTo(5);
        assertThat(STANDARD.scaleOf(CurrencyPair.parse("BTC/USD"))).as("standard untouched").isEqualTo(8);
    }

    @Test
    void pairScaleTakesPrecedenceOverEveryOtherRule() {
        CurrencyPair btcJpy = new CurrencyPair("BTC", "JPY");
        CurrencyPair usdJpy = new CurrencyPair("USD", "JPY");
        CurrencyCatalog c = CurrencyCatalog.builder()
                .pairScale(btcJpy, 0)
                .pairScale(usdJpy, 2)
                .fiatScale(4)
                .quoteScale("CHF", 6)
                .build();

        assertThat(c.scaleOf(btcJpy)).isZero();
        assertThat(c.scaleOf(usdJpy)).isEqualTo(2);
        assertThat(c.scaleOf(new CurrencyPair("EUR", "JPY"))).isEqualTo(3);
        assertThat(c.scaleOf(new CurrencyPair("EUR", "CHF"))).isEqualTo(6);
        assertThat(c.scaleOf(new CurrencyPair("EUR", "USD"))).isEqualTo(4);
    }

    @Test
    void cryptoSideWinsOverQuoteScale() {
        CurrencyCatalog c = CurrencyCatalog.builder().quoteScale("USD", 2).build();

        assertThat(c.scaleOf(new CurrencyPair("BTC", "USD"))).isEqualTo(8);
        assertThat(c.scaleOf(new CurrencyPair("EUR", "USD"))).isEqualTo(2);
    }

    @Test
    void customCryptoCodeIsKnownOnlyToItsCatalog() {
        CurrencyCatalog c = CurrencyCatalog.builder().crypto("PEPE").build();

        assertThat(c.isKnown("PEPE")).isTrue();
        assertThat(c.isCrypto("PEPE")).isTrue();
        assertThat(c.parse("PEPE/USD")).isEqualTo(new CurrencyPair("PEPE", "USD"));
        assertThat(c.parse("PEPEUSD")).isEqualTo(new CurrencyPair("PEPE", "USD"));
        assertThat(c.scaleOf(new CurrencyPair("PEPE", "USD"))).isEqualTo(8);
        assertThat(STANDARD.isKnown("PEPE")).isFalse();
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> CurrencyPair.parse("PEPE/USD"));
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PAIR);
    }

    @Test
    void mutateStartsFromTheCatalogsSettingsAndLeavesItUnchanged() {
        CurrencyPair usdCad = new CurrencyPair("USD", "CAD");
        CurrencyCatalog first = CurrencyCatalog.builder().crypto("PEPE").cryptoScale(6).pairScale(usdCad, 4).build();

        CurrencyCatalog second = first.mutate().fiatScale(3).build();

        assertThat(second.isKnown("PEPE")).isTrue();
        assertThat(second.scaleOf(new CurrencyPair("BTC", "USD"))).isEqualTo(6);
        assertThat(second.scaleOf(usdCad)).isEqualTo(4);
        assertThat(second.scaleOf(new CurrencyPair("EUR", "USD"))).isEqualTo(3);
        assertThat(first.scaleOf(new CurrencyPair("EUR", "USD"))).isEqualTo(5);
    }

    @Test
    void knownCodesAreIsoAndCryptoWithoutTestCodes() {
        assertThat(STANDARD.isKnown("USD")).isTrue();
        assertThat(STANDARD.isKnown("KWD")).isTrue();
        assertThat(STANDARD.isKnown("BTC")).isTrue();
        assertThat(STANDARD.isKnown("XTS")).isFalse();
        assertThat(STANDARD.isKnown("XXX")).isFalse();
        assertThat(STANDARD.isKnown("usd")).isFalse();
        assertThat(STANDARD.isKnown((String) null)).isFalse();
        assertThat(STANDARD.isKnown((CurrencyPair) null)).isFalse();
        assertThat(STANDARD.isKnown(new CurrencyPair("ZZZ", "USD"))).isFalse();
        assertThat(STANDARD.isCrypto("BTC")).isTrue();
        assertThat(STANDARD.isCrypto("USD")).isFalse();
    }

    @Test
    void requireKnownNamesThePairAndTheUnknownCode() {
        CurrencyPair zzz = new CurrencyPair("USD", "ZZZ");

        ValidationException e = catchThrowableOfType(ValidationException.class, () -> STANDARD.requireKnown(zzz));

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PAIR);
        assertThat(e.field()).isEqualTo("pair");
        assertThat(e.value()).isEqualTo("USD/ZZZ");
        assertThat(e.getMessage()).contains("ZZZ");
        assertThat(STANDARD.requireKnown(new CurrencyPair("USD", "CAD"))).isEqualTo(new CurrencyPair("USD", "CAD"));
    }

    @ParameterizedTest
    @CsvSource({"USD, 2", "JPY, 0", "KWD, 3", "CAD, 2", "BTC, 8", "ETH, 8"})
    void amountScaleIsIsoMinorUnitsOrCryptoScale(String code, int scale) {
        assertThat(STANDARD.amountScaleOf(code)).isEqualTo(scale);
    }

    @Test
    void amountScaleOfUnknownCodeIsRefusedNamingIt() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> STANDARD.amountScaleOf("ZZZ"));

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PAIR);
        assertThat(e.field()).isEqualTo("currency");
        assertThat(e.value()).isEqualTo("ZZZ");
    }

    @Test
    void joinedTextThatSplitsTwoWaysIsRefusedAsAmbiguous() {
        // AB+CUSD+X or ABC+USD+X: two places where both halves are known codes.
        CurrencyCatalog c = CurrencyCatalog.builder().crypto("AB").crypto("CUSDX").crypto("ABC").crypto("USDX").build();

        ValidationException e = catchThrowableOfType(ValidationException.class, () -> c.parse("ABCUSDX"));

        assertThat(e.field()).isEqualTo("pair");
        assertThat(e.value()).isEqualTo("ABCUSDX");
        assertThat(e.getMessage()).contains("ambiguous");
    }

    @Test
    void sixCharacterJoinedTextThatSplitsTwoWaysIsRefusedAsAmbiguous() {
        // "ABCUSD" is ABC/USD but also AB/CUSD; the documented rule refuses it as ambiguous.
        CurrencyCatalog c = CurrencyCatalog.builder().crypto("AB").crypto("CUSD").crypto("ABC").build();

        Throwable t = catchThrowable(() -> c.parse("ABCUSD"));

        assertThat(t).isInstanceOf(ValidationException.class).hasMessageContaining("ambiguous");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 13, Integer.MAX_VALUE})
    void scalesOutsideZeroToTwelveAreRefused(int scale) {
        CurrencyPair usdCad = new CurrencyPair("USD", "CAD");
        for (Runnable r : new Runnable[] {
            () -> CurrencyCatalog.builder().fiatScale(scale),
            () -> CurrencyCatalog.builder().cryptoScale(scale),
            () -> CurrencyCatalog.builder().quoteScale("JPY", scale),
            () -> CurrencyCatalog.builder().pairScale(usdCad, scale)}) {
            ValidationException e = catchThrowableOfType(ValidationException.class, r::run);
            assertThat(e).isNotNull();
            assertThat(e.field()).isEqualTo("scale");
            assertThat(e.value()).isEqualTo(Integer.toString(scale));
        }
    }

    @Test
    void scalesZeroAndTwelveAreAccepted() {
        CurrencyCatalog c = CurrencyCatalog.builder().fiatScale(0).cryptoScale(12).build();

        assertThat(c.scaleOf(new CurrencyPair("EUR", "USD"))).isZero();
        assertThat(c.scaleOf(new CurrencyPair("BTC", "USD"))).isEqualTo(12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"btc", "1INCH", "A", "TOOLONGCODE1", "B-C"})
    void malformedCryptoCodeIsRefusedNamingIt(String code) {
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> CurrencyCatalog.builder().crypto(code));

        assertThat(e.field()).isEqualTo("code");
        assertThat(e.value()).isEqualTo(code);
    }

    @Test
    void nullCryptoCodeOrPairIsRefusedNamingTheField() {
        ValidationException crypto = catchThrowableOfType(ValidationException.class,
                () -> CurrencyCatalog.builder().crypto(null));
        ValidationException pair = catchThrowableOfType(ValidationException.class,
                () -> CurrencyCatalog.builder().pairScale(null, 2));

        assertThat(crypto.field()).isEqualTo("code");
        assertThat(pair.field()).isEqualTo("pair");
    }

    @Test
    void quoteScaleRejectsNullAndMalformedCodesNamingTheField() {
        Throwable nullCode = catchThrowable(() -> CurrencyCatalog.builder().quoteScale(null, 2));
        Throwable lowerCase = catchThrowable(() -> CurrencyCatalog.builder().quoteScale("jpy", 2));

        assertThat(nullCode).isInstanceOf(ValidationException.class);
        assertThat(((ValidationException) nullCode).field()).isEqualTo("quoteCode");
        assertThat(lowerCase).isInstanceOf(ValidationException.class);
        assertThat(((ValidationException) lowerCase).field()).isEqualTo("quoteCode");
    }

    @Test
    void lookUpsRejectNullWithValidationException() {
        assertThat(catchThrowable(() -> STANDARD.scaleOf(null))).isInstanceOf(ValidationException.class);
        assertThat(catchThrowable(() -> STANDARD.amountScaleOf(null))).isInstanceOf(ValidationException.class);
        assertThat(catchThrowable(() -> STANDARD.isCrypto(null))).isNull();
    }
}
