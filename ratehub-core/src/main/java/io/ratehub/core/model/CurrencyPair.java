package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import java.util.regex.Pattern;

/**
 * A currency pair such as {@code USD/CAD}: the price of one unit of {@link #base()} in units of
 * {@link #quote()}. Codes are upper case: ISO 4217 codes and crypto codes (BTC, ETH, ...).
 *
 * <p>The constructor checks only the shape of the codes; whether a code is known, and how many decimal
 * places the pair is priced in, is the business of a {@link CurrencyCatalog}. {@link #parse(String)} uses
 * {@link CurrencyCatalog#standard()}.
 *
 * <p>Immutable and thread-safe. Two pairs are equal when base and quote are equal.
 *
 * @param base the currency being priced, for example {@code USD}
 * @param quote the currency the price is expressed in, for example {@code CAD}
 */
public record CurrencyPair(String base, String quote) {
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9]{1,9}");

    /** Validates the codes' shape: 2 to 10 upper-case letters or digits, starting with a letter; base != quote. */
    public CurrencyPair {
        checkCode("base", base);
        checkCode("quote", quote);
        if (base.equals(quote)) {
            throw new ValidationException("pair", base + "/" + quote, "base and quote must differ");
        }
    }

    static void checkCode(String field, String code) {
        if (code == null) {
            throw new ValidationException(field, null, "is required");
        }
        if (!CODE.matcher(code).matches()) {
            throw new ValidationException(field, code,
                    "must be a currency code of 2-10 upper-case letters or digits");
        }
    }

    /**
     * Parses {@code "USD/CAD"} or {@code "USDCAD"} (case-insensitive) against the standard catalog.
     *
     * @throws ValidationException naming the input when it is malformed or a code is unknown
     */
    public static CurrencyPair parse(String text) {
        return CurrencyCatalog.standard().parse(text);
    }

    /** The pair in its canonical text form, {@code BASE/QUOTE}. */
    @Override
    public String toString() {
        return base + "/" + quote;
    }
}
