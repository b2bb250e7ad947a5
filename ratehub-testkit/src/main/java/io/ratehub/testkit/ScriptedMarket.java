package io.ratehub.testkit;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A market a test drives by hand: set a pair's price, move it, stall a source. Quotes are stamped with the virtual
 * clock and fed to the engine at once.
 *
 * <p>Thread-safe.
 */
public final class ScriptedMarket {
    private final RateEngine engine;
    private final List<String> sources;
    private final Set<String> stalled = ConcurrentHashMap.newKeySet();
    private final Map<CurrencyPair, BigDecimal[]> prices = new ConcurrentHashMap<>();

    ScriptedMarket(RateEngine engine, List<String> sources) {
        this.engine = engine;
        this.sources = List.copyOf(sources);
    }

    /** Every source (not stalled) quotes {@code bid}/{@code ask} for the pair, e.g. {@code set("USD/CAD", "1.3612", "1.3614")}. */
    public ScriptedMarket set(String pair, String bid, String ask) {
        CurrencyPair p = engine.catalog().parse(pair);
        BigDecimal b = new BigDecimal(bid);
        BigDecimal a = new BigDecimal(ask);
        prices.put(p, new BigDecimal[] {b, a});
        for (String s : sources) {
            if (!stalled.contains(s)) {
                engine.onQuote(new MarketQuote(p, b, a, s, engine.clock().instant()));
            }
        }
        return this;
    }

    /** One source quotes a pair. */
    public ScriptedMarket quote(String source, String pair, String bid, String ask) {
        engine.onQuote(new MarketQuote(engine.catalog().parse(pair), new BigDecimal(bid), new BigDecimal(ask), source,
                engine.clock().instant()));
        return this;
    }

    /** Moves a pair's last price set by {@code percent} (e.g. "0.5" or "-1.2") and has every source quote it. */
    public ScriptedMarket move(String pair, String percent) {
        CurrencyPair p = engine.catalog().parse(pair);
        BigDecimal[] last = prices.get(p);
        if (last == null) {
            throw new IllegalStateException("set " + pair + " before moving it");
        }
        int scale = engine.catalog().scaleOf(p);
        BigDecimal factor = BigDecimal.ONE.add(new BigDecimal(percent).movePointLeft(2));
        return set(pair, last[0].multiply(factor).setScale(scale, RoundingMode.HALF_EVEN).toPlainString(),
                last[1].multiply(factor).setScale(scale, RoundingMode.HALF_EVEN).toPlainString());
    }

    /** Every source (not stalled) quotes every pair's last price again, now: keeps the market fresh. */
    public ScriptedMarket refresh() {
        prices.forEach((p, ba) -> {
            for (String s : sources) {
                if (!stalled.contains(s)) {
                    engine.onQuote(new MarketQuote(p, ba[0], ba[1], s, engine.clock().instant()));
                }
            }
        });
        return this;
    }

    /** The source stops quoting (it goes stale as time passes). */
    public ScriptedMarket stall(String source) {
        stalled.add(source);
        return this;
    }

    /** The source quotes again from the next price set. */
    public ScriptedMarket resume(String source) {
        stalled.remove(source);
        return this;
    }

    /** The sources. */
    public Set<String> sources() {
        return new LinkedHashSet<>(sources);
    }
}
