package io.ratehub.core.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.MutableClock;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.engine.OverrideRequest;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine on a {@link FileEngineStore}, stopped and started again on the same directory with a virtual clock that
 * moves while it is down: what was decided is in force again, what fell due while down is made by {@code system},
 * and a broken log refuses the start.
 */
class RecoveryTest {
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    static final CurrencyPair EUR_USD = new CurrencyPair("EUR", "USD");
    static final Duration RETENTION = Duration.ofHours(1);

    @TempDir
    Path dir;

    final MutableClock clock = MutableClock.at(T0);
    final List<RateEvent> events = new CopyOnWriteArrayList<>();

    static BigDecimal d(String text) {
        return new BigDecimal(text);
    }

    /** An engine on {@code store} whose lock ids count from L-1 at every start, as a fixture's counter does. */
    RateEngine start(EngineStore store) {
        return start(store, b -> { });
    }

    RateEngine start(EngineStore store, Consumer<RateEngine.Builder> config) {
        AtomicInteger lockSeq = new AtomicInteger();
        RateEngine.Builder b = RateEngine.builder()
                .clock(clock)
                .store(store)
                .lockRetention(RETENTION)
                .lockIds(() -> "L-" + lockSeq.incrementAndGet());
        config.accept(b);
        return b.build();
    }

    void tick(RateEngine engine) {
        engine.onQuote(new MarketQuote(USD_CAD, d("1.36120"), d("1.36140"), "feed-a", clock.instant()));
        engine.onQuote(new MarketQuote(EUR_USD, d("1.08000"), d("1.08020"), "feed-a", clock.instant()));
    }

    static List<AuditEntry> entriesAfter(AuditLog log, long seq) {
        return log.query(AuditQuery.all()).stream().filter(e -> e.seq() > seq).collect(Collectors.toList());
    }

    /** The first run: every kind of decision, then the engine stops (its store is closed). */
    record FirstRun(RateLock active, RateLock expiring, RateLock completed, RateLock cancelled,
                    RateOverride override, RateOverride shortOverride, RateOverride pending, long lastSeq) {
    }

    FirstRun firstRun() {
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store);
            tick(engine);
            engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
            engine.setSpread("s1", EUR_USD, SpreadRule.bps("20", "25"), "owner");
            engine.setSpread("s2", USD_CAD, SpreadRule.bps("30", "30"), "owner");
            engine.setSpread("s3", USD_CAD, SpreadRule.bps("10", "10"), "owner");
            engine.removeSpread("s3", USD_CAD, "owner");
            RateOverride override = engine.setOverride(OverrideRequest.of("s1", USD_CAD, d("1.35500"),
                    d("1.36800"), "alice", "promo"));
            RateOverride shortOverride = engine.setOverride(OverrideRequest.of("s2", USD_CAD, d("1.35600"),
                    d("1.36700"), "bob", "lunch").during(clock.instant(), clock.instant().plus(Duration.ofMinutes(10))));
            RateOverride pending = engine.setOverride(OverrideRequest.of("s1", EUR_USD, d("1.07600"), d("1.08400"),
                    "alice", "weekend").during(clock.instant().plus(Duration.ofHours(2)),
                    clock.instant().plus(Duration.ofHours(3))));
            engine.setThreshold(ThresholdRule.marketMove("s1", USD_CAD, d("1.5"), Duration.ofMinutes(10)), "owner");
            engine.setThreshold(ThresholdRule.overrideDivergence("s2", USD_CAD, d("3")), "owner");

            RateLock active = engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("100.00"), "till-1")
                    .withRequestId("r-1").withTtl(Duration.ofMinutes(30)));
            RateLock expiring = engine.lock(LockRequest.of("s1", EUR_USD, Side.BUY, d("50.00"), "till-2")
                    .withRequestId("r-2"));
            RateLock completed = engine.lock(LockRequest.of("s1", USD_CAD, Side.BUY, d("10.00"), "till-1")
                    .withRequestId("r-3"));
            RateLock cancelled = engine.lock(LockRequest.of("s2", USD_CAD, Side.SELL, d("20.00"), "till-3"));
            clock.advance(Duration.ofSeconds(5));
            completed = engine.completeLock(completed.lockId(), "tx-3", "till-1");
            cancelled = engine.cancelLock(cancelled.lockId(), "till-3", "customer left");
            assertThat(List.of(active.lockId(), expiring.lockId(), completed.lockId(), cancelled.lockId()))
                    .containsExactly("L-1", "L-2", "L-3", "L-4");
            return new FirstRun(active, expiring, completed, cancelled, override, shortOverride, pending,
                    store.auditLog().lastSeq());
        }
    }

    @Test
    void everyDecisionInForceIsBackAndWhatFellDueWhileDownIsMadeBySystem() {
        FirstRun first = firstRun();
        clock.advance(Duration.ofMinutes(15)); // down for 15 min: the short override and L-2 (5 min) end

        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store);
            engine.addListener(events::add);
            engine.runDueTimers();
            assertThat(events).as("restoring announces nothing").isEmpty();

            // spreads, overrides and rules in force
            assertThat(engine.spread("s1", USD_CAD)).contains(SpreadRule.bps("50", "50"));
            assertThat(engine.spread("s1", EUR_USD)).contains(SpreadRule.bps("20", "25"));
            assertThat(engine.spread("s2", USD_CAD)).contains(SpreadRule.bps("30", "30"));
            assertThat(engine.spread("s3", USD_CAD)).isEmpty();
            assertThat(engine.override("s1", USD_CAD)).contains(first.override());
            assertThat(engine.override("s1", EUR_USD)).contains(first.pending());
            assertThat(engine.override("s2", USD_CAD)).as("its window ended while down").isEmpty();
            assertThat(engine.threshold("s1", USD_CAD, ThresholdRule.Kind.MARKET_MOVE)).isPresent();
            assertThat(engine.threshold("s2", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE)).isPresent();
            assertThat(engine.threshold("s1", USD_CAD, ThresholdRule.Kind.OVERRIDE_DIVERGENCE)).isEmpty();

            // market rates are not state: an active override quotes at once, a spread waits for quotes
            StoreRate overridden = engine.storeRate("s1", USD_CAD).orElseThrow();
            assertThat(overridden.basis()).isEqualTo(RateBasis.OVERRIDE);
            assertThat(overridden.buy()).isEqualByComparingTo("1.35500");
            assertThat(engine.storeRate("s1", EUR_USD)).isEmpty();
            assertThat(engine.storeRate("s2", USD_CAD)).isEmpty();
            assertThat(engine.marketRate(USD_CAD)).isEmpty();

            // what fell due while down, by system
            List<AuditEntry> atStart = entriesAfter(store.auditLog(), first.lastSeq());
            assertThat(atStart).extracting(AuditEntry::action)
                    .containsExactlyInAnyOrder("override.expired", "lock.expired");
            assertThat(atStart).allSatisfy(e -> {
                assertThat(e.actor()).isEqualTo("system");
                assertThat(e.time()).isEqualTo(clock.instant());
            });
            assertThat(atStart).filteredOn(e -> e.action().equals("override.expired"))
                    .singleElement().satisfies(e -> assertThat(e.storeId()).isEqualTo("s2"));
            assertThat(atStart).filteredOn(e -> e.action().equals("lock.expired"))
                    .singleElement().satisfies(e -> assertThat(e.after()).containsEntry("lockId", "L-2"));
            assertThat(engine.findLock("L-2").orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);

            // locks: active, completed, cancelled, each answering as before
            assertThat(engine.findLock("L-1")).contains(first.active());
            assertThat(engine.completeLock("L-3", "tx-3", "till-1")).isEqualTo(first.completed());
            assertThatThrownBy(() -> engine.completeLock("L-3", "tx-other", "till-1"))
                    .isInstanceOf(LockStateException.class)
                    .extracting(e -> ((RateHubException) e).code()).isEqualTo(ErrorCode.LOCK_ALREADY_COMPLETED);
            assertThat(engine.cancelLock("L-4", "till-3", "again")).isEqualTo(first.cancelled());
            assertThatThrownBy(() -> engine.completeLock("L-2", "tx-2", "till-2"))
                    .extracting(e -> ((RateHubException) e).code()).isEqualTo(ErrorCode.LOCK_EXPIRED);

            long seqBefore = store.auditLog().lastSeq();
            RateLock again = engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("100.00"), "till-1")
                    .withRequestId("r-1").withTtl(Duration.ofMinutes(30)));
            assertThat(again).isEqualTo(first.active());
            assertThat(engine.lock(LockRequest.of("s1", USD_CAD, Side.BUY, d("10.00"), "till-1")
                    .withRequestId("r-3"))).isEqualTo(first.completed());
            assertThatThrownBy(() -> engine.lock(LockRequest.of("s1", USD_CAD, Side.BUY, d("11.00"), "till-1")
                    .withRequestId("r-3"))).isInstanceOf(ValidationException.class);
            assertThat(store.auditLog().lastSeq()).as("repeats write nothing").isEqualTo(seqBefore);

            // a new lock gets an id no restored lock holds, although the id counter restarted at L-1
            RateLock fresh = engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("5.00"), "till-9"));
            assertThat(fresh.lockId()).isEqualTo("L-5");
            assertThat(events).singleElement().isInstanceOf(RateEvent.LockCreated.class);

            // the market comes back: the spread quotes again
            tick(engine);
            assertThat(engine.storeRate("s1", EUR_USD).orElseThrow().basis()).isEqualTo(RateBasis.MARKET);

            // the restored active lock still completes once, and expires on its own schedule otherwise
            assertThat(engine.completeLock("L-1", "tx-1", "till-1").status()).isEqualTo(LockStatus.COMPLETED);
            assertThat(store.auditLog().verify().valid()).isTrue();
        }
    }

    @Test
    void aRestartAfterTheRestartFindsTheSameStateAndTheChainVerifies() {
        FirstRun first = firstRun();
        clock.advance(Duration.ofMinutes(15));
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            start(store);
        }
        clock.advance(Duration.ofMinutes(1));
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            long seq = store.auditLog().lastSeq();
            RateEngine engine = start(store);
            assertThat(store.auditLog().lastSeq()).as("nothing more fell due").isEqualTo(seq);
            assertThat(engine.findLock("L-1")).contains(first.active());
            assertThat(engine.findLock("L-2").orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
            assertThat(engine.override("s2", USD_CAD)).isEmpty();
            assertThat(store.auditLog().verify().valid()).isTrue();
        }
    }

    @Test
    void restoredActiveLocksExpireLiveAndCountTowardTheCaps() {
        firstRun();
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store, b -> b.maxActiveLocksPerActor(2));
            engine.addListener(events::add);
            // till-1 holds L-1 (L-3 is completed): one more is allowed, then the cap
            engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("1.00"), "till-1"));
            assertThatThrownBy(() -> engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("2.00"), "till-1")))
                    .extracting(e -> ((RateHubException) e).code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);

            clock.advance(Duration.ofMinutes(31)); // past L-1's 30 min TTL, while running
            engine.runDueTimers();
            assertThat(engine.findLock("L-1").orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
            assertThat(events).filteredOn(e -> e instanceof RateEvent.LockExpired).isNotEmpty();
        }
    }

    @Test
    void finishedLocksBeyondTheRetentionAreForgottenWithTheirRequestIds() {
        FirstRun first = firstRun();
        clock.advance(RETENTION.plusMinutes(1));
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store);
            assertThat(engine.findLock("L-3")).isEmpty();
            assertThat(engine.findLock("L-4")).isEmpty();
            assertThat(engine.findLock("L-1").orElseThrow().status()).as("expired at start, now remembered")
                    .isEqualTo(LockStatus.EXPIRED);
            assertThat(engine.override("s1", USD_CAD)).contains(first.override());
        }
    }

    @Test
    void anEditedLineRefusesTheStartNamingItsSeqAndTheFileIsLeftAsItWas() throws Exception {
        firstRun();
        Path file = dir.resolve(FileEngineStore.AUDIT_FILE);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(2)).contains("\"seq\":3,").contains("\"owner\"");
        lines.set(2, lines.get(2).replace("\"owner\"", "\"0wner\""));
        Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] edited = Files.readAllBytes(file);

        try (FileEngineStore store = FileEngineStore.open(dir)) {
            assertThatThrownBy(() -> start(store))
                    .isInstanceOf(AuditException.class)
                    .hasMessageContaining("broken at seq 3")
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .extracting(e -> ((RateHubException) e).code()).isEqualTo(ErrorCode.AUDIT_CORRUPT);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(edited);
    }

    @Test
    void aPendingOverrideStartsOnItsOwnScheduleAfterTheRestart() {
        FirstRun first = firstRun();
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store);
            assertThat(engine.storeRate("s1", EUR_USD)).isEmpty();
            clock.set(first.pending().validFrom());
            engine.runDueTimers();
            StoreRate rate = engine.storeRate("s1", EUR_USD).orElseThrow();
            assertThat(rate.basis()).isEqualTo(RateBasis.OVERRIDE);
            assertThat(rate.buy()).isEqualByComparingTo("1.07600");
            clock.set(first.pending().validUntil());
            engine.runDueTimers();
            assertThat(engine.override("s1", EUR_USD)).isEmpty();
            assertThat(entriesAfter(store.auditLog(), first.lastSeq())).extracting(AuditEntry::action)
                    .contains("override.expired");
        }
    }

    @Test
    void anIdSupplierThatOnlyRepeatsTakenIdsIsRefusedAfterBoundedTries() {
        firstRun();
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store, b -> b.lockIds(() -> "L-1"));
            long seq = store.auditLog().lastSeq();
            assertThatThrownBy(() -> engine.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("1.00"), "till-7")))
                    .extracting(e -> ((RateHubException) e).code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(store.auditLog().lastSeq()).isEqualTo(seq);
        }
    }

    @Test
    void aStoreAndAnAuditLogTogetherAreRefused() {
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            assertThatThrownBy(() -> RateEngine.builder().store(store).auditLog(AuditLog.inMemory()).build())
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("auditLog");
        }
    }

    @Test
    void anEmptyStoreStartsEmpty() {
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RecoveredState s = store.recover(RecoveryOptions.of(RETENTION));
            assertThat(s.state().seq()).isZero();
            assertThat(s.chain().valid()).isTrue();
            RateEngine engine = start(store);
            assertThat(engine.stores()).isEmpty();
            assertThat(store.auditLog().lastSeq()).isZero();
        }
    }
}
