package io.ratehub.examples.bench;

import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Market ticks through aggregation and store repricing on one thread: 50 pairs, 3 sources each (median policy),
 * 100 stores each quoting every pair with its own spread. Every tick moves its source's price by a random walk,
 * so the median mid moves on most ticks and then all 100 stores are repriced.
 *
 * <p>Reports {@code tick} (ticks per second) and, as auxiliary counters, {@code storeRatesUpdated} (store-rate
 * events emitted per second: each is one store repriced to a new buy/sell) and {@code marketUpdates}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class EngineTickBenchmark {
    static final int PAIRS = 50;
    static final int SOURCES = 3;
    static final int STORES = 100;
    static final int WALK = 4096;

    /** The engine and a precomputed random walk per pair and source. */
    @State(Scope.Thread)
    public static class Market {
        RateEngine engine;
        TickClock clock;
        CurrencyPair[] pairs;
        String[] sources = {"feed-a", "feed-b", "feed-c"};
        BigDecimal[][] bids;
        BigDecimal[][] asks;
        int tick;
        Counters counters;

        @Setup(Level.Trial)
        public void setUp() {
            clock = new TickClock(Instant.parse("2026-11-21T09:00:00Z"));
            engine = RateEngine.builder().clock(clock).auditLog(AuditLog.inMemory())
                    .maxSourceAge(Duration.ofDays(365)).build();
            pairs = fiftyPairs(engine);
            for (CurrencyPair p : pairs) {
                for (int s = 0; s < STORES; s++) {
                    engine.setSpread("store-" + s, p, SpreadRule.bps(String.valueOf(20 + s), String.valueOf(25 + s)),
                            "bench");
                }
            }
            Random random = new Random(42);
            bids = new BigDecimal[PAIRS * SOURCES][WALK];
            asks = new BigDecimal[PAIRS * SOURCES][WALK];
            for (int p = 0; p < PAIRS; p++) {
                int scale = engine.catalog().scaleOf(pairs[p]);
                for (int s = 0; s < SOURCES; s++) {
                    double mid = 1.2 + p * 0.01;
                    for (int i = 0; i < WALK; i++) {
                        mid *= 1 + random.nextGaussian() * 0.0002;
                        BigDecimal m = BigDecimal.valueOf(mid);
                        BigDecimal half = BigDecimal.valueOf(mid * 0.0001);
                        bids[p * SOURCES + s][i] = m.subtract(half).setScale(scale, RoundingMode.HALF_EVEN);
                        asks[p * SOURCES + s][i] = m.add(half).setScale(scale, RoundingMode.HALF_EVEN);
                    }
                }
            }
            engine.addListener(e -> {
                if (counters != null) {
                    if (e instanceof RateEvent.StoreRateUpdated) {
                        counters.storeRatesUpdated++;
                    } else if (e instanceof RateEvent.MarketRateUpdated) {
                        counters.marketUpdates++;
                    }
                }
            });
        }
    }

    /** Events counted per iteration; JMH reports them per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Store-rate events: a store repriced to a new buy/sell. */
        public long storeRatesUpdated;
        /** Market-rate events. */
        public long marketUpdates;

        @Setup(Level.Iteration)
        public void reset() {
            storeRatesUpdated = 0;
            marketUpdates = 0;
        }
    }

    /** One tick from the next source of the next pair. */
    @Benchmark
    public Object tick(Market m, Counters c) {
        m.counters = c;
        int t = m.tick++;
        int pair = t % PAIRS;
        int source = (t / PAIRS) % SOURCES;
        int step = (t / (PAIRS * SOURCES)) % WALK;
        int row = pair * SOURCES + source;
        m.clock.step();
        return m.engine.onQuote(new MarketQuote(m.pairs[pair], m.bids[row][step], m.asks[row][step],
                m.sources[source], m.clock.instant()));
    }

    static CurrencyPair[] fiftyPairs(RateEngine engine) {
        String[] quotes = {"CAD", "USD"};
        String[] bases = {"EUR", "GBP", "CHF", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "MXN", "BRL",
            "ZAR", "SGD", "HKD", "CNY", "INR", "KRW", "TRY", "ILS", "AED", "SAR", "THB", "MYR", "USD", "CAD"};
        List<CurrencyPair> out = new ArrayList<>();
        for (String q : quotes) {
            for (String b : bases) {
                if (!b.equals(q) && out.size() < PAIRS) {
                    out.add(engine.catalog().parse(b + "/" + q));
                }
            }
        }
        return out.toArray(new CurrencyPair[0]);
    }

    /** A clock that moves one microsecond per tick, so quotes stay fresh and in order. */
    static final class TickClock extends Clock {
        private Instant now;

        TickClock(Instant start) {
            this.now = start;
        }

        void step() {
            now = now.plusNanos(1_000);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
