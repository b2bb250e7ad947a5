package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A store's explicit buy/sell rate for a pair, set by a named actor for a reason, valid from one instant until
 * another. While valid it replaces market pricing for that store and pair; when it ends the store returns to
 * market pricing.
 *
 * <p>Validated on construction: positive prices, {@code buy < sell}, an actor and a reason, and
 * {@code validFrom < validUntil}. Whether it is close enough to the market is checked by the engine.
 * Immutable and thread-safe.
 *
 * @param storeId the store
 * @param pair the pair
 * @param buy the store's buy price
 * @param sell the store's sell price
 * @param actor who set it
 * @param reason why
 * @param validFrom when it takes effect
 * @param validUntil when it ends (exclusive)
 * @param forced whether it was accepted beyond the maximum deviation from the market
 */
public record RateOverride(String storeId, CurrencyPair pair, BigDecimal buy, BigDecimal sell, String actor,
                           String reason, Instant validFrom, Instant validUntil, boolean forced) {

    /** Validates every component; see the type's documentation. */
    public RateOverride {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.positive("buy", buy);
        Require.positive("sell", sell);
        Require.text("actor", actor);
        Require.text("reason", reason);
        Require.notNull("validFrom", validFrom);
        Require.notNull("validUntil", validUntil);
        if (buy.compareTo(sell) >= 0) {
            throw new ValidationException("buy", buy.toPlainString(), "must be < sell " + sell.toPlainString());
        }
        if (!validFrom.isBefore(validUntil)) {
            throw new ValidationException("validUntil", validUntil, "must be after validFrom " + validFrom);
        }
    }

    /** Whether the override is in effect at {@code now}: {@code validFrom <= now < validUntil}. */
    public boolean isActiveAt(Instant now) {
        return !now.isBefore(validFrom) && now.isBefore(validUntil);
    }
}
