package io.ratehub.core.internal;

import io.ratehub.core.engine.AggregationPolicy;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.MarketRate;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The aggregation policies' arithmetic: fresh quotes in, one market rate at the pair's scale out. */
final class Aggregation {
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final MathContext PERCENT_CONTEXT = new MathContext(12, RoundingMode.HALF_EVEN);

    private Aggregation() {
    }

    /**
     * Aggregates {@code used} (non-empty, in source-name order) with {@code policy}; prices are rounded
     * half-even to {@code scale}, which keeps {@code bid <= mid <= ask}.
     */
    static MarketRate aggregate(AggregationPolicy policy, CurrencyPair pair, List<MarketQuote> used, int scale) {
        BigDecimal bid;
        BigDecimal ask;
        BigDecimal mid;
        List<MarketQuote> contributing = used;
        if (policy instanceof AggregationPolicy.Priority p) {
            MarketQuote first = byPriority(p.sources(), used);
            bid = first.bid();
            ask = first.ask();
            mid = first.mid();
            contributing = List.of(first);
        } else if (policy == AggregationPolicy.best()) {
            bid = used.get(0).bid();
            ask = used.get(0).ask();
            for (MarketQuote q : used) {
                bid = bid.max(q.bid());
                ask = ask.min(q.ask());
            }
            mid = half(bid.add(ask));
            if (bid.compareTo(ask) > 0) { // crossed across venues: hold all three at the midpoint
                bid = mid;
                ask = mid;
            }
        } else {
            bid = median(used, MarketQuote::bid);
            ask = median(used, MarketQuote::ask);
            mid = median(used, MarketQuote::mid);
        }
        Instant asOf = contributing.get(0).time();
        List<String> sources = new ArrayList<>(contributing.size());
        for (MarketQuote q : contributing) {
            sources.add(q.source());
            if (q.time().isAfter(asOf)) {
                asOf = q.time();
            }
        }
        return new MarketRate(pair, round(bid, scale), round(ask, scale), round(mid, scale), asOf, sources, false);
    }

    private static MarketQuote byPriority(List<String> order, List<MarketQuote> used) {
        for (String source : order) {
            for (MarketQuote q : used) {
                if (q.source().equals(source)) {
                    return q;
                }
            }
        }
        return used.get(0); // unlisted sources follow in name order; used is in name order
    }

    private static BigDecimal round(BigDecimal v, int scale) {
        return v.setScale(scale, RoundingMode.HALF_EVEN);
    }

    private static BigDecimal half(BigDecimal v) {
        return v.divide(TWO, v.scale() + 1, RoundingMode.UNNECESSARY);
    }

    /** The median of the values (mean of the middle two for an even count); exact. */
    static BigDecimal median(List<MarketQuote> quotes, java.util.function.Function<MarketQuote, BigDecimal> f) {
        int n = quotes.size();
        if (n == 1) {
            return f.apply(quotes.get(0));
        }
        BigDecimal[] values = new BigDecimal[n];
        for (int i = 0; i < n; i++) {
            values[i] = f.apply(quotes.get(i));
        }
        java.util.Arrays.sort(values);
        return n % 2 == 1 ? values[n / 2] : half(values[n / 2 - 1].add(values[n / 2]));
    }

    /** {@code |value - reference| / reference * 100}, to 12 significant digits. */
    static BigDecimal deviationPercent(BigDecimal value, BigDecimal reference) {
        return value.subtract(reference).abs().multiply(HUNDRED).divide(reference, PERCENT_CONTEXT);
    }
}
