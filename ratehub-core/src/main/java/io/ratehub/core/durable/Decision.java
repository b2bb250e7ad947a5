package io.ratehub.core.durable;

import io.ratehub.core.AuditEntryException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One engine decision read back from its audit entry: the typed form of a {@code spread.*}, {@code override.*},
 * {@code threshold.*} or {@code lock.*} entry. {@link #of(AuditEntry)} is the only place that interprets audit
 * entries; replay ({@link StateFold}) and the stores that derive their tables from the log all go through it.
 *
 * <p>Values come from the entry's {@code before}/{@code after} maps as the engine writes them, and from the entry's
 * time, actor, store, pair and reason. An action this version does not know is an {@link Unknown}, not an error
 * (other writers may share a log). Pairs are checked for shape only, not against a currency catalog.
 *
 * <p>Every decision is an immutable record and thread-safe.
 */
public sealed interface Decision {

    /** The sequence number of the entry this decision was read from. */
    long seq();

    /** When the decision was made: the entry's time. */
    Instant time();

    /** Who made it: the entry's actor ({@code system} for expiries). */
    String actor();

    /**
     * Reads one audit entry.
     *
     * @param e an entry as stored
     * @return its decision; {@link Unknown} for an action this version does not interpret
     * @throws AuditEntryException (code {@code AUDIT_CORRUPT}) when an entry of a known action lacks a value the
     *     engine always writes, or a value cannot be parsed; the exception names the entry's seq and the key
     */
    static Decision of(AuditEntry e) {
        Objects.requireNonNull(e, "entry");
        EntryFields f = new EntryFields(e);
        String action = e.action() == null ? "" : e.action();
        return switch (action) {
            case "spread.set" -> new SpreadSet(f.seq(), f.time(), f.actor(), f.store(), f.pair(), spread(f, "after"));
            case "spread.removed" -> new SpreadRemoved(f.seq(), f.time(), f.actor(), f.store(), f.pair(),
                    spread(f, "before"));
            case "override.set" -> overrideSet(f);
            case "override.cleared" -> new OverrideEnded(f.seq(), f.time(), f.actor(), f.store(), f.pair(),
                    OverrideEnded.How.CLEARED, f.reason());
            case "override.expired" -> new OverrideEnded(f.seq(), f.time(), f.actor(), f.store(), f.pair(),
                    OverrideEnded.How.EXPIRED, f.reason());
            case "threshold.set" -> new ThresholdSet(f.seq(), f.time(), f.actor(), threshold(f, "after"));
            case "threshold.removed" -> new ThresholdRemoved(f.seq(), f.time(), f.actor(), threshold(f, "before"));
            case "lock.created" -> lockCreated(f);
            case "lock.completed" -> lockClosed(f, LockStatus.COMPLETED);
            case "lock.cancelled" -> lockClosed(f, LockStatus.CANCELLED);
            case "lock.expired" -> lockClosed(f, LockStatus.EXPIRED);
            default -> new Unknown(e.seq(), e.time(), e.actor(), e.action());
        };
    }

    // ---------------------------------------------------------------- the decisions

    /**
     * {@code spread.set}: the store quotes the pair with this rule from now on.
     *
     * @param seq the entry's seq
     * @param time when it was set (the rule's {@code setAt})
     * @param actor who set it (the rule's {@code setBy})
     * @param storeId the store
     * @param pair the pair
     * @param rule the new rule
     */
    record SpreadSet(long seq, Instant time, String actor, String storeId, CurrencyPair pair, SpreadRule rule)
            implements Decision {
    }

    /**
     * {@code spread.removed}: the store stops quoting the pair.
     *
     * @param seq the entry's seq
     * @param time when
     * @param actor who removed it
     * @param storeId the store
     * @param pair the pair
     * @param removed the rule that was in force, as the entry's {@code before} holds it
     */
    record SpreadRemoved(long seq, Instant time, String actor, String storeId, CurrencyPair pair, SpreadRule removed)
            implements Decision {
    }

    /**
     * {@code override.set}: this override replaces any other of the store and pair.
     *
     * @param seq the entry's seq
     * @param time when it was set (it takes effect at {@code override.validFrom()})
     * @param actor who set it
     * @param override the override, with its window, {@code forced} flag and the entry's reason
     */
    record OverrideSet(long seq, Instant time, String actor, RateOverride override) implements Decision {
    }

    /**
     * {@code override.cleared} or {@code override.expired}: the store's override for the pair ended.
     *
     * @param seq the entry's seq
     * @param time when it ended
     * @param actor who cleared it, or {@code system} for an expiry
     * @param storeId the store
     * @param pair the pair
     * @param how cleared by hand or expired at the end of its window
     * @param reason the reason given for clearing; {@code null} for an expiry
     */
    record OverrideEnded(long seq, Instant time, String actor, String storeId, CurrencyPair pair, How how,
                         String reason) implements Decision {
        /** How an override ended. */
        public enum How {
            /** Cleared by {@code override.cleared}. */
            CLEARED,
            /** Its window ended, {@code override.expired}. */
            EXPIRED
        }
    }

    /**
     * {@code threshold.set}: the rule replaces the store's rule of the same kind on the pair.
     *
     * @param seq the entry's seq
     * @param time when
     * @param actor who set it
     * @param rule the rule
     */
    record ThresholdSet(long seq, Instant time, String actor, ThresholdRule rule) implements Decision {
    }

    /**
     * {@code threshold.removed}: the store's rule of that kind on the pair is removed.
     *
     * @param seq the entry's seq
     * @param time when
     * @param actor who removed it
     * @param rule the rule removed, as the entry's {@code before} holds it
     */
    record ThresholdRemoved(long seq, Instant time, String actor, ThresholdRule rule) implements Decision {
    }

    /**
     * {@code lock.created}: a new ACTIVE lock.
     *
     * @param seq the entry's seq
     * @param time when it was created ({@code lock.createdAt()})
     * @param actor who created it ({@code lock.actor()})
     * @param lock the lock as created
     * @param requestId the request id it was created for, or {@code null} when none was given or the entry was
     *     written before request ids were recorded
     * @param requestedTtl the TTL as requested, or {@code null} when the default applied or the entry is older
     */
    record LockCreated(long seq, Instant time, String actor, RateLock lock, String requestId, Duration requestedTtl)
            implements Decision {
    }

    /**
     * {@code lock.completed}, {@code lock.cancelled} or {@code lock.expired}: an ACTIVE lock reached a final state.
     *
     * @param seq the entry's seq
     * @param time when it closed; see {@link #closedAt()}
     * @param actor who completed or cancelled it, or {@code system} for an expiry
     * @param lockId the lock
     * @param status {@link LockStatus#COMPLETED}, {@link LockStatus#CANCELLED} or {@link LockStatus#EXPIRED}
     * @param transactionRef the completing transaction's reference; {@code null} unless completed
     * @param reason the cancel reason; {@code null} otherwise
     */
    record LockClosed(long seq, Instant time, String actor, String lockId, LockStatus status, String transactionRef,
                      String reason) implements Decision {
        /** When the lock left ACTIVE: the entry's time. */
        public Instant closedAt() {
            return time;
        }
    }

    /**
     * An entry whose action this version does not interpret (written by another tool sharing the log, or a newer
     * version). Replay skips it and counts it.
     *
     * @param seq the entry's seq
     * @param time the entry's time
     * @param actor the entry's actor
     * @param action the entry's action
     */
    record Unknown(long seq, Instant time, String actor, String action) implements Decision {
    }

    // ---------------------------------------------------------------- parsing

    private static SpreadRule spread(EntryFields f, String map) {
        String unit = value(f, map, "unit");
        SpreadRule.Unit u = f.constant(SpreadRule.Unit.class, map, "unit", unit);
        BigDecimal buy = decimal(f, map, "buyMargin");
        BigDecimal sell = decimal(f, map, "sellMargin");
        BigDecimal min = optionalDecimal(f, map, "minMargin");
        BigDecimal max = optionalDecimal(f, map, "maxMargin");
        return f.build(map, () -> new SpreadRule(u, buy, sell, min, max));
    }

    private static Decision overrideSet(EntryFields f) {
        String store = f.store();
        CurrencyPair pair = f.pair();
        BigDecimal buy = decimal(f, "after", "buy");
        BigDecimal sell = decimal(f, "after", "sell");
        Instant from = f.instant("after", "validFrom", f.after("validFrom"));
        Instant until = f.instant("after", "validUntil", f.after("validUntil"));
        boolean forced = f.bool("after", "forced", f.after("forced"));
        String setBy = f.after("setBy");
        String reason = f.requiredReason();
        RateOverride o = f.build("after",
                () -> new RateOverride(store, pair, buy, sell, setBy, reason, from, until, forced));
        return new OverrideSet(f.seq(), f.time(), f.actor(), o);
    }

    private static ThresholdRule threshold(EntryFields f, String map) {
        String store = f.store();
        CurrencyPair pair = f.pair();
        ThresholdRule.Kind kind = f.constant(ThresholdRule.Kind.class, map, "kind", value(f, map, "kind"));
        BigDecimal percent = decimal(f, map, "percent");
        BigDecimal clear = decimal(f, map, "clearPercent");
        String w = optional(f, map, "window");
        Duration window = w == null ? null : f.duration(map, "window", w);
        return f.build(map, () -> new ThresholdRule(store, pair, kind, percent, clear, window));
    }

    private static Decision lockCreated(EntryFields f) {
        String lockId = f.after("lockId");
        LockStatus status = f.constant(LockStatus.class, "after", "status", f.after("status"));
        if (status != LockStatus.ACTIVE) {
            throw f.corrupt("after.status", "must be ACTIVE for a new lock, was \"" + status + '"');
        }
        Side side = f.constant(Side.class, "after", "side", f.after("side"));
        BigDecimal amount = decimal(f, "after", "amount");
        BigDecimal rate = decimal(f, "after", "rate");
        BigDecimal counter = decimal(f, "after", "counterAmount");
        Instant expiresAt = f.instant("after", "expiresAt", f.after("expiresAt"));
        String store = f.store();
        CurrencyPair pair = f.pair();
        Instant time = f.time();
        String actor = f.actor();
        String requestId = f.afterOrNull("requestId");
        String ttl = f.afterOrNull("ttl");
        Duration requestedTtl = ttl == null ? null : f.duration("after", "ttl", ttl);
        RateLock lock = f.build("after", () -> new RateLock(lockId, store, pair, side, amount, rate, counter, time,
                expiresAt, LockStatus.ACTIVE, actor, null, null));
        return new LockCreated(f.seq(), time, actor, lock, requestId, requestedTtl);
    }

    private static Decision lockClosed(EntryFields f, LockStatus expected) {
        String lockId = f.after("lockId");
        LockStatus status = f.constant(LockStatus.class, "after", "status", f.after("status"));
        if (status != expected) {
            throw f.corrupt("after.status", "must be " + expected + ", was \"" + status + '"');
        }
        String transactionRef = expected == LockStatus.COMPLETED ? f.after("transactionRef") : null;
        String reason = expected == LockStatus.CANCELLED ? f.requiredReason() : null;
        f.store();
        f.pair();
        return new LockClosed(f.seq(), f.time(), f.actor(), lockId, status, transactionRef, reason);
    }

    private static String value(EntryFields f, String map, String key) {
        return map.equals("after") ? f.after(key) : f.before(key);
    }

    private static String optional(EntryFields f, String map, String key) {
        return map.equals("after") ? f.afterOrNull(key) : f.beforeOrNull(key);
    }

    private static BigDecimal decimal(EntryFields f, String map, String key) {
        return f.decimal(map, key, value(f, map, key));
    }

    private static BigDecimal optionalDecimal(EntryFields f, String map, String key) {
        String text = optional(f, map, key);
        return text == null ? null : f.decimal(map, key, text);
    }
}
