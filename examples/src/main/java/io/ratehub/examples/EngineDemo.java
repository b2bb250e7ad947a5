package io.ratehub.examples;

import io.ratehub.core.RateHubException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.audit.AuditVerification;
import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.engine.OverrideRequest;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small tour of the engine from the command line: three market sources for four pairs (one of them drifting
 * into an outlier), two stores with their own spreads, an override, a threshold alert, a rate lock completed,
 * another refused, and the audit trail verified at the end.
 *
 * <p>Runs on a simulated clock so that it takes a second and prints the same story every time.
 * Usage: {@code EngineDemo [data-dir]} (default: a new temporary directory).
 */
public final class EngineDemo {
    private EngineDemo() {
    }

    /** Runs the demo. */
    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ratehub-demo");
        Path auditFile = dir.resolve("audit.jsonl");
        SimClock clock = new SimClock(Instant.parse("2026-11-21T09:00:00Z"));
        AtomicInteger events = new AtomicInteger();
        try (FileAuditLog audit = FileAuditLog.open(auditFile)) {
            RateEngine engine = RateEngine.builder().clock(clock).auditLog(audit)
                    .maxSourceAge(Duration.ofSeconds(5)).build();
            engine.addListener(e -> {
                events.incrementAndGet();
                if (!(e instanceof RateEvent.StoreRateUpdated) && !(e instanceof RateEvent.MarketRateUpdated)) {
                    System.out.printf("  event  %-22s %s%n", e.type(), describe(e));
                }
            });

            List<CurrencyPair> pairs = List.of(CurrencyPair.parse("USD/CAD"), CurrencyPair.parse("EUR/CAD"),
                    CurrencyPair.parse("GBP/CAD"), CurrencyPair.parse("CAD/JPY"));
            Map<CurrencyPair, BigDecimal> mids = Map.of(pairs.get(0), new BigDecimal("1.36130"),
                    pairs.get(1), new BigDecimal("1.47210"), pairs.get(2), new BigDecimal("1.75320"),
                    pairs.get(3), new BigDecimal("108.512"));

            System.out.println("== two stores set their spreads");
            for (CurrencyPair p : pairs) {
                engine.setSpread("downtown", p, SpreadRule.bps("80", "80"), "owner");
                engine.setSpread("airport", p, SpreadRule.bps("150", "150"), "owner");
            }
            engine.setThreshold(ThresholdRule.marketMove("downtown", pairs.get(0), new BigDecimal("0.5"),
                    Duration.ofMinutes(1)), "owner");

            System.out.println("== three sources tick for 30 simulated seconds; source 'c' drifts away on USD/CAD");
            Random random = new Random(7);
            for (int second = 0; second < 30; second++) {
                clock.advance(Duration.ofSeconds(1));
                for (CurrencyPair p : pairs) {
                    int scale = engine.catalog().scaleOf(p);
                    BigDecimal mid = mids.get(p);
                    for (String source : List.of("a", "b", "c")) {
                        BigDecimal m = mid.add(mid.multiply(BigDecimal.valueOf((random.nextGaussian()) / 5000)));
                        if (source.equals("c") && p.equals(pairs.get(0)) && second > 20) {
                            m = m.multiply(new BigDecimal("1.04")); // a bad feed
                        }
                        BigDecimal half = mid.multiply(new BigDecimal("0.0001"));
                        engine.onQuote(new MarketQuote(p, m.subtract(half).setScale(scale, RoundingMode.HALF_EVEN),
                                m.add(half).setScale(scale, RoundingMode.HALF_EVEN), source, clock.instant()));
                    }
                }
                engine.runDueTimers();
            }
            printRates(engine, "downtown");
            printRates(engine, "airport");

            System.out.println("== the owner overrides downtown's USD/CAD for a promotion (10 minutes)");
            StoreRate before = engine.storeRate("downtown", pairs.get(0)).orElseThrow();
            engine.setOverride(OverrideRequest.of("downtown", pairs.get(0),
                    before.buy().add(new BigDecimal("0.00500")), before.sell().subtract(new BigDecimal("0.00300")),
                    "owner", "weekend promotion").during(clock.instant(), clock.instant().plusSeconds(600)));
            printRates(engine, "downtown");

            System.out.println("== a customer locks the downtown sell rate for 1,000 USD and completes");
            RateLock lock = engine.lock(LockRequest.of("downtown", pairs.get(0), Side.SELL,
                    new BigDecimal("1000.00"), "terminal-1").withRequestId("req-42"));
            System.out.printf("  locked %s: %s %s at %s = %s CAD, until %s%n", lock.lockId(), lock.side(),
                    lock.amount(), lock.rate(), lock.counterAmount(), lock.expiresAt());
            engine.completeLock(lock.lockId(), "tx-1001", "terminal-1");

            System.out.println("== another lock is left to expire; completing it afterwards is refused");
            RateLock late = engine.lock(LockRequest.of("downtown", pairs.get(1), Side.BUY,
                    new BigDecimal("250.00"), "terminal-2").withTtl(Duration.ofMinutes(2)));
            clock.advance(Duration.ofMinutes(3));
            try {
                engine.completeLock(late.lockId(), "tx-1002", "terminal-2");
            } catch (RateHubException e) {
                System.out.println("  refused: " + e.code().wireName() + ": " + e.getMessage());
            }

            System.out.println("== the market goes quiet: sources go stale and rates stop being live");
            engine.runDueTimers();
            printRates(engine, "airport");

            System.out.println("== the override ends by itself after 10 minutes");
            clock.advance(Duration.ofMinutes(8));
            engine.runDueTimers();

            AuditVerification check = audit.verify();
            List<AuditEntry> downtown = audit.query(AuditQuery.all().withStore("downtown"));
            System.out.printf("== audit trail %s: %d entries, %d for downtown, chain %s%n", auditFile,
                    audit.lastSeq(), downtown.size(), check.valid() ? "verified" : "BROKEN: " + check.problem());
            System.out.printf("== %d events in all%n", events.get());
        }
    }

    private static void printRates(RateEngine engine, String store) {
        System.out.printf("  %-9s %-8s %12s %12s  %-8s %s%n", store, "pair", "buy", "sell", "basis", "state");
        for (StoreRate r : engine.storeRates(store)) {
            System.out.printf("  %-9s %-8s %12s %12s  %-8s %s%n", "", r.pair(), r.buy().toPlainString(),
                    r.sell().toPlainString(), r.basis(), r.isLiveAt(engine.clock().instant()) ? "live" : "NOT LIVE");
        }
    }

    private static String describe(RateEvent e) {
        return switch (e.type()) {
            case RateEvent.SourceOutlier.TYPE -> {
                RateEvent.SourceOutlier o = (RateEvent.SourceOutlier) e;
                yield o.pair() + " source " + o.source() + " is " + o.deviationPercent().setScale(2,
                        RoundingMode.HALF_UP) + "% off the median";
            }
            case RateEvent.SourceStale.TYPE -> {
                RateEvent.SourceStale st = (RateEvent.SourceStale) e;
                yield st.pair() + " source " + st.source() + " last quoted at " + st.lastQuoteTime();
            }
            case RateEvent.LockCreated.TYPE, RateEvent.LockCompleted.TYPE, RateEvent.LockExpired.TYPE -> {
                RateEvent.StoreEvent s = (RateEvent.StoreEvent) e;
                yield s.storeId() + " " + s.pair();
            }
            default -> e instanceof RateEvent.StoreEvent s ? s.storeId() + " " + s.pair()
                    : ((RateEvent.MarketEvent) e).pair().toString();
        };
    }

    /** A clock the demo moves forward by hand. */
    static final class SimClock extends Clock {
        private volatile Instant now;

        SimClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
