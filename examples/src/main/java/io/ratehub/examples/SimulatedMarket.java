package io.ratehub.examples;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A market of three sources for a few pairs, for the demo hub: each source follows a random walk around a shared
 * mid; {@code feed-c} now and then quotes far off (an outlier the engine drops), and {@code feed-b} stalls for a
 * while every minute (it goes stale, the others carry on).
 */
final class SimulatedMarket implements AutoCloseable {
    static final List<String> SOURCES = List.of("feed-a", "feed-b", "feed-c");

    private final RateEngine engine;
    private final Random random;
    private final Map<CurrencyPair, double[]> mids = new LinkedHashMap<>();
    private final ScheduledFuture<?> task;
    private long ticks;

    SimulatedMarket(RateEngine engine, ScheduledExecutorService scheduler, Duration tick, long seed) {
        this.engine = engine;
        this.random = new Random(seed);
        mids.put(CurrencyPair.parse("USD/CAD"), new double[] {1.3613});
        mids.put(CurrencyPair.parse("EUR/CAD"), new double[] {1.4721});
        mids.put(CurrencyPair.parse("GBP/CAD"), new double[] {1.7532});
        mids.put(CurrencyPair.parse("CAD/JPY"), new double[] {108.51});
        mids.put(CurrencyPair.parse("BTC/CAD"), new double[] {93_450.0});
        this.task = scheduler.scheduleAtFixedRate(this::tick, 0, tick.toNanos(), TimeUnit.NANOSECONDS);
    }

    List<CurrencyPair> pairs() {
        return List.copyOf(mids.keySet());
    }

    private void tick() {
        ticks++;
        long second = engine.clock().instant().getEpochSecond();
        for (Map.Entry<CurrencyPair, double[]> e : mids.entrySet()) {
            CurrencyPair pair = e.getKey();
            double[] mid = e.getValue();
            mid[0] *= 1 + random.nextGaussian() * 0.00015;
            int scale = engine.catalog().scaleOf(pair);
            for (String source : SOURCES) {
                if (source.equals("feed-b") && second % 60 >= 40) {
                    continue; // stalled for 20 s of every minute
                }
                double m = mid[0] * (1 + random.nextGaussian() * 0.00003);
                if (source.equals("feed-c") && random.nextInt(400) == 0) {
                    m *= 1.03; // a bad print
                }
                double half = mid[0] * 0.00008;
                try {
                    engine.onQuote(new MarketQuote(pair,
                            BigDecimal.valueOf(m - half).setScale(scale, RoundingMode.HALF_EVEN),
                            BigDecimal.valueOf(m + half).setScale(scale, RoundingMode.HALF_EVEN),
                            source, engine.clock().instant()));
                } catch (RuntimeException ex) {
                    org.slf4j.LoggerFactory.getLogger(SimulatedMarket.class).warn("tick refused: {}", ex.getMessage());
                }
            }
        }
    }

    long ticks() {
        return ticks;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
