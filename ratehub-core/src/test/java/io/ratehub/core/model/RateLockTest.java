package io.ratehub.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLockTest {
    private static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static RateLock active() {
        return new RateLock("L-1", "store-1", USD_CAD, Side.SELL, new BigDecimal("100.00"), new BigDecimal("1.36811"),
                new BigDecimal("136.82"), T0, T0.plusSeconds(300), LockStatus.ACTIVE, "till-3", null, null);
    }

    @Test
    void closeMakesANewFinalLockAndLeavesTheOriginal() {
        RateLock l = active();

        RateLock done = l.close(LockStatus.COMPLETED, T0.plusSeconds(10), "TX-1");

        assertThat(done.status()).isEqualTo(LockStatus.COMPLETED);
        assertThat(done.transactionRef()).isEqualTo("TX-1");
        assertThat(done.closedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(done.rate()).isEqualTo(l.rate());
        assertThat(done.counterAmount()).isEqualTo(l.counterAmount());
        assertThat(done.expiresAt()).isEqualTo(l.expiresAt());
        assertThat(l.status()).isEqualTo(LockStatus.ACTIVE);
        assertThat(l.transactionRef()).isNull();
    }

    @Test
    void onlyActiveIsNotFinal() {
        assertThat(LockStatus.ACTIVE.isFinal()).isFalse();
        assertThat(LockStatus.COMPLETED.isFinal()).isTrue();
        assertThat(LockStatus.CANCELLED.isFinal()).isTrue();
        assertThat(LockStatus.EXPIRED.isFinal()).isTrue();
    }

    @Test
    void requiredComponentsAreNamed() {
        BigDecimal one = BigDecimal.ONE;
        Instant exp = T0.plusSeconds(1);
        assertThat(catchThrowableOfType(ValidationException.class, () -> new RateLock(null, "s", USD_CAD, Side.BUY,
                one, one, one, T0, exp, LockStatus.ACTIVE, "a", null, null)).field()).isEqualTo("lockId");
        assertThat(catchThrowableOfType(ValidationException.class, () -> new RateLock("L", "s", USD_CAD, null,
                one, one, one, T0, exp, LockStatus.ACTIVE, "a", null, null)).field()).isEqualTo("side");
        assertThat(catchThrowableOfType(ValidationException.class, () -> new RateLock("L", "s", USD_CAD, Side.BUY,
                BigDecimal.ZERO, one, one, T0, exp, LockStatus.ACTIVE, "a", null, null)).field()).isEqualTo("amount");
        assertThat(catchThrowableOfType(ValidationException.class, () -> new RateLock("L", "s", USD_CAD, Side.BUY,
                one, one, one.negate(), T0, exp, LockStatus.ACTIVE, "a", null, null)).field())
                .isEqualTo("counterAmount");
        assertThat(catchThrowableOfType(ValidationException.class, () -> new RateLock("L", "s", USD_CAD, Side.BUY,
                one, one, one, T0, exp, null, "a", null, null)).field()).isEqualTo("status");
    }
}
