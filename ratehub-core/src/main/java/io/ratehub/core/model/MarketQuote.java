package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * One price from one market source: the best bid and ask a source saw for a pair at a time.
 *
 * <p>Validated on construction: every field is required, prices are positive with at most 12 decimal places
 * and 12 integer digits, {@code bid <= ask}, and the source is an identifier (1-64 letters, digits,
 * {@code _ . : -}). Immutable and thread-safe.
 *
 * @param pair the pair quoted
 * @param bid the price the source would buy the base currency at
 * @param ask the price the source would sell the base currency at
 * @param source the source's identifier, for example {@code "ecb"} or {@code "feed-a"}
 * @param time when the source observed the price (the source's time, not the arrival time)
 */
public record MarketQuote(CurrencyPair pair, BigDecimal bid, BigDecimal ask, String source, Instant time) {

    /** Validates every component; see the type's documentation. */
    public MarketQuote {
        Require.notNull("pair", pair);
        Require.positive("bid", bid);
        Require.positive("ask", ask);
        Require.id("source", source);
        Require.notNull("time", time);
        if (bid.compareTo(ask) > 0) {
            throw new ValidationException("bid", bid.toPlainString(), "must be <= ask " + ask.toPlainString());
        }
    }

    /** The exact midpoint {@code (bid + ask) / 2}; never rounded, since halving a decimal is exact. */
    public BigDecimal mid() {
        return bid.add(ask).divide(BigDecimal.valueOf(2), Math.max(bid.scale(), ask.scale()) + 1,
                RoundingMode.UNNECESSARY);
    }
}
