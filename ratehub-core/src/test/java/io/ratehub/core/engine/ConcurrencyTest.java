package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.EUR_USD;
import static io.ratehub.core.engine.EngineFixture.GBP_USD;
import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.USD_JPY;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several threads tick different pairs (two sources each, always rising) while others issue commands on the same
 * pairs. The final state must be consistent, and each pair's events must arrive one at a time and in order.
 */
@Timeout(120)
class ConcurrencyTest {
    private static final List<CurrencyPair> PAIRS = List.of(USD_CAD, EUR_USD, USD_JPY, GBP_USD);
    private static final int TICKS = 300;
    private static final int COMMANDS = 40;
    private static final String STORE_2 = "store-2";

    private final ExecutorService pool = Executors.newFixedThreadPool(PAIRS.size() * 3);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static BigDecimal base(CurrencyPair pair) {
        return pair.equals(USD_JPY) ? new BigDecimal("150.000") : new BigDecimal("1.00000");
    }

    private static BigDecimal unit(CurrencyPair pair) {
        return BigDecimal.ONE.movePointLeft(pair.equals(USD_JPY) ? 3 : 5);
    }

    /** The mid source {@code source} (0 or 1) sends at step {@code i}. */
    private static BigDecimal mid(CurrencyPair pair, int source, int i) {
        return base(pair).add(unit(pair).multiply(BigDecimal.valueOf(2L * i + source)));
    }

    private static SpreadRule rule(int i) {
        return i % 2 == 0 ? SpreadRule.bps("10", "20") : SpreadRule.absolute("0.00100", "0.00200");
    }

    @Test
    void parallelTicksAndCommandsLeaveAConsistentStateAndOrderedEvents() throws Exception {
        EngineFixture f = new EngineFixture();
        Map<CurrencyPair, AtomicInteger> inDelivery = new ConcurrentHashMap<>();
        Map<CurrencyPair, List<BigDecimal>> marketMids = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        for (CurrencyPair p : PAIRS) {
            inDelivery.put(p, new AtomicInteger());
            marketMids.put(p, new CopyOnWriteArrayList<>());
            f.tickMid(p, "src-0", mid(p, 0, 0).toPlainString());
            f.tickMid(p, "src-1", mid(p, 1, 0).toPlainString());
            f.engine.setSpread(STORE, p, rule(0), OWNER);
            f.engine.setSpread(STORE_2, p, SpreadRule.bps("5", "5"), OWNER);
        }
        // Events of a pair's market and store prices are delivered while the pair's state is held: one at a time.
        f.engine.addListener(e -> {
            if (e instanceof RateEvent.MarketEvent || e instanceof RateEvent.StoreRateUpdated) {
                CurrencyPair p = e instanceof RateEvent.MarketEvent m ? m.pair() : ((RateEvent.StoreEvent) e).pair();
                if (inDelivery.get(p).incrementAndGet() != 1) {
                    violations.add("overlapping delivery on " + p);
                }
                if (e instanceof RateEvent.MarketRateUpdated u) {
                    marketMids.get(p).add(u.rate().mid());
                }
                inDelivery.get(p).decrementAndGet();
            }
        });
        f.events.clear();

        int threads = PAIRS.size() * 3;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (CurrencyPair p : PAIRS) {
            for (int s = 0; s < 2; s++) {
                int source = s;
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 1; i <= TICKS; i++) {
                        TickOutcome o = f.tickMid(p, "src-" + source, mid(p, source, i).toPlainString());
                        assertThat(o).isEqualTo(TickOutcome.ACCEPTED);
                    }
                    return null;
                }));
            }
            futures.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                for (int i = 1; i <= COMMANDS; i++) {
                    f.engine.setSpread(STORE, p, rule(i), OWNER);
                    String lockId = f.engine.lock(LockRequest.of(STORE, p, Side.SELL, d("10.00"), "till")).lockId();
                    f.engine.completeLock(lockId, "TX-" + p.base() + p.quote() + "-" + i, "till");
                    if (i % 4 == 0) {
                        BigDecimal m = f.market(p).mid();
                        f.engine.setOverride(OverrideRequest.of(STORE_2, p, m.multiply(new BigDecimal("0.99"))
                                .setScale(2, RoundingMode.DOWN), m.multiply(new BigDecimal("1.01"))
                                .setScale(2, RoundingMode.UP), "alice", "test").forced());
                        f.engine.clearOverride(STORE_2, p, "alice", "done");
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get(60, TimeUnit.SECONDS);
        }

        assertThat(violations).isEmpty();
        for (CurrencyPair p : PAIRS) {
            MarketRate m = f.market(p);
            BigDecimal expectedMid = mid(p, 0, TICKS).add(mid(p, 1, TICKS))
                    .divide(BigDecimal.valueOf(2), 10, RoundingMode.UNNECESSARY)
                    .setScale(f.engine.catalog().scaleOf(p), RoundingMode.HALF_EVEN);
            assertThat(m.mid()).as("%s market", p).isEqualTo(expectedMid);
            assertThat(m.sources()).containsExactly("src-0", "src-1");

            List<BigDecimal> mids = marketMids.get(p);
            assertThat(mids).as("%s market updates in order", p).isSortedAccordingTo(BigDecimal::compareTo);
            assertThat(mids.get(mids.size() - 1)).isEqualTo(m.mid());

            int scale = f.engine.catalog().scaleOf(p);
            StoreRate r = f.storeRate(STORE, p);
            SpreadRule last = rule(COMMANDS);
            assertThat(r.buy()).as("%s store buy", p).isEqualTo(last.buyPrice(m.mid(), scale));
            assertThat(r.sell()).as("%s store sell", p).isEqualTo(last.sellPrice(m.mid(), scale));
            assertThat(lastStoreRate(f, STORE, p)).as("%s last rate_update", p).isEqualTo(r);
            StoreRate r2 = f.storeRate(STORE_2, p);
            assertThat(r2.basis()).isEqualTo(RateBasis.MARKET);
            assertThat(r2.buy()).isEqualTo(SpreadRule.bps("5", "5").buyPrice(m.mid(), scale));
            assertThat(lastStoreRate(f, STORE_2, p)).isEqualTo(r2);
            assertThat(f.engine.override(STORE_2, p)).isEmpty();
        }
        int n = PAIRS.size();
        assertThat(f.auditEntries("spread.set")).hasSize(n * 2 + n * COMMANDS);
        assertThat(f.auditEntries("lock.created")).hasSize(n * COMMANDS);
        assertThat(f.auditEntries("lock.completed")).hasSize(n * COMMANDS);
        assertThat(f.auditEntries("override.set")).hasSize(n * COMMANDS / 4);
        assertThat(f.auditEntries("override.cleared")).hasSize(n * COMMANDS / 4);
        assertThat(f.audit.verify().valid()).isTrue();
    }

    /**
     * The engine documents reads as lock-free, so a listener may read the engine. Two listeners, each delivering an
     * event of its own pair, that read the other pair's override at the same moment must both finish. The barrier
     * only forces the interleaving that otherwise happens by chance.
     */
    @Test
    void listenersReadingOtherPairsDuringDeliveryDoNotDeadlock() throws Exception {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.tickMid(EUR_USD, "feed-a", "1.08000");
        AtomicBoolean armed = new AtomicBoolean(true);
        CyclicBarrier bothDelivering = new CyclicBarrier(2);
        f.engine.addListener(e -> {
            if (e instanceof RateEvent.MarketRateUpdated u && armed.get()) {
                try {
                    bothDelivering.await(5, TimeUnit.SECONDS);
                } catch (Exception x) {
                    throw new IllegalStateException(x);
                }
                f.engine.override(STORE, u.pair().equals(USD_CAD) ? EUR_USD : USD_CAD);
            }
        });
        ExecutorService daemons = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "deadlock-probe");
            t.setDaemon(true); // a deadlocked probe must not keep the JVM alive
            return t;
        });
        try {
            Future<?> cad = daemons.submit(() -> f.tickMid(USD_CAD, "feed-a", "1.00100"));
            Future<?> eur = daemons.submit(() -> f.tickMid(EUR_USD, "feed-a", "1.08100"));
            cad.get(10, TimeUnit.SECONDS);
            eur.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("listeners reading the engine deadlocked", e);
        } finally {
            armed.set(false);
            daemons.shutdownNow();
        }
    }

    /**
     * Reads make the state current (a staleness check that is due runs on the reading thread). A listener that
     * reads another pair's store rate while that pair's check is overdue must not deadlock against the other
     * pair's listener doing the same. The barrier only forces the interleaving that otherwise happens by chance.
     */
    @Test

    void listenersReadingOtherPairsWhoseStalenessCheckIsDueDoNotDeadlock() throws Exception {
        EngineFixture f = new EngineFixture();
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.tickMid(EUR_USD, "feed-a", "1.08000");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.bps("10", "10"), OWNER);
        f.engine.setSpread(STORE, EUR_USD, SpreadRule.bps("10", "10"), OWNER);
        f.clock.advanceSeconds(11); // both pairs' staleness checks are due; no timer has run
        AtomicBoolean armed = new AtomicBoolean(true);
        CyclicBarrier bothDelivering = new CyclicBarrier(2);
        f.engine.addListener(e -> {
            if (e instanceof RateEvent.MarketRateUpdated u && armed.get()) {
                try {
                    bothDelivering.await(5, TimeUnit.SECONDS);
                } catch (Exception x) {
                    throw new IllegalStateException(x);
                }
                f.engine.storeRate(STORE, u.pair().equals(USD_CAD) ? EUR_USD : USD_CAD);
            }
        });
        ExecutorService daemons = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "deadlock-probe");
            t.setDaemon(true); // a deadlocked probe must not keep the JVM alive
            return t;
        });
        try {
            Future<?> cad = daemons.submit(() -> f.tickMid(USD_CAD, "feed-b", "1.00100"));
            Future<?> eur = daemons.submit(() -> f.tickMid(EUR_USD, "feed-b", "1.08100"));
            cad.get(10, TimeUnit.SECONDS);
            eur.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("listeners reading the engine deadlocked", e);
        } finally {
            armed.set(false);
            daemons.shutdownNow();
        }
    }

    private static StoreRate lastStoreRate(EngineFixture f, String store, CurrencyPair pair) {
        StoreRate last = null;
        for (RateEvent.StoreRateUpdated u : f.events.of(RateEvent.StoreRateUpdated.class)) {
            if (u.storeId().equals(store) && u.pair().equals(pair)) {
                last = u.rate();
            }
        }
        return last;
    }
}
