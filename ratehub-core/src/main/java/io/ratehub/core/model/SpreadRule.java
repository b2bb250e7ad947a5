package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How a store prices a pair from the market mid: a margin below the mid for buying and above it for selling.
 *
 * <p>Margins are in basis points of the mid ({@link Unit#BPS}, 100 bps = 1%) or in absolute units of the quote
 * currency ({@link Unit#ABSOLUTE}), set for buy and sell separately. Each computed margin is then held within
 * {@code [minMargin, maxMargin]} (absolute, quote currency) when those are given. The store rate is
 * {@code buy = mid - buyMargin} rounded <b>down</b> and {@code sell = mid + sellMargin} rounded <b>up</b> to the
 * pair's scale, so rounding always favours the store. A buy price that would not be positive is held at one unit
 * of the pair's last decimal place.
 *
 * <p>Immutable and thread-safe.
 *
 * @param unit how {@code buyMargin} and {@code sellMargin} are expressed
 * @param buyMargin the margin below the mid for the store's buy price (>= 0; < 10000 when in bps)
 * @param sellMargin the margin above the mid for the store's sell price (>= 0)
 * @param minMargin the least absolute margin on either side, or {@code null} for none
 * @param maxMargin the greatest absolute margin on either side, or {@code null} for none
 */
public record SpreadRule(Unit unit, BigDecimal buyMargin, BigDecimal sellMargin, BigDecimal minMargin,
                         BigDecimal maxMargin) {
    private static final BigDecimal TEN_THOUSAND = BigDecimal.valueOf(10_000);

    /** How a margin is expressed. */
    public enum Unit {
        /** Basis points of the mid: 1 bps = 0.01%. */
        BPS,
        /** Absolute units of the quote currency. */
        ABSOLUTE
    }

    /** Validates every component; see the type's documentation. */
    public SpreadRule {
        Require.notNull("unit", unit);
        Require.nonNegative("buyMargin", buyMargin);
        Require.nonNegative("sellMargin", sellMargin);
        if (unit == Unit.BPS && buyMargin.compareTo(TEN_THOUSAND) >= 0) {
            throw new ValidationException("buyMargin", buyMargin.toPlainString(),
                    "must be below 10000 bps (100%)");
        }
        if (minMargin != null) {
            Require.nonNegative("minMargin", minMargin);
        }
        if (maxMargin != null) {
            Require.nonNegative("maxMargin", maxMargin);
        }
        if (minMargin != null && maxMargin != null && minMargin.compareTo(maxMargin) > 0) {
            throw new ValidationException("minMargin", minMargin.toPlainString(),
                    "must be <= maxMargin " + maxMargin.toPlainString());
        }
    }

    /** A rule in basis points of the mid, with no margin bounds. */
    public static SpreadRule bps(String buyBps, String sellBps) {
        return new SpreadRule(Unit.BPS, decimal("buyMargin", buyBps), decimal("sellMargin", sellBps), null, null);
    }

    /** A rule in absolute units of the quote currency, with no margin bounds. */
    public static SpreadRule absolute(String buyMargin, String sellMargin) {
        return new SpreadRule(Unit.ABSOLUTE, decimal("buyMargin", buyMargin), decimal("sellMargin", sellMargin),
                null, null);
    }

    /** This rule with the given absolute margin bounds (either may be {@code null}). */
    public SpreadRule withMarginBounds(BigDecimal min, BigDecimal max) {
        return new SpreadRule(unit, buyMargin, sellMargin, min, max);
    }

    private static BigDecimal decimal(String field, String text) {
        Require.notNull(field, text);
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new ValidationException(field, text, "must be a decimal number");
        }
    }

    /** The store's buy price for {@code mid} at {@code scale}, rounded down. */
    public BigDecimal buyPrice(BigDecimal mid, int scale) {
        BigDecimal price = mid.subtract(margin(buyMargin, mid)).setScale(scale, RoundingMode.FLOOR);
        return price.signum() > 0 ? price : BigDecimal.ONE.movePointLeft(scale);
    }

    /** The store's sell price for {@code mid} at {@code scale}, rounded up. */
    public BigDecimal sellPrice(BigDecimal mid, int scale) {
        return mid.add(margin(sellMargin, mid)).setScale(scale, RoundingMode.CEILING);
    }

    private BigDecimal margin(BigDecimal configured, BigDecimal mid) {
        BigDecimal m = unit == Unit.BPS ? mid.multiply(configured).movePointLeft(4) : configured; // exact
        if (minMargin != null && m.compareTo(minMargin) < 0) {
            m = minMargin;
        }
        if (maxMargin != null && m.compareTo(maxMargin) > 0) {
            m = maxMargin;
        }
        return m;
    }
}
