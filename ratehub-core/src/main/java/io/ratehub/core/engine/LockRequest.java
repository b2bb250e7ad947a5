package io.ratehub.core.engine;

import io.ratehub.core.internal.Require;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.Side;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * A request to hold a store's current rate for one customer transaction (see {@link RateEngine#lock}).
 *
 * <p>{@code ttl} defaults to the engine's default (5 minutes) and may not exceed its maximum. {@code requestId},
 * when given, makes the request idempotent per store: repeating it returns the same lock instead of creating a
 * second one, so that a retried request can never lock twice. Immutable and thread-safe.
 *
 * @param storeId the store
 * @param pair the pair
 * @param side the store's side
 * @param amount the amount of the base currency, positive, at most the currency's minor units
 * @param ttl how long the lock holds, or {@code null} for the default
 * @param actor who asks (a terminal, a clerk)
 * @param requestId an idempotency key chosen by the caller, or {@code null}
 */
public record LockRequest(String storeId, CurrencyPair pair, Side side, BigDecimal amount, Duration ttl,
                          String actor, String requestId) {

    /** Validates the fields that do not depend on the engine's state. */
    public LockRequest {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.notNull("side", side);
        Require.positive("amount", amount);
        if (ttl != null) {
            Require.positive("ttl", ttl);
        }
        Require.text("actor", actor);
        if (requestId != null) {
            Require.id("requestId", requestId);
        }
    }

    /** A request with the default TTL and no idempotency key. */
    public static LockRequest of(String storeId, CurrencyPair pair, Side side, BigDecimal amount, String actor) {
        return new LockRequest(storeId, pair, side, amount, null, actor, null);
    }

    /** This request with another TTL. */
    public LockRequest withTtl(Duration t) {
        return new LockRequest(storeId, pair, side, amount, t, actor, requestId);
    }

    /** This request with an idempotency key. */
    public LockRequest withRequestId(String id) {
        return new LockRequest(storeId, pair, side, amount, ttl, actor, id);
    }
}
