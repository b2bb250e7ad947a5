package io.ratehub.core.engine;

import io.ratehub.core.internal.Require;
import io.ratehub.core.model.CurrencyPair;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A request to set a store's rate for a pair by hand (see {@link RateEngine#setOverride}).
 *
 * <p>{@code validFrom} defaults to now; {@code validUntil} defaults to now plus the engine's default override
 * duration. Prices must not have more decimal places than the pair's scale (they are never rounded). Unless
 * {@code force} is set, both prices must lie within the engine's maximum deviation from the live market mid;
 * a forced override still needs a reason, as every override does. Immutable and thread-safe.
 *
 * @param storeId the store
 * @param pair the pair
 * @param buy the store's buy price
 * @param sell the store's sell price, > buy
 * @param actor who sets it
 * @param reason why (required)
 * @param validFrom when it starts, or {@code null} for now
 * @param validUntil when it ends, or {@code null} for the default duration
 * @param force accept it beyond the maximum deviation from the market
 */
public record OverrideRequest(String storeId, CurrencyPair pair, BigDecimal buy, BigDecimal sell, String actor,
                              String reason, Instant validFrom, Instant validUntil, boolean force) {

    /** Validates the fields that do not depend on the engine's state. */
    public OverrideRequest {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.positive("buy", buy);
        Require.positive("sell", sell);
        Require.text("actor", actor);
        Require.text("reason", reason);
    }

    /** A request that starts now and lasts the engine's default duration, not forced. */
    public static OverrideRequest of(String storeId, CurrencyPair pair, BigDecimal buy, BigDecimal sell,
                                     String actor, String reason) {
        return new OverrideRequest(storeId, pair, buy, sell, actor, reason, null, null, false);
    }

    /** This request with an explicit window. */
    public OverrideRequest during(Instant from, Instant until) {
        return new OverrideRequest(storeId, pair, buy, sell, actor, reason, from, until, force);
    }

    /** This request forced beyond the maximum deviation from the market. */
    public OverrideRequest forced() {
        return new OverrideRequest(storeId, pair, buy, sell, actor, reason, validFrom, validUntil, true);
    }
}
