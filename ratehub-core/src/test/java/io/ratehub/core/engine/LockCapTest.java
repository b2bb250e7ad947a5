package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.OWNER;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The caps on ACTIVE rate locks per store and per actor: refused with limit_exceeded, nothing changed or audited. */
class LockCapTest {

    private static EngineFixture market(int perStore, int perActor) {
        EngineFixture f = new EngineFixture(b -> b.maxActiveLocksPerStore(perStore).maxActiveLocksPerActor(perActor));
        LockTest.market(f);
        f.engine.setSpread("store-2", USD_CAD, SpreadRule.absolute("0.00333", "0.00333"), OWNER);
        return f;
    }

    private static LockRequest lock(String store, String actor) {
        return LockRequest.of(store, USD_CAD, Side.SELL, d("10.00"), actor);
    }

    private static RateHubException refused(EngineFixture f, LockRequest req) {
        int audited = f.auditEntries().size();
        int events = f.events.all().size();
        RateHubException e = catchThrowableOfType(RateHubException.class, () -> f.engine.lock(req));
        assertThat(e).as("expected a refusal").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(f.auditEntries()).as("nothing audited").hasSize(audited);
        assertThat(f.events.all()).as("no event").hasSize(events);
        return e;
    }

    @Test
    void theDefaultsAreAThousandPerStoreAndAHundredPerActor() {
        assertThat(RateEngine.Builder.DEFAULT_MAX_ACTIVE_LOCKS_PER_STORE).isEqualTo(1_000);
        assertThat(RateEngine.Builder.DEFAULT_MAX_ACTIVE_LOCKS_PER_ACTOR).isEqualTo(100);
        EngineFixture f = market(1_000, 100);
        for (int i = 0; i < 100; i++) {
            f.engine.lock(lock(EngineFixture.STORE, "till-1"));
        }
        assertThat(refused(f, lock(EngineFixture.STORE, "till-1")).getMessage()).contains("maxActiveLocksPerActor");
    }

    @Test
    void aStoreHoldsAtMostItsCapOfActiveLocksWhateverTheActor() {
        EngineFixture f = market(3, 100);
        for (int i = 0; i < 3; i++) {
            f.engine.lock(lock(EngineFixture.STORE, "till-" + i));
        }
        RateHubException e = refused(f, lock(EngineFixture.STORE, "till-9"));
        assertThat(e.getMessage()).contains("maxActiveLocksPerStore").contains(EngineFixture.STORE);
        assertThat(f.engine.lock(lock("store-2", "till-9")).status().name()).as("another store").isEqualTo("ACTIVE");
    }

    @Test
    void anActorHoldsAtMostItsCapAcrossStores() {
        EngineFixture f = market(100, 2);
        f.engine.lock(lock(EngineFixture.STORE, "till-1"));
        f.engine.lock(lock("store-2", "till-1"));
        assertThat(refused(f, lock(EngineFixture.STORE, "till-1")).getMessage()).contains("maxActiveLocksPerActor");
        assertThat(f.engine.lock(lock(EngineFixture.STORE, "till-2")).status().name()).as("another actor")
                .isEqualTo("ACTIVE");
    }

    @Test
    void completedCancelledAndExpiredLocksFreeTheirPlaces() {
        EngineFixture f = market(3, 100);
        RateLock a = f.engine.lock(lock(EngineFixture.STORE, "till-1"));
        RateLock b = f.engine.lock(lock(EngineFixture.STORE, "till-1"));
        f.engine.lock(lock(EngineFixture.STORE, "till-1").withTtl(Duration.ofMinutes(1)));
        refused(f, lock(EngineFixture.STORE, "till-1"));

        f.engine.completeLock(a.lockId(), "tx-1", "till-1");
        f.engine.lock(lock(EngineFixture.STORE, "till-1"));
        refused(f, lock(EngineFixture.STORE, "till-1"));

        f.engine.cancelLock(b.lockId(), "till-1", "customer left");
        f.engine.lock(lock(EngineFixture.STORE, "till-1").withTtl(Duration.ofMinutes(10)));
        refused(f, lock(EngineFixture.STORE, "till-1"));

        f.advance(Duration.ofMinutes(2)); // the one-minute lock expires
        f.tickMid(USD_CAD, "feed-a", "1.00000"); // and the market is fresh again
        f.engine.lock(lock(EngineFixture.STORE, "till-1"));
        refused(f, lock(EngineFixture.STORE, "till-1"));
    }

    @Test
    void aRepeatedRequestIdStillAnswersItsLockAtTheCap() {
        EngineFixture f = market(2, 100);
        RateLock first = f.engine.lock(lock(EngineFixture.STORE, "till-1").withRequestId("r-1"));
        f.engine.lock(lock(EngineFixture.STORE, "till-1").withRequestId("r-2"));
        refused(f, lock(EngineFixture.STORE, "till-1").withRequestId("r-3"));
        assertThat(f.engine.lock(lock(EngineFixture.STORE, "till-1").withRequestId("r-1"))).isEqualTo(first);
    }

    @Test
    void aLockWhoseAuditFailsTakesNoPlace() {
        SwitchableAuditLog audit = new SwitchableAuditLog();
        EngineFixture f = new EngineFixture(audit, b -> b.maxActiveLocksPerStore(1));
        LockTest.market(f);
        audit.failAppends(true);
        assertThat(catchThrowableOfType(RateHubException.class,
                () -> f.engine.lock(lock(EngineFixture.STORE, "till-1"))).code()).isEqualTo(ErrorCode.AUDIT_FAILURE);
        audit.failAppends(false);
        assertThat(f.engine.lock(lock(EngineFixture.STORE, "till-1")).status().name()).isEqualTo("ACTIVE");
    }
}
