package io.ratehub.core.model;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The currencies ratehub knows and the number of decimal places each pair is priced in.
 *
 * <p>Known codes are the ISO 4217 codes of the running JDK ({@link Currency#getAvailableCurrencies()},
 * without the test and no-currency codes XTS and XXX) plus the crypto codes of the catalog. A pair's scale is,
 * in order of precedence: the scale set for that pair; {@link #DEFAULT_CRYPTO_SCALE} (or the configured crypto
 * scale) when either side is a crypto code; the scale set for the quote currency (JPY: 3 by default, as FX
 * markets quote USD/JPY 151.234); otherwise the fiat scale ({@link #DEFAULT_FIAT_SCALE}, 5).
 *
 * <p>Immutable and thread-safe; build variants with {@link #builder()} or {@link #mutate()}.
 */
public final class CurrencyCatalog {
    /** Decimal places of a fiat pair unless configured otherwise: 5. */
    public static final int DEFAULT_FIAT_SCALE = 5;
    /** Decimal places of a pair quoted in JPY unless configured otherwise: 3. */
    public static final int DEFAULT_JPY_SCALE = 3;
    /** Decimal places of a pair with a crypto side unless configured otherwise: 8. */
    public static final int DEFAULT_CRYPTO_SCALE = 8;
    /** Crypto codes known to the standard catalog. */
    public static final Set<String> DEFAULT_CRYPTO_CODES = Set.of(
            "BTC", "ETH", "USDT", "USDC", "SOL", "XRP", "LTC", "BCH", "ADA", "DOGE", "DOT", "BNB", "TRX",
            "AVAX", "LINK", "XLM", "DAI");

    private static final Set<String> ISO_CODES = isoCodes();
    private static final CurrencyCatalog STANDARD = builder().build();

    private final Set<String> cryptoCodes;
    private final int fiatScale;
    private final int cryptoScale;
    private final Map<String, Integer> quoteScales;
    private final Map<CurrencyPair, Integer> pairScales;

    private CurrencyCatalog(Builder b) {
        this.cryptoCodes = Set.copyOf(b.cryptoCodes);
        this.fiatScale = b.fiatScale;
        this.cryptoScale = b.cryptoScale;
        this.quoteScales = Map.copyOf(b.quoteScales);
        this.pairScales = Map.copyOf(b.pairScales);
    }

    private static Set<String> isoCodes() {
        Set<String> codes = new HashSet<>();
        for (Currency c : Currency.getAvailableCurrencies()) {
            codes.add(c.getCurrencyCode());
        }
        codes.remove("XTS");
        codes.remove("XXX");
        return Set.copyOf(codes);
    }

    /** The catalog with every default: ISO codes, {@link #DEFAULT_CRYPTO_CODES}, scales 5 / 3 (JPY) / 8. */
    public static CurrencyCatalog standard() {
        return STANDARD;
    }

    /** A builder starting from the defaults of {@link #standard()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this catalog's settings. */
    public Builder mutate() {
        Builder b = new Builder();
        b.cryptoCodes.clear();
        b.cryptoCodes.addAll(cryptoCodes);
        b.fiatScale = fiatScale;
        b.cryptoScale = cryptoScale;
        b.quoteScales.clear();
        b.quoteScales.putAll(quoteScales);
        b.pairScales.putAll(pairScales);
        return b;
    }

    /** Whether {@code code} is an ISO 4217 code or one of this catalog's crypto codes. */
    public boolean isKnown(String code) {
        return code != null && (ISO_CODES.contains(code) || cryptoCodes.contains(code));
    }

    /** Whether {@code code} is one of this catalog's crypto codes. */
    public boolean isCrypto(String code) {
        return code != null && cryptoCodes.contains(code);
    }

    /** Whether both codes of the pair are known. */
    public boolean isKnown(CurrencyPair pair) {
        return pair != null && isKnown(pair.base()) && isKnown(pair.quote());
    }

    /**
     * Returns the pair when both of its codes are known.
     *
     * @throws ValidationException with {@link ErrorCode#UNKNOWN_PAIR} naming the pair otherwise
     */
    public CurrencyPair requireKnown(CurrencyPair pair) {
        Require.notNull("pair", pair);
        if (!isKnown(pair.base())) {
            throw new ValidationException(ErrorCode.UNKNOWN_PAIR, "pair", pair, "unknown currency " + pair.base());
        }
        if (!isKnown(pair.quote())) {
            throw new ValidationException(ErrorCode.UNKNOWN_PAIR, "pair", pair, "unknown currency " + pair.quote());
        }
        return pair;
    }

    /** The number of decimal places {@code pair} is priced in. */
    public int scaleOf(CurrencyPair pair) {
        Require.notNull("pair", pair);
        Integer explicit = pairScales.get(pair);
        if (explicit != null) {
            return explicit;
        }
        if (isCrypto(pair.base()) || isCrypto(pair.quote())) {
            return cryptoScale;
        }
        return quoteScales.getOrDefault(pair.quote(), fiatScale);
    }

    /**
     * The number of decimal places an amount of {@code code} is counted in: the ISO minor units (USD 2, JPY 0,
     * KWD 3), or the crypto scale for crypto codes.
     */
    public int amountScaleOf(String code) {
        Require.notNull("currency", code);
        if (isCrypto(code)) {
            return cryptoScale;
        }
        if (ISO_CODES.contains(code)) {
            int digits = Currency.getInstance(code).getDefaultFractionDigits();
            return digits < 0 ? 2 : digits;
        }
        throw new ValidationException(ErrorCode.UNKNOWN_PAIR, "currency", code, "unknown currency");
    }

    /**
     * Parses {@code "USD/CAD"}, {@code "USD-CAD"} or {@code "USDCAD"} (case-insensitive) into a pair of known
     * codes. Without a separator the text is split where both halves are known codes; when that is not exactly
     * one place, the text is refused as ambiguous.
     *
     * @throws ValidationException with field {@code pair} naming the input when malformed or unknown
     */
    public CurrencyPair parse(String text) {
        Require.notNull("pair", text);
        String t = text.trim().toUpperCase(Locale.ROOT);
        int sep = indexOfSeparator(t);
        CurrencyPair pair;
        if (sep >= 0) {
            try {
                pair = new CurrencyPair(t.substring(0, sep), t.substring(sep + 1));
            } catch (ValidationException e) {
                throw new ValidationException("pair", text, "must look like USD/CAD or USDCAD");
            }
        } else {
            pair = splitJoined(text, t);
        }
        if (!isKnown(pair.base()) || !isKnown(pair.quote())) {
            String unknown = isKnown(pair.base()) ? pair.quote() : pair.base();
            throw new ValidationException(ErrorCode.UNKNOWN_PAIR, "pair", text, "unknown currency " + unknown);
        }
        return pair;
    }

    private static int indexOfSeparator(String t) {
        int slash = t.indexOf('/');
        return slash >= 0 ? slash : t.indexOf('-');
    }

    private CurrencyPair splitJoined(String original, String t) {
        CurrencyPair found = null;
        for (int i = 2; i <= t.length() - 2; i++) {
            String base = t.substring(0, i);
            String quote = t.substring(i);
            if (isKnown(base) && isKnown(quote) && !base.equals(quote)) {
                if (found != null) {
                    throw new ValidationException("pair", original, "is ambiguous; write it as BASE/QUOTE");
                }
                found = new CurrencyPair(base, quote);
            }
        }
        if (found == null) {
            throw new ValidationException(ErrorCode.UNKNOWN_PAIR, "pair", original,
                    "must be two known currency codes, like USD/CAD or USDCAD");
        }
        return found;
    }

    @Override
    public String toString() {
        return "CurrencyCatalog[crypto=" + new TreeSet<>(cryptoCodes) + ", fiatScale=" + fiatScale
                + ", cryptoScale=" + cryptoScale + ", quoteScales=" + quoteScales + ", pairScales=" + pairScales + "]";
    }

    /** Builds a {@link CurrencyCatalog}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private final Set<String> cryptoCodes = new HashSet<>(DEFAULT_CRYPTO_CODES);
        private int fiatScale = DEFAULT_FIAT_SCALE;
        private int cryptoScale = DEFAULT_CRYPTO_SCALE;
        private final Map<String, Integer> quoteScales = new HashMap<>(Map.of("JPY", DEFAULT_JPY_SCALE));
        private final Map<CurrencyPair, Integer> pairScales = new HashMap<>();

        private Builder() {
        }

        /** Adds a crypto code (2-10 upper-case letters or digits). Default: {@link #DEFAULT_CRYPTO_CODES}. */
        public Builder crypto(String code) {
            CurrencyPair.checkCode("code", code);
            cryptoCodes.add(code);
            return this;
        }

        /** Scale of fiat pairs. Default {@link #DEFAULT_FIAT_SCALE}. */
        public Builder fiatScale(int scale) {
            this.fiatScale = checkScale(scale);
            return this;
        }

        /** Scale of pairs with a crypto side. Default {@link #DEFAULT_CRYPTO_SCALE}. */
        public Builder cryptoScale(int scale) {
            this.cryptoScale = checkScale(scale);
            return this;
        }

        /** Scale of fiat pairs quoted in {@code quoteCode}. Default: JPY 3. */
        public Builder quoteScale(String quoteCode, int scale) {
            CurrencyPair.checkCode("quoteCode", quoteCode);
            quoteScales.put(quoteCode, checkScale(scale));
            return this;
        }

        /** Scale of one pair, overriding every other rule. Default: none. */
        public Builder pairScale(CurrencyPair pair, int scale) {
            Require.notNull("pair", pair);
            pairScales.put(pair, checkScale(scale));
            return this;
        }

        private static int checkScale(int scale) {
            if (scale < 0 || scale > Require.MAX_SCALE) {
                throw new ValidationException("scale", scale, "must be between 0 and " + Require.MAX_SCALE);
            }
            return scale;
        }

        /** The catalog. */
        public CurrencyCatalog build() {
            return new CurrencyCatalog(this);
        }
    }
}
