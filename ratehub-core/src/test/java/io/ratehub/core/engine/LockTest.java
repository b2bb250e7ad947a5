package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.BTC_USD;
import static io.ratehub.core.engine.EngineFixture.EUR_USD;
import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.USD_JPY;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LockTest {
    private static final Instant EXPIRY = T0.plus(Duration.ofMinutes(5));

    /** USD/CAD at mid 1.00000, absolute spread 0.00333: the store buys at 0.99667 and sells at 1.00333. */
    static EngineFixture market() {
        return market(new EngineFixture());
    }

    static EngineFixture market(EngineFixture f) {
        f.tickMid(USD_CAD, "feed-a", "1.00000");
        f.engine.setSpread(STORE, USD_CAD, SpreadRule.absolute("0.00333", "0.00333"), OWNER);
        f.events.clear();
        return f;
    }

    static LockRequest sell(String amount) {
        return LockRequest.of(STORE, USD_CAD, Side.SELL, d(amount), "till-1");
    }

    static LockRequest buy(String amount) {
        return LockRequest.of(STORE, USD_CAD, Side.BUY, d(amount), "till-1");
    }

    private static LockStateException lockState(Runnable r) {
        LockStateException e = catchThrowableOfType(LockStateException.class, r::run);
        assertThat(e).as("expected a LockStateException").isNotNull();
        return e;
    }

    @Test
    void lockHoldsTheStoresCurrentRateForFiveMinutesByDefault() {
        EngineFixture f = market();

        RateLock l = f.engine.lock(sell("100.00"));

        assertThat(l.lockId()).isEqualTo("L-1");
        assertThat(l.storeId()).isEqualTo(STORE);
        assertThat(l.pair()).isEqualTo(USD_CAD);
        assertThat(l.side()).isEqualTo(Side.SELL);
        assertThat(l.amount()).isEqualByComparingTo("100.00");
        assertThat(l.rate()).isEqualTo(d("1.00333"));
        assertThat(l.counterAmount()).isEqualTo(d("100.34")); // 100.333 rounded up: the customer pays
        assertThat(l.createdAt()).isEqualTo(T0);
        assertThat(l.expiresAt()).isEqualTo(EXPIRY);
        assertThat(l.status()).isEqualTo(LockStatus.ACTIVE);
        assertThat(l.actor()).isEqualTo("till-1");
        assertThat(l.transactionRef()).isNull();
        assertThat(l.closedAt()).isNull();
        assertThat(f.engine.findLock("L-1")).contains(l);

        assertThat(f.events.of(RateEvent.LockCreated.class)).singleElement()
                .satisfies(e -> assertThat(e.lock()).isEqualTo(l));
        AuditEntry e = f.auditEntries("lock.created").get(0);
        assertThat(e.actor()).isEqualTo("till-1");
        assertThat(e.storeId()).isEqualTo(STORE);
        assertThat(e.pair()).isEqualTo("USD/CAD");
        assertThat(e.after()).containsEntry("lockId", "L-1").containsEntry("status", "ACTIVE")
                .containsEntry("side", "SELL").containsEntry("amount", "100.00").containsEntry("rate", "1.00333")
                .containsEntry("counterAmount", "100.34").containsEntry("expiresAt", EXPIRY.toString());
    }

    @Test
    void counterAmountIsRoundedInTheStoresFavourOnEachSide() {
        EngineFixture f = market();

        RateLock sell = f.engine.lock(sell("1.00"));
        RateLock buy = f.engine.lock(buy("1.00"));

        assertThat(sell.rate()).isEqualTo(d("1.00333"));
        assertThat(sell.counterAmount()).isEqualTo(d("1.01")); // 1.00333 up
        assertThat(buy.rate()).isEqualTo(d("0.99667"));
        assertThat(buy.counterAmount()).isEqualTo(d("0.99")); // 0.99667 down: the store pays less
    }

    @Test
    void counterAmountUsesTheQuoteCurrencysMinorUnits() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_JPY, "feed-a", "151.234", "151.234");
        f.engine.setSpread(STORE, USD_JPY, SpreadRule.absolute("0", "0.006"), OWNER);

        RateLock buy = f.engine.lock(LockRequest.of(STORE, USD_JPY, Side.BUY, d("10.00"), "till-1"));
        RateLock sell = f.engine.lock(LockRequest.of(STORE, USD_JPY, Side.SELL, d("10.00"), "till-1"));

        assertThat(buy.rate()).isEqualTo(d("151.234"));
        assertThat(buy.counterAmount()).isEqualTo(d("1512")); // 1512.34 down to whole yen
        assertThat(sell.rate()).isEqualTo(d("151.240"));
        assertThat(sell.counterAmount()).isEqualTo(d("1513")); // 1512.40 up
    }

    @Test
    void ttlIsConfigurableUpToTheMaximum() {
        EngineFixture f = market();

        assertThat(f.engine.lock(sell("1.00").withTtl(Duration.ofMinutes(10))).expiresAt())
                .isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(f.engine.lock(sell("1.00").withTtl(Duration.ofMinutes(30))).expiresAt())
                .isEqualTo(T0.plus(Duration.ofMinutes(30)));
        int audit = f.auditEntries().size();
        f.events.clear();

        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> f.engine.lock(sell("1.00").withTtl(Duration.ofMinutes(30).plusSeconds(1))));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.field()).isEqualTo("ttl");
        assertThat(e.value()).isEqualTo("PT30M1S");
        assertThat(f.auditEntries()).hasSize(audit);
        assertThat(f.events.all()).isEmpty();
        assertThat(f.engine.findLock("L-3")).isEmpty();
    }

    @Test
    void defaultAndMaximumTtlAreEngineSettings() {
        EngineFixture f = market(new EngineFixture(b -> b.defaultLockTtl(Duration.ofMinutes(2))
                .maxLockTtl(Duration.ofHours(1))));

        assertThat(f.engine.lock(sell("1.00")).expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        assertThat(f.engine.lock(sell("1.00").withTtl(Duration.ofMinutes(45))).expiresAt())
                .isEqualTo(T0.plus(Duration.ofMinutes(45)));
        assertThat(RateEngine.Builder.DEFAULT_LOCK_TTL).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void storeWithoutARateCannotLock() {
        EngineFixture f = market();

        RateHubException otherStore = catchThrowableOfType(RateHubException.class,
                () -> f.engine.lock(LockRequest.of("store-9", USD_CAD, Side.SELL, d("1.00"), "till-1")));
        RateHubException noMarket = catchThrowableOfType(RateHubException.class,
                () -> f.engine.lock(LockRequest.of(STORE, EUR_USD, Side.SELL, d("1.00"), "till-1")));
        ValidationException unknownPair = catchThrowableOfType(ValidationException.class,
                () -> f.engine.lock(LockRequest.of(STORE, new CurrencyPair("ZZZ", "CAD"), Side.SELL, d("1.00"),
                        "till-1")));

        assertThat(otherStore.code()).isEqualTo(ErrorCode.UNKNOWN_STORE_RATE);
        assertThat(noMarket.code()).isEqualTo(ErrorCode.UNKNOWN_STORE_RATE);
        assertThat(unknownPair.code()).isEqualTo(ErrorCode.UNKNOWN_PAIR);
        assertThat(unknownPair.field()).isEqualTo("pair");
        assertThat(unknownPair.value()).isEqualTo("ZZZ/CAD");
        assertThat(f.auditEntries("lock.created")).isEmpty();
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void amountMayNotHaveMoreDecimalsThanTheBaseCurrency() {
        EngineFixture f = market();
        f.tick(BTC_USD, "feed-a", "65000.00000000", "65000.00000000");
        f.engine.setSpread(STORE, BTC_USD, SpreadRule.bps("10", "10"), OWNER);

        ValidationException usd = catchThrowableOfType(ValidationException.class, () -> f.engine.lock(sell("100.001")));
        ValidationException btc = catchThrowableOfType(ValidationException.class, () -> f.engine.lock(
                LockRequest.of(STORE, BTC_USD, Side.BUY, d("0.000000001"), "till-1")));

        assertThat(usd.field()).isEqualTo("amount");
        assertThat(usd.value()).isEqualTo("100.001");
        assertThat(btc.field()).isEqualTo("amount");
        assertThat(f.auditEntries("lock.created")).isEmpty();
        assertThat(f.engine.lock(sell("100.000")).amount()).isEqualByComparingTo("100");
        assertThat(f.engine.lock(LockRequest.of(STORE, BTC_USD, Side.BUY, d("0.00000001"), "till-1")).amount())
                .isEqualByComparingTo("0.00000001");
    }

    @Test
    void completionIsRecordedOnceAndRepeatsWithTheSameReferenceReturnTheSameLock() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.clock.advanceSeconds(30);

        RateLock done = f.engine.completeLock(l.lockId(), "TX-1", "till-1");

        assertThat(done.status()).isEqualTo(LockStatus.COMPLETED);
        assertThat(done.transactionRef()).isEqualTo("TX-1");
        assertThat(done.closedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(done.rate()).isEqualTo(l.rate());
        assertThat(f.engine.findLock(l.lockId())).contains(done);
        assertThat(f.events.of(RateEvent.LockCompleted.class)).singleElement()
                .satisfies(e -> assertThat(e.lock()).isEqualTo(done));
        AuditEntry e = f.auditEntries("lock.completed").get(0);
        assertThat(e.before()).containsEntry("status", "ACTIVE");
        assertThat(e.after()).containsEntry("status", "COMPLETED").containsEntry("transactionRef", "TX-1");

        f.clock.advanceSeconds(30);
        assertThat(f.engine.completeLock(l.lockId(), "TX-1", "till-2")).isEqualTo(done);
        assertThat(f.auditEntries("lock.completed")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockCompleted.class)).hasSize(1);
    }

    @Test
    void completionWithAnotherReferenceIsRefused() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        RateLock done = f.engine.completeLock(l.lockId(), "TX-1", "till-1");

        LockStateException e = lockState(() -> f.engine.completeLock(l.lockId(), "TX-2", "till-1"));

        assertThat(e.code()).isEqualTo(ErrorCode.LOCK_ALREADY_COMPLETED);
        assertThat(e.lockId()).isEqualTo(l.lockId());
        assertThat(f.engine.findLock(l.lockId())).contains(done);
        assertThat(f.auditEntries("lock.completed")).hasSize(1);
    }

    @Test
    void lockIsCompletableUntilJustBeforeItsExpiry() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.clock.set(EXPIRY.minusMillis(1));
        f.engine.runDueTimers();

        assertThat(f.engine.completeLock(l.lockId(), "TX-1", "till-1").status()).isEqualTo(LockStatus.COMPLETED);
    }

    @Test
    void lockExpiresByTimerWithAnEventAndAnAuditEntry() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.events.clear();

        f.clock.set(EXPIRY);
        f.engine.runDueTimers();

        assertThat(f.events.of(RateEvent.LockExpired.class)).singleElement().satisfies(e -> {
            assertThat(e.lock().lockId()).isEqualTo(l.lockId());
            assertThat(e.lock().status()).isEqualTo(LockStatus.EXPIRED);
            assertThat(e.time()).isEqualTo(EXPIRY);
        });
        AuditEntry e = f.auditEntries("lock.expired").get(0);
        assertThat(e.actor()).isEqualTo("system");
        assertThat(e.after()).containsEntry("status", "EXPIRED");
        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);

        assertThat(lockState(() -> f.engine.completeLock(l.lockId(), "TX-1", "till-1")).code())
                .isEqualTo(ErrorCode.LOCK_EXPIRED);
        assertThat(lockState(() -> f.engine.cancelLock(l.lockId(), "clerk", "late")).code())
                .isEqualTo(ErrorCode.LOCK_EXPIRED);
        assertThat(f.auditEntries("lock.expired")).hasSize(1);
        assertThat(f.auditEntries("lock.completed")).isEmpty();
    }

    @Test
    void completionAfterExpiryFailsEvenBeforeTheTimerHasRun() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.events.clear();
        f.clock.set(EXPIRY);

        LockStateException e = lockState(() -> f.engine.completeLock(l.lockId(), "TX-1", "till-1"));

        assertThat(e.code()).isEqualTo(ErrorCode.LOCK_EXPIRED);
        assertThat(e.lockId()).isEqualTo(l.lockId());
        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
        assertThat(f.auditEntries("lock.completed")).isEmpty();
        assertThat(f.auditEntries("lock.expired")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockExpired.class)).hasSize(1);

        f.engine.runDueTimers();
        assertThat(lockState(() -> f.engine.completeLock(l.lockId(), "TX-1", "till-1")).code())
                .isEqualTo(ErrorCode.LOCK_EXPIRED);
        assertThat(f.auditEntries("lock.expired")).as("expired once").hasSize(1);
        assertThat(f.events.of(RateEvent.LockExpired.class)).hasSize(1);
    }

    @Test
    void cancelAfterExpiryFailsEvenBeforeTheTimerHasRun() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.clock.set(EXPIRY.plusSeconds(1));

        assertThat(lockState(() -> f.engine.cancelLock(l.lockId(), "clerk", "late")).code())
                .isEqualTo(ErrorCode.LOCK_EXPIRED);

        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
        assertThat(f.auditEntries("lock.cancelled")).isEmpty();
        f.engine.runDueTimers();
        assertThat(f.auditEntries("lock.expired")).hasSize(1);
    }

    @Test
    void lockWhoseCounterAmountWouldPassTheMagnitudeLimitIsRefusedAndChangesNothing() {
        EngineFixture f = new EngineFixture();
        f.tick(USD_JPY, "feed-a", "151.234", "151.234");
        f.engine.setSpread(STORE, USD_JPY, SpreadRule.absolute("0", "0"), OWNER);
        int audit = f.auditEntries().size();
        f.events.clear();

        // 999,999,999,999 USD is a legal amount; at 151.234 the yen amount has 15 integer digits.
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> f.engine.lock(
                LockRequest.of(STORE, USD_JPY, Side.SELL, d("999999999999.00"), "till-1")));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(f.auditEntries()).hasSize(audit);
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void cancelledLockCannotBeCompleted() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.events.clear();

        RateLock cancelled = f.engine.cancelLock(l.lockId(), "clerk", "customer left");

        assertThat(cancelled.status()).isEqualTo(LockStatus.CANCELLED);
        assertThat(cancelled.closedAt()).isEqualTo(T0);
        assertThat(f.events.of(RateEvent.LockCancelled.class)).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("clerk");
            assertThat(e.reason()).isEqualTo("customer left");
            assertThat(e.lock()).isEqualTo(cancelled);
        });
        AuditEntry e = f.auditEntries("lock.cancelled").get(0);
        assertThat(e.actor()).isEqualTo("clerk");
        assertThat(e.reason()).isEqualTo("customer left");

        LockStateException complete = lockState(() -> f.engine.completeLock(l.lockId(), "TX-1", "till-1"));
        assertThat(complete.code()).isEqualTo(ErrorCode.LOCK_CANCELLED);
        assertThat(f.engine.cancelLock(l.lockId(), "clerk", "again")).isEqualTo(cancelled);
        assertThat(f.auditEntries("lock.cancelled")).hasSize(1);

        f.clock.set(EXPIRY.plusSeconds(1));
        f.engine.runDueTimers();
        assertThat(f.engine.findLock(l.lockId())).contains(cancelled);
        assertThat(f.events.of(RateEvent.LockExpired.class)).isEmpty();
    }

    @Test
    void completedLockCannotBeCancelled() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        RateLock done = f.engine.completeLock(l.lockId(), "TX-1", "till-1");

        assertThat(lockState(() -> f.engine.cancelLock(l.lockId(), "clerk", "oops")).code())
                .isEqualTo(ErrorCode.LOCK_ALREADY_COMPLETED);
        assertThat(f.engine.findLock(l.lockId())).contains(done);
    }

    @Test
    void unknownLockIsNotFound() {
        EngineFixture f = market();

        LockStateException complete = lockState(() -> f.engine.completeLock("L-404", "TX-1", "till-1"));
        LockStateException cancel = lockState(() -> f.engine.cancelLock("L-404", "clerk", "why"));

        assertThat(complete.code()).isEqualTo(ErrorCode.LOCK_NOT_FOUND);
        assertThat(complete.lockId()).isEqualTo("L-404");
        assertThat(cancel.code()).isEqualTo(ErrorCode.LOCK_NOT_FOUND);
        assertThat(f.engine.findLock("L-404")).isEmpty();
    }

    @Test
    void repeatedRequestIdReturnsTheSameLockEvenAfterTheRateMoved() {
        EngineFixture f = market();
        RateLock first = f.engine.lock(sell("100.00").withRequestId("req-1"));
        f.tickMid(USD_CAD, "feed-a", "1.01000");

        RateLock again = f.engine.lock(sell("100.00").withRequestId("req-1"));

        assertThat(again).isEqualTo(first);
        assertThat(f.auditEntries("lock.created")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockCreated.class)).hasSize(1);
        assertThat(f.engine.lock(sell("100.0").withRequestId("req-1"))).as("same amount, other scale")
                .isEqualTo(first);
    }

    /** What a restart needs to answer a repeated request the same (issue 11): the request id and the ttl asked. */
    @Test
    void theCreationEntryKeepsTheRequestIdAndTheRequestedTtl() {
        EngineFixture f = market();
        f.engine.lock(sell("100.00").withRequestId("req-7").withTtl(java.time.Duration.ofMinutes(2)));
        f.engine.lock(sell("50.00"));

        java.util.List<AuditEntry> created = f.auditEntries("lock.created");
        assertThat(created.get(0).after()).containsEntry("requestId", "req-7").containsEntry("ttl", "PT2M");
        assertThat(created.get(1).after()).doesNotContainKeys("requestId", "ttl");
    }

    @Test
    void requestIdIsScopedToTheStore() {
        EngineFixture f = market();
        f.engine.setSpread("store-2", USD_CAD, SpreadRule.absolute("0.001", "0.001"), OWNER);
        RateLock first = f.engine.lock(sell("100.00").withRequestId("req-1"));

        RateLock other = f.engine.lock(LockRequest.of("store-2", USD_CAD, Side.SELL, d("100.00"), "till-1")
                .withRequestId("req-1"));

        assertThat(other.lockId()).isNotEqualTo(first.lockId());
        assertThat(other.rate()).isEqualTo(d("1.00100"));
    }

    @Test
    void reusedRequestIdWithOtherParametersIsRefused() {
        EngineFixture f = market();
        RateLock first = f.engine.lock(sell("100.00").withRequestId("req-1"));
        int audit = f.auditEntries().size();

        for (LockRequest differing : new LockRequest[] {
            sell("200.00").withRequestId("req-1"),
            buy("100.00").withRequestId("req-1"),
            sell("100.00").withTtl(Duration.ofMinutes(10)).withRequestId("req-1")}) {
            ValidationException e = catchThrowableOfType(ValidationException.class, () -> f.engine.lock(differing));
            assertThat(e).as("%s", differing).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.field()).isEqualTo("requestId");
            assertThat(e.value()).isEqualTo("req-1");
        }

        assertThat(f.auditEntries()).hasSize(audit);
        assertThat(f.engine.findLock(first.lockId())).contains(first);
    }

    @Test
    void failedCreationDoesNotBurnTheRequestId() {
        EngineFixture f = market();
        f.advanceSeconds(10); // stale: the lock is refused
        catchThrowableOfType(RateHubException.class, () -> f.engine.lock(sell("100.00").withRequestId("req-1")));
        f.tickMid(USD_CAD, "feed-a", "1.00000");

        RateLock l = f.engine.lock(sell("100.00").withRequestId("req-1"));

        assertThat(l.status()).isEqualTo(LockStatus.ACTIVE);
        assertThat(f.auditEntries("lock.created")).hasSize(1);
    }

    @Test
    void lockedRateHoldsWhenTheMarketGoesStaleAfterwards() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00"));
        f.advanceSeconds(10);
        assertThat(f.market(USD_CAD).stale()).isTrue();

        RateLock done = f.engine.completeLock(l.lockId(), "TX-1", "till-1");

        assertThat(done.rate()).isEqualTo(d("1.00333"));
    }

    @Test
    void lockOnAnOverrideUsesTheOverridePrice() {
        EngineFixture f = market();
        f.engine.setOverride(OverrideRequest.of(STORE, USD_CAD, d("0.99"), d("1.01"), "alice", "promo"));

        RateLock l = f.engine.lock(sell("10.00"));

        assertThat(l.rate()).isEqualByComparingTo("1.01");
        assertThat(l.counterAmount()).isEqualTo(d("10.10"));
    }

    @Test
    void finishedLocksAreForgottenAfterTheRetentionTime() {
        EngineFixture f = market();
        RateLock l = f.engine.lock(sell("100.00").withRequestId("req-1"));
        f.engine.completeLock(l.lockId(), "TX-1", "till-1");

        f.advance(Duration.ofHours(24).minusSeconds(1));
        assertThat(f.engine.completeLock(l.lockId(), "TX-1", "till-1").status()).isEqualTo(LockStatus.COMPLETED);

        f.advanceSeconds(1);
        assertThat(f.engine.findLock(l.lockId())).isEmpty();
        assertThat(lockState(() -> f.engine.completeLock(l.lockId(), "TX-1", "till-1")).code())
                .isEqualTo(ErrorCode.LOCK_NOT_FOUND);
    }

    @Test
    void lockThatCannotBeAuditedIsNotMade() {
        SwitchableAuditLog audit = new SwitchableAuditLog();
        EngineFixture f = market(new EngineFixture(audit, b -> { }));
        audit.failAppends(true);

        AuditException e = catchThrowableOfType(AuditException.class, () -> f.engine.lock(sell("100.00")));

        assertThat(e).isNotNull();
        assertThat(f.engine.findLock("L-1")).isEmpty();
        assertThat(f.events.all()).isEmpty();
    }

    @Test
    void completionThatCannotBeAuditedLeavesTheLockActive() {
        SwitchableAuditLog audit = new SwitchableAuditLog();
        EngineFixture f = market(new EngineFixture(audit, b -> { }));
        RateLock l = f.engine.lock(sell("100.00"));
        audit.failAppends(true);

        catchThrowableOfType(AuditException.class, () -> f.engine.completeLock(l.lockId(), "TX-1", "till-1"));

        assertThat(f.engine.findLock(l.lockId())).contains(l);
        audit.failAppends(false);
        assertThat(f.engine.completeLock(l.lockId(), "TX-2", "till-1").transactionRef()).isEqualTo("TX-2");
    }

    @Test
    void expiryThatCannotBeAuditedIsRetried() {
        SwitchableAuditLog audit = new SwitchableAuditLog();
        EngineFixture f = market(new EngineFixture(audit, b -> { }));
        RateLock l = f.engine.lock(sell("100.00"));
        audit.failAppends(true);

        f.clock.set(EXPIRY);
        f.engine.runDueTimers();
        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.ACTIVE);
        assertThat(f.events.of(RateEvent.LockExpired.class)).isEmpty();

        audit.failAppends(false);
        f.advanceSeconds(1);
        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
        assertThat(f.auditEntries("lock.expired")).hasSize(1);
    }
}
