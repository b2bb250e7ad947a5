package io.ratehub.core.durable;

import static io.ratehub.core.durable.EngineScenario.EUR_USD;
import static io.ratehub.core.durable.EngineScenario.T0;
import static io.ratehub.core.durable.EngineScenario.USD_CAD;
import static io.ratehub.core.durable.EngineScenario.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.AuditEntryException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.engine.OverrideRequest;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link Decision#of}: every action the engine writes, read back from the entries a real engine wrote. */
class DecisionTest {
    private final EngineScenario s = new EngineScenario();

    private AuditEntry last() {
        List<AuditEntry> all = s.entries();
        return all.get(all.size() - 1);
    }

    private List<Decision> decisionsOf(String action) {
        return s.entries().stream().filter(e -> e.action().equals(action)).map(Decision::of)
                .collect(Collectors.toList());
    }

    @Test
    void spreadSetCarriesTheRuleWithItsBoundsAndWhoSetItWhen() {
        SpreadRule rule = SpreadRule.absolute("0.0010", "0.0012").withMarginBounds(d("0.0005"), d("0.0100"));
        s.engine.setSpread("s1", EUR_USD, rule, "owner");

        Decision d = Decision.of(last());

        assertThat(d).isEqualTo(new Decision.SpreadSet(last().seq(), T0, "owner", "s1", EUR_USD, rule));
    }

    @Test
    void spreadRemovedCarriesTheRuleThatWasInForce() {
        SpreadRule rule = SpreadRule.bps("50", "60");
        s.engine.setSpread("s1", USD_CAD, rule, "owner");
        s.engine.removeSpread("s1", USD_CAD, "bob");

        assertThat(Decision.of(last()))
                .isEqualTo(new Decision.SpreadRemoved(last().seq(), T0, "bob", "s1", USD_CAD, rule));
    }

    @Test
    void overrideSetCarriesTheOverrideAsTheEngineHoldsIt() {
        s.engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        RateOverride normal = s.engine.setOverride(
                OverrideRequest.of("s1", USD_CAD, d("1.35500"), d("1.36800"), "alice", "promo"));
        AuditEntry first = last();
        RateOverride forced = s.engine.setOverride(OverrideRequest.of("s1", USD_CAD, d("0.5"), d("2.5"), "alice",
                "test").during(T0.plusSeconds(60), T0.plusSeconds(120)).forced());

        assertThat(Decision.of(first)).isEqualTo(new Decision.OverrideSet(first.seq(), T0, "alice", normal));
        assertThat(Decision.of(last())).isEqualTo(new Decision.OverrideSet(last().seq(), T0, "alice", forced));
        assertThat(forced.forced()).isTrue();
    }

    @Test
    void overrideClearedAndExpiredAreOneEndingTellingHow() {
        s.engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        s.engine.setOverride(OverrideRequest.of("s1", USD_CAD, d("1.35500"), d("1.36800"), "alice", "promo"));
        s.engine.clearOverride("s1", USD_CAD, "bob", "mistake");
        s.engine.setOverride(OverrideRequest.of("s1", USD_CAD, d("1.35500"), d("1.36800"), "alice", "promo")
                .during(T0, T0.plusSeconds(60)));
        s.advance(Duration.ofSeconds(60));

        Decision.OverrideEnded cleared = (Decision.OverrideEnded) decisionsOf("override.cleared").get(0);
        Decision.OverrideEnded expired = (Decision.OverrideEnded) decisionsOf("override.expired").get(0);

        assertThat(cleared).isEqualTo(new Decision.OverrideEnded(cleared.seq(), T0, "bob", "s1", USD_CAD,
                Decision.OverrideEnded.How.CLEARED, "mistake"));
        assertThat(expired).isEqualTo(new Decision.OverrideEnded(expired.seq(), T0.plusSeconds(60), "system", "s1",
                USD_CAD, Decision.OverrideEnded.How.EXPIRED, null));
    }

    @Test
    void thresholdSetAndRemovedCarryTheRuleOfEachKind() {
        ThresholdRule move = ThresholdRule.marketMove("s1", USD_CAD, d("1.5"), Duration.ofMinutes(10));
        ThresholdRule divergence = ThresholdRule.overrideDivergence("s1", USD_CAD, d("3"));
        s.engine.setThreshold(move, "owner");
        s.engine.setThreshold(divergence, "owner");
        s.engine.removeThreshold("s1", USD_CAD, ThresholdRule.Kind.MARKET_MOVE, "bob");

        List<Decision> set = decisionsOf("threshold.set");
        assertThat(set.get(0)).isEqualTo(new Decision.ThresholdSet(set.get(0).seq(), T0, "owner", move));
        assertThat(set.get(1)).isEqualTo(new Decision.ThresholdSet(set.get(1).seq(), T0, "owner", divergence));
        assertThat(Decision.of(last()))
                .isEqualTo(new Decision.ThresholdRemoved(last().seq(), T0, "bob", move));
    }

    @Test
    void lockCreatedCarriesTheLockTheRequestIdAndTheRequestedTtl() {
        s.engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        RateLock withBoth = s.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("100.00"), "till-1")
                .withRequestId("r-1").withTtl(Duration.ofMinutes(10)));
        AuditEntry first = last();
        RateLock withNeither = s.lock(LockRequest.of("s1", USD_CAD, Side.BUY, d("3.00"), "till-2"));

        assertThat(Decision.of(first)).isEqualTo(new Decision.LockCreated(first.seq(), T0, "till-1", withBoth, "r-1",
                Duration.ofMinutes(10)));
        assertThat(Decision.of(last()))
                .isEqualTo(new Decision.LockCreated(last().seq(), T0, "till-2", withNeither, null, null));
    }

    @Test
    void lockCompletedCancelledAndExpiredCarryTheFinalStatusAndWhenItClosed() {
        s.engine.setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        RateLock a = s.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("1.00"), "till-1"));
        RateLock b = s.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("2.00"), "till-1"));
        RateLock c = s.lock(LockRequest.of("s1", USD_CAD, Side.SELL, d("3.00"), "till-1"));
        s.advance(Duration.ofSeconds(5));
        s.engine.completeLock(a.lockId(), "tx-1", "till-9");
        s.engine.cancelLock(b.lockId(), "till-8", "customer left");
        s.advance(Duration.ofMinutes(5));
        Instant closed = T0.plusSeconds(5);

        Decision.LockClosed completed = (Decision.LockClosed) decisionsOf("lock.completed").get(0);
        Decision.LockClosed cancelled = (Decision.LockClosed) decisionsOf("lock.cancelled").get(0);
        Decision.LockClosed expired = (Decision.LockClosed) decisionsOf("lock.expired").get(0);

        assertThat(completed).isEqualTo(new Decision.LockClosed(completed.seq(), closed, "till-9", a.lockId(),
                LockStatus.COMPLETED, "tx-1", null));
        assertThat(completed.closedAt()).isEqualTo(closed);
        assertThat(cancelled).isEqualTo(new Decision.LockClosed(cancelled.seq(), closed, "till-8", b.lockId(),
                LockStatus.CANCELLED, null, "customer left"));
        assertThat(expired).isEqualTo(new Decision.LockClosed(expired.seq(), T0.plusSeconds(305), "system",
                c.lockId(), LockStatus.EXPIRED, null, null));
        assertThat(s.engine.findLock(c.lockId()).orElseThrow().closedAt()).isEqualTo(expired.closedAt());
    }

    @Test
    void everyActionTheEngineWritesIsReadAsAKnownDecision() {
        s.runEverything();

        assertThat(s.entries()).extracting(AuditEntry::action).containsAll(List.of("spread.set", "spread.removed",
                "override.set", "override.cleared", "override.expired", "threshold.set", "threshold.removed",
                "lock.created", "lock.completed", "lock.cancelled", "lock.expired"));
        assertThat(s.entries()).map(Decision::of).noneMatch(d -> d instanceof Decision.Unknown);
    }

    // ---------------------------------------------------------------- entries not written by this engine

    private static AuditEntry entry(long seq, String action, Map<String, String> before, Map<String, String> after,
                                    String reason) {
        return new AuditEntry(seq, T0, "till-1", action, "s1", "USD/CAD", before, after, reason, "0".repeat(64));
    }

    static Map<String, String> oldLockCreated() {
        Map<String, String> m = new HashMap<>();
        m.put("lockId", "L-old");
        m.put("status", "ACTIVE");
        m.put("side", "SELL");
        m.put("amount", "100.00");
        m.put("rate", "1.36800");
        m.put("counterAmount", "136.80");
        m.put("expiresAt", T0.plusSeconds(300).toString());
        return m;
    }

    @Test
    void aLockCreatedWrittenBeforeRequestIdsWereRecordedHasNeither() {
        Decision d = Decision.of(entry(7, "lock.created", Map.of(), oldLockCreated(), null));

        Decision.LockCreated c = (Decision.LockCreated) d;
        assertThat(c.requestId()).isNull();
        assertThat(c.requestedTtl()).isNull();
        assertThat(c.lock()).isEqualTo(new RateLock("L-old", "s1", USD_CAD, Side.SELL, d("100.00"), d("1.36800"),
                d("136.80"), T0, T0.plusSeconds(300), LockStatus.ACTIVE, "till-1", null, null));
    }

    @Test
    void anActionThisVersionDoesNotKnowIsUnknown() {
        assertThat(Decision.of(entry(3, "store.renamed", Map.of(), Map.of("name", "x"), null)))
                .isEqualTo(new Decision.Unknown(3, T0, "till-1", "store.renamed"));
    }

    @Test
    void aMissingKeyIsAnAuditCorruptErrorNamingTheSeqAndTheKey() {
        Map<String, String> after = oldLockCreated();
        after.remove("amount");

        AuditEntryException e = catchThrowableOfType(AuditEntryException.class,
                () -> Decision.of(entry(42, "lock.created", Map.of(), after, null)));

        assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_CORRUPT);
        assertThat(e.seq()).isEqualTo(42);
        assertThat(e.key()).isEqualTo("after.amount");
        assertThat(e).hasMessage("audit entry seq 42 (lock.created): after.amount is missing");
    }

    @Test
    void anUnparsableValueIsAnAuditCorruptErrorNamingTheSeqTheKeyAndTheValue() {
        Map<String, String> after = oldLockCreated();
        after.put("expiresAt", "soon");

        AuditEntryException e = catchThrowableOfType(AuditEntryException.class,
                () -> Decision.of(entry(43, "lock.created", Map.of(), after, null)));

        assertThat(e.key()).isEqualTo("after.expiresAt");
        assertThat(e).hasMessage("audit entry seq 43 (lock.created): after.expiresAt must be an ISO-8601 instant, "
                + "was \"soon\"");
    }

    @Test
    void malformedEntriesOfEachKindNameTheirKey() {
        // The audit benchmark's override.set has no validFrom: it is not an override the engine could have set.
        Map<String, String> override = Map.of("buy", "1.1", "sell", "1.2", "validUntil", T0.toString(),
                "forced", "false", "setBy", "bench");
        assertThat(keyOf(entry(1, "override.set", Map.of(), override, "bench"))).isEqualTo("after.validFrom");
        assertThat(keyOf(entry(2, "spread.set", Map.of(), Map.of("unit", "PERCENT", "buyMargin", "1",
                "sellMargin", "1"), null))).isEqualTo("after.unit");
        assertThat(keyOf(entry(3, "threshold.removed", Map.of("kind", "MARKET_MOVE", "percent", "2",
                "clearPercent", "1"), Map.of(), null))).isEqualTo("before.window"); // refused by ThresholdRule
        assertThat(keyOf(entry(4, "lock.completed", Map.of(), Map.of("lockId", "L-1", "status", "COMPLETED"),
                null))).isEqualTo("after.transactionRef");
        assertThat(keyOf(entry(5, "lock.cancelled", Map.of(), Map.of("lockId", "L-1", "status", "EXPIRED"),
                "why"))).isEqualTo("after.status");
        assertThat(keyOf(new AuditEntry(6, T0, "owner", "spread.removed", "s1", "USDCAD",
                Map.of("unit", "BPS", "buyMargin", "1", "sellMargin", "1"), Map.of(), null, "0".repeat(64))))
                .isEqualTo("pair");
        assertThat(keyOf(new AuditEntry(7, T0, "owner", "override.cleared", null, "USD/CAD", Map.of(), Map.of(),
                "r", "0".repeat(64)))).isEqualTo("store");
    }

    private static String keyOf(AuditEntry e) {
        AuditEntryException x = catchThrowableOfType(AuditEntryException.class, () -> Decision.of(e));
        assertThat(x).as("an error for %s", e).isNotNull();
        assertThat(x.seq()).isEqualTo(e.seq());
        return x.key();
    }
}
