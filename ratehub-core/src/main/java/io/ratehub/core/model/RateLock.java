package io.ratehub.core.model;

import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A store rate held for one customer transaction: the store promises to trade {@link #amount()} of the base
 * currency on {@link #side()} at {@link #rate()} until {@link #expiresAt()}.
 *
 * <p>{@link #counterAmount()} is {@code amount * rate} in the quote currency at its minor units, rounded in the
 * store's favour (down when the store pays, on {@link Side#BUY}; up when the customer pays, on
 * {@link Side#SELL}). A lock is completed at most once; {@link #transactionRef()} names the transaction that
 * completed it. Immutable and thread-safe: each state change is a new instance.
 *
 * @param lockId the lock's identifier, assigned by the engine
 * @param storeId the store
 * @param pair the pair
 * @param side the store's side
 * @param amount amount of the base currency, at most the base currency's minor units
 * @param rate the locked price (the store's buy or sell rate at lock time)
 * @param counterAmount amount times rate in the quote currency, rounded in the store's favour
 * @param createdAt when it was created
 * @param expiresAt when it expires unless completed or cancelled
 * @param status its state
 * @param actor who created it
 * @param transactionRef the completing transaction's reference, or {@code null} while not completed
 * @param closedAt when it left {@link LockStatus#ACTIVE}, or {@code null}
 */
public record RateLock(String lockId, String storeId, CurrencyPair pair, Side side, BigDecimal amount,
                       BigDecimal rate, BigDecimal counterAmount, Instant createdAt, Instant expiresAt,
                       LockStatus status, String actor, String transactionRef, Instant closedAt) {

    /** Validates that every required component is present and amounts are positive. */
    public RateLock {
        Require.id("lockId", lockId);
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.notNull("side", side);
        Require.positive("amount", amount);
        Require.positive("rate", rate);
        Require.nonNegative("counterAmount", counterAmount);
        Require.notNull("createdAt", createdAt);
        Require.notNull("expiresAt", expiresAt);
        Require.notNull("status", status);
        Require.text("actor", actor);
    }

    /** This lock in a final state, closed at {@code time}, with an optional transaction reference. */
    public RateLock close(LockStatus newStatus, Instant time, String txRef) {
        return new RateLock(lockId, storeId, pair, side, amount, rate, counterAmount, createdAt, expiresAt,
                newStatus, actor, txRef, time);
    }
}
