package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The aggregated market price of a pair, computed by the engine from its fresh, non-outlier sources with the
 * configured aggregation policy, at the pair's scale.
 *
 * <p>When {@link #stale()} is true no source is fresh: the prices are the last known ones, shown for context
 * only and never to be presented as live. Immutable and thread-safe.
 *
 * @param pair the pair
 * @param bid aggregated bid
 * @param ask aggregated ask
 * @param mid aggregated mid; the rate store pricing starts from
 * @param asOf the newest source time among the sources used
 * @param sources the sources used, in the policy's order (empty when stale)
 * @param stale whether no fresh source remains
 */
public record MarketRate(CurrencyPair pair, BigDecimal bid, BigDecimal ask, BigDecimal mid, Instant asOf,
                         List<String> sources, boolean stale) {

    /** Validates every component: positive prices, {@code bid <= mid <= ask}, times present. */
    public MarketRate {
        Require.notNull("pair", pair);
        Require.positive("bid", bid);
        Require.positive("ask", ask);
        Require.positive("mid", mid);
        Require.notNull("asOf", asOf);
        sources = List.copyOf(Require.notNull("sources", sources));
        if (bid.compareTo(ask) > 0) {
            throw new ValidationException("bid", bid.toPlainString(), "must be <= ask " + ask.toPlainString());
        }
        if (mid.compareTo(bid) < 0 || mid.compareTo(ask) > 0) {
            throw new ValidationException("mid", mid.toPlainString(), "must lie between bid and ask");
        }
    }

    /** This rate marked stale (no fresh source) with no sources, prices kept as the last known. */
    public MarketRate asStale() {
        return stale ? this : new MarketRate(pair, bid, ask, mid, asOf, List.of(), true);
    }
}
