package io.ratehub.core.durable;

import static io.ratehub.core.durable.EngineScenario.EUR_USD;
import static io.ratehub.core.durable.EngineScenario.PAIRS;
import static io.ratehub.core.durable.EngineScenario.RETENTION;
import static io.ratehub.core.durable.EngineScenario.STORES;
import static io.ratehub.core.durable.EngineScenario.T0;
import static io.ratehub.core.durable.EngineScenario.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.AuditEntryException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.ThresholdRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateFoldTest {

    private static FoldedState fold(List<AuditEntry> entries, Duration retention) {
        StateFold fold = new StateFold(retention);
        entries.forEach(fold::apply);
        return fold.snapshot();
    }

    @Test
    void foldOfTheLogEqualsTheEnginesLiveState() {
        EngineScenario s = new EngineScenario().runEverything();
        List<AuditEntry> entries = s.entries();

        FoldedState state = fold(entries, RETENTION);

        AuditEntry last = entries.get(entries.size() - 1);
        assertThat(state.seq()).isEqualTo(last.seq());
        assertThat(state.hash()).isEqualTo(last.hash());
        assertThat(state.newestTime()).isEqualTo(s.clock.instant());
        assertThat(state.skipped()).isZero();
        assertThat(state.inconsistencies()).isZero();

        Instant now = s.clock.instant();
        for (String store : STORES) {
            for (CurrencyPair pair : PAIRS) {
                String where = store + " " + pair;
                assertThat(state.spread(store, pair).map(SpreadEntry::rule)).as(where)
                        .isEqualTo(s.engine.spread(store, pair));
                state.spread(store, pair).ifPresent(e -> {
                    RateEvent.SpreadSet lastSet = s.events.stream().filter(RateEvent.SpreadSet.class::isInstance)
                            .map(RateEvent.SpreadSet.class::cast)
                            .filter(ev -> ev.storeId().equals(store) && ev.pair().equals(pair))
                            .reduce((a, b) -> b).orElseThrow();
                    assertThat(e.setBy()).as(where).isEqualTo(lastSet.actor());
                    assertThat(e.setAt()).as(where).isEqualTo(lastSet.time());
                });
                assertThat(state.override(store, pair)).as(where).isEqualTo(s.engine.override(store, pair));
                for (ThresholdRule.Kind kind : ThresholdRule.Kind.values()) {
                    assertThat(state.rule(store, pair, kind)).as(where + " " + kind)
                            .isEqualTo(s.engine.threshold(store, pair, kind));
                }
                boolean overridden = state.override(store, pair).filter(o -> o.isActiveAt(now)).isPresent();
                s.engine.storeRate(store, pair).ifPresent(r -> assertThat(r.basis()).as(where)
                        .isEqualTo(overridden ? RateBasis.OVERRIDE : RateBasis.MARKET));
            }
        }
        // the scenario covers what it says
        assertThat(state.spreads()).hasSize(3);
        assertThat(state.overrides()).hasSize(2);
        assertThat(state.rules()).hasSize(3);

        for (String lockId : s.lockIds) {
            assertThat(state.lock(lockId).map(LockEntry::lock)).as(lockId).isEqualTo(s.engine.findLock(lockId));
        }
        assertThat(state.locks()).extracting(l -> l.lock().lockId()).containsExactly("L-4", "L-5", "L-6");
        assertThat(state.locks()).extracting(l -> l.lock().status())
                .containsExactly(LockStatus.EXPIRED, LockStatus.COMPLETED, LockStatus.ACTIVE);
        assertThat(state.lock("L-4").orElseThrow().requestedTtl()).isEqualTo(Duration.ofMinutes(30));

        // the request-id index answers as the engine does: a repeated request gets the same lock, no new entry
        assertThat(state.lockIdsByRequest()).isEqualTo(Map.of(
                new FoldedState.RequestKey("s1", "r-4"), "L-4",
                new FoldedState.RequestKey("s1", "r-5"), "L-5",
                new FoldedState.RequestKey("s3", "r-6"), "L-6"));
        for (int i = 0; i < s.lockIds.size(); i++) {
            LockRequest r = s.lockRequests.get(i);
            if (r.requestId() != null && state.lockByRequest(r.storeId(), r.requestId()).isPresent()) {
                RateLock again = s.engine.lock(r);
                assertThat(state.lockByRequest(r.storeId(), r.requestId()).orElseThrow().lock()).isEqualTo(again);
            }
        }
        assertThat(s.entries()).hasSameSizeAs(entries);
    }

    @Test
    void aFinishedLockIsDroppedOnceItsRetentionHasPassedByTheNewestEntrysTime() {
        EngineScenario s = new EngineScenario();
        s.engine.setSpread("s1", USD_CAD, io.ratehub.core.model.SpreadRule.bps("50", "50"), "owner");
        RateLock l = s.lock(LockRequest.of("s1", USD_CAD, io.ratehub.core.model.Side.SELL,
                EngineScenario.d("1.00"), "till-1").withRequestId("r-1"));
        s.engine.completeLock(l.lockId(), "tx-1", "till-1"); // closed at T0
        StateFold fold = new StateFold(RETENTION);
        s.entries().forEach(fold::apply);
        assertThat(fold.snapshot().lock(l.lockId())).isPresent();

        fold.apply(entryAt(s.entries().size() + 1L, T0.plus(RETENTION).minusMillis(1)));
        assertThat(fold.snapshot().lock(l.lockId())).as("1 ms before the retention ends").isPresent();
        assertThat(fold.snapshot().lockByRequest("s1", "r-1")).isPresent();

        fold.apply(entryAt(s.entries().size() + 2L, T0.plus(RETENTION)));
        assertThat(fold.snapshot().lock(l.lockId())).as("at closedAt + retention").isEmpty();
        assertThat(fold.snapshot().lockIdsByRequest()).isEmpty();
        assertThat(fold.snapshot().skipped()).isEqualTo(2);
    }

    private static AuditEntry entryAt(long seq, Instant time) {
        return new AuditEntry(seq, time, "ops", "note.added", null, null, Map.of(), Map.of("text", "hi"), null,
                "f".repeat(64));
    }

    @Test
    void anActiveLockIsKeptWhateverTheTimeUntilItsExpiryEntry() {
        StateFold fold = new StateFold(Duration.ofMinutes(1));
        fold.apply(new AuditEntry(1, T0, "till-1", "lock.created", "s1", "USD/CAD", Map.of(),
                DecisionTest.oldLockCreated(), null, "a".repeat(64)));
        fold.apply(entryAt(2, T0.plus(Duration.ofDays(1))));

        LockEntry l = fold.snapshot().lock("L-old").orElseThrow();
        assertThat(l.lock().status()).isEqualTo(LockStatus.ACTIVE);
        assertThat(l.requestId()).isNull();
        assertThat(fold.snapshot().lockIdsByRequest()).isEmpty(); // an older entry restores the lock, not the index
    }

    @Test
    void anUnknownActionIsSkippedAndCounted() {
        EngineScenario s = new EngineScenario();
        s.engine.setSpread("s1", EUR_USD, io.ratehub.core.model.SpreadRule.bps("5", "5"), "owner");
        StateFold fold = new StateFold(RETENTION);
        s.entries().forEach(fold::apply);
        FoldedState before = fold.snapshot();

        Decision d = fold.apply(entryAt(2, T0.plusSeconds(1)));

        assertThat(d).isInstanceOf(Decision.Unknown.class);
        FoldedState after = fold.snapshot();
        assertThat(after.spreads()).isEqualTo(before.spreads());
        assertThat(after.skipped()).isEqualTo(1);
        assertThat(after.seq()).isEqualTo(2);
        assertThat(after.hash()).isEqualTo("f".repeat(64));
    }

    @Test
    void aMalformedEntryChangesNothingAndNamesItsSeqAndKey() {
        StateFold fold = new StateFold(RETENTION);
        Map<String, String> after = new java.util.HashMap<>(DecisionTest.oldLockCreated());
        after.put("rate", "1,368");

        AuditEntryException e = catchThrowableOfType(AuditEntryException.class, () -> fold.apply(
                new AuditEntry(9, T0, "till-1", "lock.created", "s1", "USD/CAD", Map.of(), after, null,
                        "a".repeat(64))));

        assertThat(e.seq()).isEqualTo(9);
        assertThat(e.key()).isEqualTo("after.rate");
        assertThat(e.getMessage()).contains("seq 9").contains("after.rate").contains("1,368");
        assertThat(fold.snapshot().seq()).isZero();
        assertThat(fold.snapshot().hash()).isEqualTo(AuditEntry.GENESIS_HASH);
        assertThat(fold.snapshot().locks()).isEmpty();
    }

    @Test
    void decisionsThatDoNotFitTheFoldedStateAreCounted() {
        StateFold fold = new StateFold(RETENTION);
        fold.apply(new AuditEntry(1, T0, "till-1", "lock.completed", "s1", "USD/CAD", Map.of(),
                Map.of("lockId", "L-9", "status", "COMPLETED", "transactionRef", "tx"), null, "a".repeat(64)));
        fold.apply(new AuditEntry(2, T0, "bob", "override.cleared", "s1", "USD/CAD", Map.of(), Map.of(), "r",
                "b".repeat(64)));

        assertThat(fold.snapshot().inconsistencies()).isEqualTo(2);
        assertThat(fold.snapshot().locks()).isEmpty();
    }

    @Test
    void entriesMustComeInSeqOrder() {
        StateFold fold = new StateFold(RETENTION);
        fold.apply(entryAt(5, T0));

        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> fold.apply(entryAt(5, T0)));

        assertThat(e).hasMessageContaining("seq 5");
    }
}
