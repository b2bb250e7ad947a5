package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The rate a store quotes its customers for a pair: it buys the base currency at {@link #buy()} and sells it
 * at {@link #sell()}, both in the pair's quote currency at the pair's scale.
 *
 * <p>A rate with {@link #stale()} true must not be quoted: its market went stale and the prices are the last
 * known ones. Immutable and thread-safe.
 *
 * @param storeId the store
 * @param pair the pair
 * @param buy what the store pays per unit of base currency
 * @param sell what the store charges per unit of base currency
 * @param mid the market mid the rate was derived from (for an override, the override's own midpoint)
 * @param basis market pricing or an override
 * @param asOf the time of the market data or the override the rate came from
 * @param validUntil the end of the override for {@link RateBasis#OVERRIDE}; {@code null} for
 *     {@link RateBasis#MARKET}, whose end is announced by the rate turning stale
 * @param stale whether the underlying market rate is stale
 */
public record StoreRate(String storeId, CurrencyPair pair, BigDecimal buy, BigDecimal sell, BigDecimal mid,
                        RateBasis basis, Instant asOf, Instant validUntil, boolean stale) {

    /** Validates every component: positive prices, {@code buy <= sell}, times and basis present. */
    public StoreRate {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.positive("buy", buy);
        Require.positive("sell", sell);
        Require.positive("mid", mid);
        Require.notNull("basis", basis);
        Require.notNull("asOf", asOf);
        if (buy.compareTo(sell) > 0) {
            throw new ValidationException("buy", buy.toPlainString(), "must be <= sell " + sell.toPlainString());
        }
    }

    /** The price of {@code side}: {@link #buy()} for {@link Side#BUY}, {@link #sell()} for {@link Side#SELL}. */
    public BigDecimal price(Side side) {
        return side == Side.BUY ? buy : sell;
    }

    /** Whether this rate may be quoted at {@code now}: not stale and not past {@link #validUntil()}. */
    public boolean isLiveAt(Instant now) {
        return !stale && (validUntil == null || now.isBefore(validUntil));
    }
}
