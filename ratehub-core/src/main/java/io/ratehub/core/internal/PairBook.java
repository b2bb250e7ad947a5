package io.ratehub.core.internal;

import io.ratehub.core.engine.TickOutcome;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the engine knows about one pair: the sources' latest quotes, the aggregated market rate, and each
 * store's pricing, override, alert rules and current rate.
 *
 * <p>Two locks. {@link #stateLock} guards the state and is held only for in-memory work (a tick, a repricing,
 * applying a decision) and while the resulting events are delivered, so events of a pair are delivered in order.
 * {@link #commandLock} serializes decisions on the pair (set spread, override, expiry ...) across their audit
 * write, so a decision validated against the state is applied to that same state, without holding up ticks while
 * the audit trail syncs to disk. Order: commandLock before stateLock, never the reverse.
 */
public final class PairBook {
    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    /** Guards the state; see the class documentation. */
    public final ReentrantLock stateLock = new ReentrantLock();
    /** Serializes decisions on this pair; see the class documentation. */
    public final ReentrantLock commandLock = new ReentrantLock();

    private final CurrencyPair pair;
    private final int scale;
    private final EngineSettings settings;
    private final EventBus bus;
    private final TimerQueue timers;

    private final Map<String, SourceState> sources = new TreeMap<>(); // name order: deterministic aggregation
    private final Map<String, StoreBook> stores = new ConcurrentHashMap<>();
    private volatile MarketRate market;
    private volatile Instant nextCheck;
    /** When the last fresh source goes stale unless a newer quote arrives; null when none is fresh. */
    private volatile Instant freshUntil;
    /** The earliest override start or end still ahead; null when none. */
    private volatile Instant nextOverrideBoundary;
    private final List<RateEvent> pending = new ArrayList<>();

    /** Per-source state; guarded by stateLock. */
    private static final class SourceState {
        MarketQuote quote;
        boolean stale;
        boolean outlier;
        /** The flags before the current recompute, to report each transition once. */
        boolean wasStale;
        boolean wasOutlier;
    }

    /** Per-store state; mutated under stateLock, {@link #rate} readable without it. */
    private static final class StoreBook {
        final String storeId;
        volatile SpreadRule spread;
        volatile RateOverride override;
        final Map<ThresholdRule.Kind, ThresholdState> thresholds = new EnumMap<>(ThresholdRule.Kind.class);
        volatile boolean hasThresholds;
        /** The rules of {@link #thresholds}, an immutable copy for lock-free reads. */
        volatile Map<ThresholdRule.Kind, ThresholdRule> rules = Map.of();
        volatile StoreRate rate;

        StoreBook(String storeId) {
            this.storeId = storeId;
        }
    }

    /**
     * One alert rule's hysteresis state and, for market moves, the mid sampled in buckets of window/60: each bucket
     * holds the last mid seen in it, and the oldest bucket kept is the newest one that began at or before the
     * window's start, so the reference is the mid in force when the window began, even after a quiet spell.
     */
    private static final class ThresholdState {
        final ThresholdRule rule;
        final long bucketMillis;
        final ArrayDeque<Long> buckets = new ArrayDeque<>();
        final ArrayDeque<BigDecimal> mids = new ArrayDeque<>();
        boolean breached;

        ThresholdState(ThresholdRule rule) {
            this.rule = rule;
            this.bucketMillis = rule.window() == null ? 0 : Math.max(1, rule.window().toMillis() / 60);
        }

        /** Records {@code mid} at {@code now} and returns the mid in force at the start of the trailing window. */
        BigDecimal sampleAndReference(Instant now, BigDecimal mid) {
            long bucket = now.toEpochMilli() / bucketMillis;
            if (!buckets.isEmpty() && buckets.peekLast() == bucket) {
                mids.removeLast();
                mids.addLast(mid);
            } else {
                buckets.addLast(bucket);
                mids.addLast(mid);
            }
            long windowStart = (now.toEpochMilli() - rule.window().toMillis()) / bucketMillis;
            while (buckets.size() > 1 && secondBucket() <= windowStart) {
                buckets.removeFirst();
                mids.removeFirst();
            }
            return mids.peekFirst();
        }

        private long secondBucket() {
            java.util.Iterator<Long> it = buckets.iterator();
            it.next();
            return it.next();
        }
    }

    /**
     * @param pair the pair
     * @param settings engine settings
     * @param bus where events go
     * @param timers where staleness checks are scheduled
     */
    public PairBook(CurrencyPair pair, EngineSettings settings, EventBus bus, TimerQueue timers) {
        this.pair = pair;
        this.scale = settings.catalog().scaleOf(pair);
        this.settings = settings;
        this.bus = bus;
        this.timers = timers;
    }

    /** The pair. */
    public CurrencyPair pair() {
        return pair;
    }

    /** The pair's scale. */
    public int scale() {
        return scale;
    }

    /** The current market rate, or {@code null} before the first fresh quote. Lock-free. */
    public MarketRate market() {
        return market;
    }

    /**
     * The market rate as it stands at {@code now}: marked stale when every source has passed its age, even if the
     * staleness check has not run yet. Lock-free and without side effects, so it is safe from any thread, listeners
     * included.
     */
    public MarketRate marketAt(Instant now) {
        MarketRate m = market;
        return m != null && !m.stale() && pastFreshness(now) ? m.asStale() : m;
    }

    private boolean pastFreshness(Instant now) {
        Instant until = freshUntil;
        return until == null || !now.isBefore(until);
    }

    /** The store's rate as it stands at {@code now}; see {@link #marketAt(Instant)}. */
    public StoreRate storeRateAt(String storeId, Instant now) {
        StoreRate r = storeRate(storeId);
        if (r != null && r.basis() == RateBasis.MARKET && !r.stale() && pastFreshness(now)) {
            return new StoreRate(r.storeId(), r.pair(), r.buy(), r.sell(), r.mid(), r.basis(), r.asOf(),
                    r.validUntil(), true);
        }
        return r;
    }

    /** The store's current rate, or {@code null}. Lock-free. */
    public StoreRate storeRate(String storeId) {
        StoreBook sb = stores.get(storeId);
        return sb == null ? null : sb.rate;
    }

    /** The ids of stores with a rate, a rule or an override on this pair. */
    public Collection<String> storeIds() {
        List<String> ids = new ArrayList<>();
        for (StoreBook sb : stores.values()) {
            if (sb.spread != null || sb.override != null || sb.rate != null || sb.hasThresholds) {
                ids.add(sb.storeId);
            }
        }
        return ids;
    }

    /** The store's spread rule, or {@code null}. Lock-free; stable under {@link #commandLock}. */
    public SpreadRule spread(String storeId) {
        StoreBook sb = stores.get(storeId);
        return sb == null ? null : sb.spread;
    }

    /** The store's override (active or pending), or {@code null}. Lock-free; stable under {@link #commandLock}. */
    public RateOverride override(String storeId) {
        StoreBook sb = stores.get(storeId);
        return sb == null ? null : sb.override;
    }

    /** The store's rule of {@code kind}, or {@code null}. Call under {@link #commandLock}. */
    public ThresholdRule threshold(String storeId, ThresholdRule.Kind kind) {
        StoreBook sb = stores.get(storeId);
        ThresholdState ts = sb == null ? null : sb.thresholds.get(kind);
        return ts == null ? null : ts.rule;
    }

    /** The store's rule of {@code kind}, or {@code null}. Lock-free. */
    public ThresholdRule thresholdRule(String storeId, ThresholdRule.Kind kind) {
        StoreBook sb = stores.get(storeId);
        return sb == null ? null : sb.rules.get(kind);
    }

    // ---------------------------------------------------------------- market data

    /** Records a quote and re-aggregates. */
    public TickOutcome onQuote(MarketQuote q, Instant now) {
        stateLock.lock();
        try {
            SourceState src = sources.computeIfAbsent(q.source(), k -> new SourceState());
            if (src.quote != null && q.time().isBefore(src.quote.time())) {
                return TickOutcome.OUT_OF_ORDER;
            }
            src.quote = q;
            recompute(now);
            return isFresh(q, now) ? TickOutcome.ACCEPTED : TickOutcome.STALE_ON_ARRIVAL;
        } finally {
            flushAndUnlock();
        }
    }

    /**
     * Re-evaluates freshness, overrides' windows, prices and alert rules at {@code now} (a timer fired, or an
     * override starts).
     */
    public void refresh(Instant now) {
        stateLock.lock();
        try {
            nextCheck = null;
            recompute(now);
            repriceAll(now, true);
            updateOverrideBoundary(now);
        } finally {
            flushAndUnlock();
        }
    }

    /**
     * Makes the state current before it is read for a decision: when a source's staleness check is due but its
     * timer has not run yet, runs it now, so that a rate past its sources' age is never used as live.
     */
    public void refreshIfDue(Instant now) {
        Instant due = nextCheck;
        Instant boundary = nextOverrideBoundary;
        if ((due != null && !now.isBefore(due)) || (boundary != null && !now.isBefore(boundary))) {
            refresh(now);
        }
    }

    /** Recomputes the earliest override start or end still ahead of {@code now}. Holds stateLock. */
    private void updateOverrideBoundary(Instant now) {
        Instant next = null;
        for (StoreBook sb : stores.values()) {
            RateOverride o = sb.override;
            if (o == null) {
                continue;
            }
            Instant b = now.isBefore(o.validFrom()) ? o.validFrom() : o.validUntil();
            if (now.isBefore(b) && (next == null || b.isBefore(next))) {
                next = b;
            }
        }
        nextOverrideBoundary = next;
    }

    private boolean isFresh(MarketQuote q, Instant now) {
        return now.isBefore(q.time().plus(settings.maxSourceAge()));
    }

    private void recompute(Instant now) {
        List<MarketQuote> fresh = new ArrayList<>(sources.size());
        List<SourceState> freshStates = new ArrayList<>(sources.size());
        Instant earliestExpiry = null;
        Instant latestExpiry = null;
        for (SourceState s : sources.values()) {
            s.wasStale = s.stale;
            s.wasOutlier = s.outlier;
            s.outlier = false;
            if (isFresh(s.quote, now)) {
                s.stale = false;
                fresh.add(s.quote);
                freshStates.add(s);
                Instant expiry = s.quote.time().plus(settings.maxSourceAge());
                if (earliestExpiry == null || expiry.isBefore(earliestExpiry)) {
                    earliestExpiry = expiry;
                }
                if (latestExpiry == null || expiry.isAfter(latestExpiry)) {
                    latestExpiry = expiry;
                }
            } else if (!s.stale) {
                s.stale = true;
                pending.add(new RateEvent.SourceStale(pair, s.quote.source(), s.quote.time(), now));
            }
        }
        freshUntil = latestExpiry;
        List<MarketQuote> used = excludeOutliers(fresh, freshStates, now);
        for (SourceState s : freshStates) {
            if ((s.wasStale || s.wasOutlier) && !s.outlier) {
                pending.add(new RateEvent.SourceRecovered(pair, s.quote.source(), now));
            }
        }
        if (earliestExpiry != null && (nextCheck == null || earliestExpiry.isBefore(nextCheck))) {
            nextCheck = earliestExpiry;
            timers.schedule(earliestExpiry, () -> refresh(settings.clock().instant()));
        }
        MarketRate before = market;
        if (used.isEmpty()) {
            if (before != null && !before.stale()) {
                market = before.asStale();
                pending.add(new RateEvent.PairStale(pair, market, now));
                pending.add(new RateEvent.MarketRateUpdated(market, now));
                repriceAll(now, false);
            }
            return;
        }
        MarketRate next = Aggregation.aggregate(settings.policy(), pair, used, scale);
        market = next;
        if (before != null && before.stale()) {
            pending.add(new RateEvent.PairLive(pair, next, now));
        }
        boolean wasStale = before == null || before.stale();
        if (wasStale || pricesDiffer(before, next)) {
            pending.add(new RateEvent.MarketRateUpdated(next, now));
            repriceAll(now, true);
        }
    }

    private static boolean pricesDiffer(MarketRate a, MarketRate b) {
        return !a.mid().equals(b.mid()) || !a.bid().equals(b.bid()) || !a.ask().equals(b.ask())
                || !a.sources().equals(b.sources());
    }

    /**
     * With three or more fresh sources, marks as outliers those whose mid is further than the limit from the
     * median mid, and returns the rest. With fewer there is no majority to judge by, and all are used.
     */
    private List<MarketQuote> excludeOutliers(List<MarketQuote> fresh, List<SourceState> states, Instant now) {
        if (fresh.size() < 3) {
            return fresh;
        }
        BigDecimal reference = Aggregation.median(fresh, MarketQuote::mid);
        List<MarketQuote> used = new ArrayList<>(fresh.size());
        List<RateEvent> outliers = new ArrayList<>(1);
        for (int i = 0; i < fresh.size(); i++) {
            MarketQuote q = fresh.get(i);
            BigDecimal deviation = Aggregation.deviationPercent(q.mid(), reference);
            if (deviation.compareTo(settings.outlierPercent()) > 0) {
                SourceState s = states.get(i);
                s.outlier = true;
                if (!s.wasOutlier) {
                    outliers.add(new RateEvent.SourceOutlier(pair, q.source(), q.mid(), reference, deviation, now));
                }
            } else {
                used.add(q);
            }
        }
        if (used.isEmpty()) { // an even split with nothing in the middle: use them all rather than none
            for (SourceState s : states) {
                s.outlier = false;
            }
            return fresh;
        }
        pending.addAll(outliers);
        return used;
    }

    // ---------------------------------------------------------------- store pricing

    private void repriceAll(Instant now, boolean marketMoved) {
        for (StoreBook sb : stores.values()) {
            reprice(sb, now);
            if (marketMoved) {
                evaluateThresholds(sb, now);
            }
        }
    }

    private void reprice(StoreBook sb, Instant now) {
        StoreRate prev = sb.rate;
        StoreRate next;
        RateOverride o = sb.override;
        MarketRate m = market;
        if (o != null && o.isActiveAt(now)) {
            BigDecimal mid = o.buy().add(o.sell()).divide(TWO, scale + 1, RoundingMode.HALF_EVEN);
            next = new StoreRate(sb.storeId, pair, o.buy(), o.sell(), mid, RateBasis.OVERRIDE, o.validFrom(),
                    o.validUntil(), false);
        } else if (sb.spread != null && m != null) {
            BigDecimal buy = sb.spread.buyPrice(m.mid(), scale);
            BigDecimal sell = sb.spread.sellPrice(m.mid(), scale);
            if (prev != null && prev.basis() == RateBasis.MARKET && prev.stale() == m.stale()
                    && prev.buy().equals(buy) && prev.sell().equals(sell)) {
                return; // unchanged: the common case of a tick that moves the mid less than the rounding
            }
            next = new StoreRate(sb.storeId, pair, buy, sell, m.mid(), RateBasis.MARKET, m.asOf(), null, m.stale());
        } else {
            sb.rate = null;
            return;
        }
        if (prev == null || !prev.buy().equals(next.buy()) || !prev.sell().equals(next.sell())
                || prev.basis() != next.basis() || prev.stale() != next.stale()
                || !Objects.equals(prev.validUntil(), next.validUntil())) {
            sb.rate = next;
            pending.add(new RateEvent.StoreRateUpdated(next, now));
        }
    }

    private void evaluateThresholds(StoreBook sb, Instant now) {
        if (sb.thresholds.isEmpty()) {
            return;
        }
        MarketRate m = market;
        for (ThresholdState ts : sb.thresholds.values()) {
            if (m == null || m.stale()) {
                continue; // staleness has its own events; no move or divergence can be judged
            }
            if (ts.rule.kind() == ThresholdRule.Kind.MARKET_MOVE) {
                BigDecimal reference = ts.sampleAndReference(now, m.mid());
                judge(ts, Aggregation.deviationPercent(m.mid(), reference), reference, m.mid(), now);
            } else {
                RateOverride o = sb.override;
                if (o != null && o.isActiveAt(now)) {
                    BigDecimal overrideMid = o.buy().add(o.sell()).divide(TWO, scale + 1, RoundingMode.HALF_EVEN);
                    judge(ts, Aggregation.deviationPercent(overrideMid, m.mid()), m.mid(), overrideMid, now);
                } else if (ts.breached) {
                    ts.breached = false;
                    pending.add(new RateEvent.ThresholdCleared(ts.rule, BigDecimal.ZERO, now));
                }
            }
        }
    }

    private void judge(ThresholdState ts, BigDecimal observed, BigDecimal reference, BigDecimal current,
                       Instant now) {
        if (!ts.breached && observed.compareTo(ts.rule.percent()) > 0) {
            ts.breached = true;
            pending.add(new RateEvent.ThresholdBreached(ts.rule, observed, reference, current, now));
        } else if (ts.breached && observed.compareTo(ts.rule.clearPercent()) < 0) {
            ts.breached = false;
            pending.add(new RateEvent.ThresholdCleared(ts.rule, observed, now));
        }
    }

    // ---------------------------------------------------------------- decisions (caller holds commandLock)

    /** Applies a spread rule (null removes it) and reprices the store. */
    public void applySpread(String storeId, SpreadRule rule, String actor, Instant now) {
        stateLock.lock();
        try {
            StoreBook sb = stores.computeIfAbsent(storeId, StoreBook::new);
            sb.spread = rule;
            if (rule == null) {
                pending.add(new RateEvent.SpreadRemoved(storeId, pair, actor, now));
            } else {
                pending.add(new RateEvent.SpreadSet(storeId, pair, rule, actor, now));
            }
            reprice(sb, now);
        } finally {
            flushAndUnlock();
        }
    }

    /** Applies an override (replacing any other) and reprices the store. */
    public void applyOverride(RateOverride o, Instant now) {
        stateLock.lock();
        try {
            StoreBook sb = stores.computeIfAbsent(o.storeId(), StoreBook::new);
            sb.override = o;
            updateOverrideBoundary(now);
            pending.add(new RateEvent.OverrideSet(o, now));
            reprice(sb, now);
            evaluateThresholds(sb, now);
        } finally {
            flushAndUnlock();
        }
    }

    /**
     * Ends the store's override: cleared by {@code actor}, or expired when {@code actor} is null. Returns false
     * (and does nothing) when {@code expected} is no longer the store's override.
     */
    public boolean endOverride(String storeId, RateOverride expected, String actor, String reason, Instant now) {
        stateLock.lock();
        try {
            StoreBook sb = stores.get(storeId);
            if (sb == null || sb.override == null || !sb.override.equals(expected)) {
                return false;
            }
            sb.override = null;
            updateOverrideBoundary(now);
            pending.add(actor == null
                    ? new RateEvent.OverrideExpired(expected, now)
                    : new RateEvent.OverrideCleared(storeId, pair, expected, actor, reason, now));
            reprice(sb, now);
            evaluateThresholds(sb, now);
            return true;
        } finally {
            flushAndUnlock();
        }
    }

    /** Sets (replacing the rule of the same kind) or, with {@code remove}, removes an alert rule. */
    public void applyThreshold(ThresholdRule rule, boolean remove, String actor, Instant now) {
        stateLock.lock();
        try {
            StoreBook sb = stores.computeIfAbsent(rule.storeId(), StoreBook::new);
            if (remove) {
                sb.thresholds.remove(rule.kind());
                sb.hasThresholds = !sb.thresholds.isEmpty();
                pending.add(new RateEvent.ThresholdRemoved(rule, actor, now));
            } else {
                sb.thresholds.put(rule.kind(), new ThresholdState(rule));
                sb.hasThresholds = true;
                pending.add(new RateEvent.ThresholdSet(rule, actor, now));
            }
            Map<ThresholdRule.Kind, ThresholdRule> rules = new EnumMap<>(ThresholdRule.Kind.class);
            sb.thresholds.forEach((kind, state) -> rules.put(kind, state.rule));
            sb.rules = Map.copyOf(rules);
            if (!remove) {
                evaluateThresholds(sb, now);
            }
        } finally {
            flushAndUnlock();
        }
    }

    // ---------------------------------------------------------------- recovery only (caller holds commandLock)

    /**
     * Recovery only: puts back a spread rule read from the durable store, as it was in force, and reprices the
     * store (no rate until the market has one). Records no decision event: restoring is not deciding.
     */
    public void restoreSpread(String storeId, SpreadRule rule, Instant now) {
        stateLock.lock();
        try {
            StoreBook sb = stores.computeIfAbsent(storeId, StoreBook::new);
            sb.spread = rule;
            reprice(sb, now);
        } finally {
            flushAndUnlock();
        }
    }

    /**
     * Recovery only: puts back an override read from the durable store and reprices the store, so that an override
     * active at {@code now} gives its OVERRIDE rate at once. Its start and end are the caller's to schedule, as for
     * {@link #applyOverride}. Records no decision event.
     */
    public void restoreOverride(RateOverride o, Instant now) {
        stateLock.lock();
        try {
            StoreBook sb = stores.computeIfAbsent(o.storeId(), StoreBook::new);
            sb.override = o;
            updateOverrideBoundary(now);
            reprice(sb, now);
        } finally {
            flushAndUnlock();
        }
    }

    /**
     * Recovery only: puts back an alert rule read from the durable store, not breached and with no market history
     * (market observations are not durable). Records no decision event.
     */
    public void restoreThreshold(ThresholdRule rule) {
        stateLock.lock();
        try {
            StoreBook sb = stores.computeIfAbsent(rule.storeId(), StoreBook::new);
            sb.thresholds.put(rule.kind(), new ThresholdState(rule));
            sb.hasThresholds = true;
            Map<ThresholdRule.Kind, ThresholdRule> rules = new EnumMap<>(ThresholdRule.Kind.class);
            sb.thresholds.forEach((kind, state) -> rules.put(kind, state.rule));
            sb.rules = Map.copyOf(rules);
        } finally {
            flushAndUnlock();
        }
    }

    private void flushAndUnlock() {
        try {
            if (!pending.isEmpty()) {
                List<RateEvent> events = new ArrayList<>(pending);
                pending.clear();
                bus.publishAll(events);
            }
        } finally {
            stateLock.unlock();
        }
    }
}
