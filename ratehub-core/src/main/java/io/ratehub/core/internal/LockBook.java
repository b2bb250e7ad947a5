package io.ratehub.core.internal;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.StaleRateException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.StoreRate;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate locks: creation (idempotent per store and request id), completion exactly once, cancellation, expiry and
 * forgetting finished locks after the retention time.
 *
 * <p>Each lock lives in a {@link Slot} whose monitor serializes every transition of that lock across its audit
 * write, so that of two concurrent completions exactly one makes the transition and the other sees its result.
 */
public final class LockBook {
    private static final Logger LOG = LoggerFactory.getLogger(LockBook.class);
    private static final Duration AUDIT_RETRY = Duration.ofSeconds(1);

    private final EngineSettings settings;
    private final EventBus bus;
    private final TimerQueue timers;
    private final BiFunction<String, io.ratehub.core.model.CurrencyPair, StoreRate> rates; // current, refreshed
    private final Map<String, Slot> byId = new ConcurrentHashMap<>();
    private final Map<String, Slot> byRequest = new ConcurrentHashMap<>();
    /** ACTIVE locks per store and per actor; a key is dropped when its count falls to zero. */
    private final Map<String, Integer> activeByStore = new ConcurrentHashMap<>();
    private final Map<String, Integer> activeByActor = new ConcurrentHashMap<>();

    private static final class Slot {
        RateLock lock; // null while being created; guarded by the slot's monitor
        LockRequest request;
        String requestKey;
    }

    /**
     * @param settings engine settings
     * @param bus where events go
     * @param timers where expiries are scheduled
     * @param rates looks up a store's current rate for a pair, or null
     */
    public LockBook(EngineSettings settings, EventBus bus, TimerQueue timers,
                    BiFunction<String, io.ratehub.core.model.CurrencyPair, StoreRate> rates) {
        this.settings = settings;
        this.bus = bus;
        this.timers = timers;
        this.rates = rates;
    }

    /** Creates a lock, or returns the one created earlier for the same store and request id. */
    public RateLock lock(LockRequest req) {
        settings.catalog().requireKnown(req.pair());
        int amountScale = settings.catalog().amountScaleOf(req.pair().base());
        Require.maxScale("amount", req.amount(), amountScale, req.pair().base());
        Duration ttl = req.ttl() == null ? settings.defaultLockTtl() : req.ttl();
        if (ttl.compareTo(settings.maxLockTtl()) > 0) {
            throw new ValidationException("ttl", ttl, "must be <= " + settings.maxLockTtl());
        }
        if (req.requestId() == null) {
            Slot slot = new Slot();
            synchronized (slot) {
                return create(slot, req, ttl);
            }
        }
        String key = req.storeId() + '\u0000' + req.requestId();
        while (true) {
            Slot fresh = new Slot();
            fresh.requestKey = key;
            synchronized (fresh) {
                Slot existing = byRequest.putIfAbsent(key, fresh);
                if (existing == null) {
                    try {
                        return create(fresh, req, ttl);
                    } catch (RuntimeException e) {
                        byRequest.remove(key, fresh);
                        throw e;
                    }
                }
                synchronized (existing) {
                    if (existing.lock == null) {
                        continue; // its creation failed and it is being removed; try again
                    }
                    if (!sameRequest(existing.request, req)) {
                        throw new ValidationException("requestId", req.requestId(),
                                "was already used for a different lock " + existing.lock.lockId());
                    }
                    return existing.lock;
                }
            }
        }
    }

    private static boolean sameRequest(LockRequest a, LockRequest b) {
        return a.pair().equals(b.pair()) && a.side() == b.side() && a.amount().compareTo(b.amount()) == 0
                && java.util.Objects.equals(a.ttl(), b.ttl());
    }

    private RateLock create(Slot slot, LockRequest req, Duration ttl) {
        Instant now = settings.clock().instant();
        StoreRate rate = rates.apply(req.storeId(), req.pair());
        if (rate == null) {
            throw new RateHubException(ErrorCode.UNKNOWN_STORE_RATE,
                    "store " + req.storeId() + " quotes no rate for " + req.pair());
        }
        if (!rate.isLiveAt(now)) {
            throw new StaleRateException("the rate of store " + req.storeId() + " for " + req.pair()
                    + " is stale; it cannot be locked");
        }
        BigDecimal price = rate.price(req.side());
        int counterScale = settings.catalog().amountScaleOf(req.pair().quote());
        // The store's favour: it pays less when it buys, the customer pays more when the store sells.
        RoundingMode mode = req.side() == Side.BUY ? RoundingMode.FLOOR : RoundingMode.CEILING;
        BigDecimal counter = req.amount().multiply(price).setScale(counterScale, mode);
        Instant expiresAt = now.plus(ttl);
        RateLock lock = new RateLock(newLockId(), req.storeId(), req.pair(), req.side(), req.amount(),
                price, counter, now, expiresAt, LockStatus.ACTIVE, req.actor(), null, null);
        reserve(req.storeId(), req.actor());
        try {
            settings.audit().append(new AuditRecord(now, req.actor(), "lock.created", lock.storeId(),
                    lock.pair().toString(), Map.of(), AuditValues.ofCreated(lock, req.requestId(), req.ttl()), null));
        } catch (RuntimeException e) {
            release(lock);
            throw e;
        }
        slot.lock = lock;
        slot.request = req;
        byId.put(lock.lockId(), slot);
        bus.publish(new RateEvent.LockCreated(lock, now));
        timers.schedule(expiresAt, () -> expireDue(lock.lockId()));
        return lock;
    }

    /** How many ids {@link #newLockId()} draws before it gives up on an id supplier that only repeats taken ids. */
    static final int MAX_ID_TRIES = 100;

    /**
     * A lock id no remembered lock has. A counter-based supplier restarts at its first id after a restart, while
     * restored locks still hold those ids: taken ids are skipped.
     */
    private String newLockId() {
        for (int i = 0; i < MAX_ID_TRIES; i++) {
            String id = settings.lockIds().get();
            if (!byId.containsKey(id)) {
                return id;
            }
        }
        throw new RateHubException(ErrorCode.INTERNAL, "the lock id supplier returned " + MAX_ID_TRIES
                + " ids in a row that remembered locks already hold; it must generate unique ids");
    }

    /**
     * Recovery only: puts back a lock read from the durable store, with its request id, as the engine remembered
     * it before the restart. An ACTIVE lock counts toward the store's and the actor's caps (without a cap check:
     * it was admitted when it was created) and expires at its {@code expiresAt} through the ordinary expiry, which
     * runs at once if that time has passed. A finished lock is remembered until {@code closedAt + lockRetention},
     * so that a repeated complete, cancel or lock request answers as before. Publishes no event and writes no
     * audit entry.
     *
     * @param lock the lock in its current state
     * @param requestId the request id it was created for, or {@code null}
     * @param requestedTtl the TTL as requested, or {@code null} when the default applied
     * @throws IllegalStateException when a lock with that id, or that store and request id, is already remembered
     */
    public void restore(RateLock lock, String requestId, Duration requestedTtl) {
        Slot slot = new Slot();
        LockRequest req = LockRequest.of(lock.storeId(), lock.pair(), lock.side(), lock.amount(), lock.actor());
        if (requestedTtl != null) {
            req = req.withTtl(requestedTtl);
        }
        if (requestId != null) {
            req = req.withRequestId(requestId);
            slot.requestKey = lock.storeId() + '\u0000' + requestId;
        }
        slot.lock = lock;
        slot.request = req;
        if (byId.putIfAbsent(lock.lockId(), slot) != null) {
            throw new IllegalStateException("lock " + lock.lockId() + " restored twice");
        }
        if (slot.requestKey != null && byRequest.putIfAbsent(slot.requestKey, slot) != null) {
            throw new IllegalStateException("request id " + requestId + " of store " + lock.storeId()
                    + " restored twice");
        }
        if (lock.status() == LockStatus.ACTIVE) {
            activeByStore.merge(lock.storeId(), 1, Integer::sum);
            activeByActor.merge(lock.actor(), 1, Integer::sum);
            timers.schedule(lock.expiresAt(), () -> expireDue(lock.lockId()));
        } else {
            timers.schedule(lock.closedAt().plus(settings.lockRetention()), () -> forget(slot));
        }
    }

    /** Completes a lock exactly once; the same transaction reference again returns the completed lock. */
    public RateLock complete(String lockId, String transactionRef, String actor) {
        Require.id("lockId", lockId);
        Require.id("transactionRef", transactionRef);
        Require.text("actor", actor);
        Slot slot = slot(lockId);
        synchronized (slot) {
            RateLock l = slot.lock;
            Instant now = settings.clock().instant();
            switch (l.status()) {
                case ACTIVE -> {
                    if (!now.isBefore(l.expiresAt())) {
                        expire(slot, now);
                        throw expired(l);
                    }
                    RateLock done = l.close(LockStatus.COMPLETED, now, transactionRef);
                    audit(now, actor, "lock.completed", done, AuditValues.of(l), null);
                    return finish(slot, done, new RateEvent.LockCompleted(done, now));
                }
                case COMPLETED -> {
                    if (l.transactionRef().equals(transactionRef)) {
                        return l;
                    }
                    throw new LockStateException(ErrorCode.LOCK_ALREADY_COMPLETED, lockId,
                            "lock " + lockId + " was already completed by another transaction");
                }
                case CANCELLED -> throw new LockStateException(ErrorCode.LOCK_CANCELLED, lockId,
                        "lock " + lockId + " was cancelled at " + l.closedAt());
                case EXPIRED -> throw expired(l);
                default -> throw new IllegalStateException(l.status().name());
            }
        }
    }

    /** Cancels an active lock; cancelling a cancelled lock again returns it. */
    public RateLock cancel(String lockId, String actor, String reason) {
        Require.id("lockId", lockId);
        Require.text("actor", actor);
        Require.text("reason", reason);
        Slot slot = slot(lockId);
        synchronized (slot) {
            RateLock l = slot.lock;
            Instant now = settings.clock().instant();
            switch (l.status()) {
                case ACTIVE -> {
                    if (!now.isBefore(l.expiresAt())) {
                        expire(slot, now);
                        throw expired(l);
                    }
                    RateLock done = l.close(LockStatus.CANCELLED, now, null);
                    audit(now, actor, "lock.cancelled", done, AuditValues.of(l), reason);
                    return finish(slot, done, new RateEvent.LockCancelled(done, actor, reason, now));
                }
                case CANCELLED -> {
                    return l;
                }
                case COMPLETED -> throw new LockStateException(ErrorCode.LOCK_ALREADY_COMPLETED, lockId,
                        "lock " + lockId + " was already completed; it cannot be cancelled");
                case EXPIRED -> throw expired(l);
                default -> throw new IllegalStateException(l.status().name());
            }
        }
    }

    /** The lock with that id, while it is remembered. */
    public Optional<RateLock> find(String lockId) {
        Slot slot = byId.get(lockId);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return Optional.ofNullable(slot.lock);
        }
    }

    /** How many locks are remembered (active and finished). */
    public int size() {
        return byId.size();
    }

    private Slot slot(String lockId) {
        Slot slot = byId.get(lockId);
        if (slot == null) {
            throw new LockStateException(ErrorCode.LOCK_NOT_FOUND, lockId, "no rate lock " + lockId);
        }
        return slot;
    }

    private void expireDue(String lockId) {
        Slot slot = byId.get(lockId);
        if (slot == null) {
            return;
        }
        synchronized (slot) {
            Instant now = settings.clock().instant();
            if (slot.lock.status() == LockStatus.ACTIVE && !now.isBefore(slot.lock.expiresAt())) {
                try {
                    expire(slot, now);
                } catch (RateHubException e) {
                    LOG.error("could not record the expiry of lock {}; retrying in {}", lockId, AUDIT_RETRY, e);
                    timers.schedule(now.plus(AUDIT_RETRY), () -> expireDue(lockId));
                }
            }
        }
    }

    private void expire(Slot slot, Instant now) {
        RateLock l = slot.lock;
        RateLock done = l.close(LockStatus.EXPIRED, now, null);
        audit(now, "system", "lock.expired", done, AuditValues.of(l), null);
        finish(slot, done, new RateEvent.LockExpired(done, now));
    }

    /**
     * Takes a place for one more ACTIVE lock of {@code storeId} and {@code actor}, or refuses with
     * {@code limit_exceeded} naming the limit reached (taking nothing).
     */
    private void reserve(String storeId, String actor) {
        if (!increment(activeByStore, storeId, settings.maxActiveLocksPerStore())) {
            throw new RateHubException(ErrorCode.LIMIT_EXCEEDED, "store " + storeId + " already holds "
                    + settings.maxActiveLocksPerStore() + " active rate locks (maxActiveLocksPerStore); complete or "
                    + "cancel some first");
        }
        if (!increment(activeByActor, actor, settings.maxActiveLocksPerActor())) {
            decrement(activeByStore, storeId);
            throw new RateHubException(ErrorCode.LIMIT_EXCEEDED, actor + " already holds "
                    + settings.maxActiveLocksPerActor() + " active rate locks (maxActiveLocksPerActor); complete or "
                    + "cancel some first");
        }
    }

    private void release(RateLock lock) {
        decrement(activeByStore, lock.storeId());
        decrement(activeByActor, lock.actor());
    }

    private static boolean increment(Map<String, Integer> counts, String key, int max) {
        boolean[] taken = {false};
        counts.compute(key, (k, n) -> {
            int c = n == null ? 0 : n;
            if (c >= max) {
                return n;
            }
            taken[0] = true;
            return c + 1;
        });
        return taken[0];
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** How many ACTIVE locks {@code storeId} holds. */
    public int activeLocksOfStore(String storeId) {
        return activeByStore.getOrDefault(storeId, 0);
    }

    /** How many ACTIVE locks {@code actor} holds. */
    public int activeLocksOfActor(String actor) {
        return activeByActor.getOrDefault(actor, 0);
    }

    private RateLock finish(Slot slot, RateLock done, RateEvent event) {
        if (slot.lock.status() == LockStatus.ACTIVE) {
            release(slot.lock);
        }
        slot.lock = done;
        bus.publish(event);
        timers.schedule(done.closedAt().plus(settings.lockRetention()), () -> forget(slot));
        return done;
    }

    private void forget(Slot slot) {
        synchronized (slot) {
            byId.remove(slot.lock.lockId(), slot);
            if (slot.requestKey != null) {
                byRequest.remove(slot.requestKey, slot);
            }
        }
    }

    private static LockStateException expired(RateLock l) {
        return new LockStateException(ErrorCode.LOCK_EXPIRED, l.lockId(),
                "lock " + l.lockId() + " expired at " + l.expiresAt());
    }

    private void audit(Instant now, String actor, String action, RateLock after, Map<String, String> before,
                       String reason) {
        settings.audit().append(new AuditRecord(now, actor, action, after.storeId(), after.pair().toString(),
                before, AuditValues.of(after), reason));
    }
}
