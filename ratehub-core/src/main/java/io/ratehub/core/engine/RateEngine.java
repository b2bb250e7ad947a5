package io.ratehub.core.engine;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.StaleRateException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.durable.EngineStore;
import io.ratehub.core.durable.RecoveryOptions;
import io.ratehub.core.audit.AuditVerification;
import io.ratehub.core.internal.ChainBreaks;
import io.ratehub.core.durable.FoldedState;
import io.ratehub.core.durable.LockEntry;
import io.ratehub.core.durable.RecoveredState;
import io.ratehub.core.durable.SpreadEntry;
import io.ratehub.core.internal.AuditValues;
import io.ratehub.core.internal.EngineSettings;
import io.ratehub.core.internal.EventBus;
import io.ratehub.core.internal.LockBook;
import io.ratehub.core.internal.PairBook;
import io.ratehub.core.internal.Require;
import io.ratehub.core.internal.TimerQueue;
import io.ratehub.core.model.CurrencyCatalog;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate engine: aggregates market sources, prices every store, applies spreads, overrides and alert rules,
 * holds rate locks, records every decision in the audit trail, and reports every change as a
 * {@link io.ratehub.core.event.RateEvent}.
 *
 * <pre>{@code
 * RateEngine engine = RateEngine.builder()
 *         .store(FileEngineStore.open(Path.of("data")))   // durable: rebuilt from data/audit.jsonl on start
 *         .scheduler(Executors.newSingleThreadScheduledExecutor())
 *         .build();
 * engine.addListener(event -> hub.publish(event));
 * CurrencyPair usdCad = CurrencyPair.parse("USD/CAD");
 * engine.setSpread("store-1", usdCad, SpreadRule.bps("50", "50"), "owner");
 * engine.onQuote(new MarketQuote(usdCad, new BigDecimal("1.36120"), new BigDecimal("1.36140"), "feed-a", now));
 * StoreRate rate = engine.storeRate("store-1", usdCad).orElseThrow();
 * }</pre>
 *
 * <p><b>Decisions are durable first.</b> Each command (set/remove spread, set/clear override, set/remove alert
 * rule, lock, complete, cancel) and each expiry is validated, appended to the {@link AuditLog} and synced, and only
 * then applied and announced. A command that throws changed nothing. Market observations (ticks, staleness,
 * outliers, alerts) are events, not audit entries.
 *
 * <p><b>Time.</b> All time comes from the injected {@link Clock}. Time-based transitions (sources going stale,
 * overrides starting and ending, locks expiring) happen when {@link #runDueTimers()} runs: call it yourself (the
 * testkit does, after advancing a virtual clock), or give the builder a {@link ScheduledExecutorService} and the
 * engine asks it to run them when due. Reads and commands also judge time themselves: a lock past its expiry
 * cannot be completed even if its expiry has not been processed yet.
 *
 * <p><b>Threading.</b> Safe for concurrent use by any number of threads. Ticks and decisions on different pairs run
 * in parallel; on one pair they are serialized. Reads are lock-free and have no side effects: a rate whose sources
 * have all passed their age reads as stale even before its staleness check has run. Listeners are called on the
 * thread that caused the change, holding that pair's state; see {@link RateEventListener}. A listener may read the
 * engine, but must not run commands (hand them to another thread).
 */
public final class RateEngine {
    private static final Logger LOG = LoggerFactory.getLogger(RateEngine.class);
    private static final String SYSTEM = "system";

    private final EngineSettings settings;
    private final EventBus bus = new EventBus();
    private final TimerQueue timers;
    private final LockBook locks;
    private final Map<CurrencyPair, PairBook> books = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Object armLock = new Object();
    private Instant armedFor; // guarded by armLock

    private RateEngine(Builder b) {
        this.settings = new EngineSettings(b.clock, b.catalog, b.policy, b.maxSourceAge, b.maxClockSkew,
                b.outlierPercent, b.maxOverrideDeviationPercent, b.defaultOverrideDuration, b.maxOverrideDuration,
                b.defaultLockTtl, b.maxLockTtl, b.lockRetention, b.auditLog, b.lockIds, b.maxActiveLocksPerStore,
                b.maxActiveLocksPerActor);
        this.scheduler = b.scheduler;
        this.timers = new TimerQueue(this::arm);
        this.locks = new LockBook(settings, bus, timers, this::rateForLock);
    }

    /** A builder with every default; see each method. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- listeners and reads

    /** Adds a listener of every event; see {@link RateEventListener} for threading. */
    public ListenerRegistration addListener(RateEventListener listener) {
        return bus.add(listener);
    }

    /** The engine's clock. */
    public Clock clock() {
        return settings.clock();
    }

    /** The engine's currency catalog. */
    public CurrencyCatalog catalog() {
        return settings.catalog();
    }

    /** The current market rate of a pair (possibly stale), if any quote was ever fresh. */
    public Optional<MarketRate> marketRate(CurrencyPair pair) {
        PairBook book = books.get(Require.notNull("pair", pair));
        return Optional.ofNullable(book == null ? null : book.marketAt(settings.clock().instant()));
    }

    /** Every pair's current market rate, ordered by pair. */
    public List<MarketRate> marketRates() {
        List<MarketRate> out = new ArrayList<>();
        Instant now = settings.clock().instant();
        for (PairBook book : books.values()) {
            MarketRate m = book.marketAt(now);
            if (m != null) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(m -> m.pair().toString()));
        return out;
    }

    /** The store's current rate for a pair (check {@link StoreRate#isLiveAt} before quoting it). */
    public Optional<StoreRate> storeRate(String storeId, CurrencyPair pair) {
        Require.notNull("storeId", storeId);
        return Optional.ofNullable(currentStoreRate(storeId, Require.notNull("pair", pair)));
    }

    private StoreRate currentStoreRate(String storeId, CurrencyPair pair) {
        PairBook book = books.get(pair);
        return book == null ? null : book.storeRateAt(storeId, settings.clock().instant());
    }

    /** The rate a lock is taken at: due transitions (staleness, override start or end) are made first. */
    private StoreRate rateForLock(String storeId, CurrencyPair pair) {
        PairBook book = books.get(pair);
        if (book == null) {
            return null;
        }
        Instant now = settings.clock().instant();
        book.refreshIfDue(now);
        return book.storeRateAt(storeId, now);
    }

    /** Every current rate of a store, ordered by pair. */
    public List<StoreRate> storeRates(String storeId) {
        Require.notNull("storeId", storeId);
        List<StoreRate> out = new ArrayList<>();
        Instant now = settings.clock().instant();
        for (PairBook book : books.values()) {
            StoreRate r = book.storeRateAt(storeId, now);
            if (r != null) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(r -> r.pair().toString()));
        return out;
    }

    /** The ids of every store with a rule, an override or a rate, sorted. */
    public Set<String> stores() {
        Set<String> ids = new TreeSet<>();
        for (PairBook book : books.values()) {
            ids.addAll(book.storeIds());
        }
        return ids;
    }

    /** The store's override for a pair (active or starting later), if any. */
    public Optional<RateOverride> override(String storeId, CurrencyPair pair) {
        Require.notNull("storeId", storeId);
        PairBook book = books.get(Require.notNull("pair", pair));
        return Optional.ofNullable(book == null ? null : book.override(storeId));
    }

    /**
     * The store's spread rule for a pair, if it quotes the pair. Lock-free, like every read.
     */
    public Optional<SpreadRule> spread(String storeId, CurrencyPair pair) {
        Require.notNull("storeId", storeId);
        PairBook book = books.get(Require.notNull("pair", pair));
        return Optional.ofNullable(book == null ? null : book.spread(storeId));
    }

    /**
     * The store's alert rule of {@code kind} on a pair, if any. Lock-free, like every read.
     */
    public Optional<ThresholdRule> threshold(String storeId, CurrencyPair pair, ThresholdRule.Kind kind) {
        Require.notNull("storeId", storeId);
        Require.notNull("kind", kind);
        PairBook book = books.get(Require.notNull("pair", pair));
        return Optional.ofNullable(book == null ? null : book.thresholdRule(storeId, kind));
    }

    /** A rate lock, while it is remembered (active, or finished less than the retention time ago). */
    public Optional<RateLock> findLock(String lockId) {
        return locks.find(Require.notNull("lockId", lockId));
    }

    // ---------------------------------------------------------------- market data

    /**
     * Takes one quote from a source and re-aggregates its pair; when the market mid moves, every store quoting the
     * pair is repriced and alert rules are judged.
     *
     * @return what was done with the quote
     * @throws ValidationException when the pair is unknown ({@link ErrorCode#UNKNOWN_PAIR}) or the quote is dated
     *     further in the future than the allowed clock skew
     */
    public TickOutcome onQuote(MarketQuote quote) {
        Require.notNull("quote", quote);
        Instant now = settings.clock().instant();
        if (quote.time().isAfter(now.plus(settings.maxClockSkew()))) {
            throw new ValidationException("time", quote.time(),
                    "is more than " + settings.maxClockSkew() + " ahead of the engine's clock " + now);
        }
        return book(quote.pair()).onQuote(quote, now);
    }

    private PairBook book(CurrencyPair pair) {
        PairBook book = books.get(pair);
        if (book != null) {
            return book;
        }
        settings.catalog().requireKnown(pair);
        return books.computeIfAbsent(pair, p -> new PairBook(p, settings, bus, timers));
    }

    // ---------------------------------------------------------------- decisions

    /**
     * Sets how a store prices a pair from the market; the store quotes the pair from now on.
     *
     * @return the store's rate after the change (empty until the pair has a market rate)
     */
    public Optional<StoreRate> setSpread(String storeId, CurrencyPair pair, SpreadRule rule, String actor) {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.notNull("rule", rule);
        Require.text("actor", actor);
        PairBook book = book(pair);
        book.commandLock.lock();
        try {
            Instant now = settings.clock().instant();
            audit(now, actor, "spread.set", storeId, pair, AuditValues.of(book.spread(storeId)),
                    AuditValues.of(rule), null);
            book.applySpread(storeId, rule, actor, now);
        } finally {
            book.commandLock.unlock();
        }
        return Optional.ofNullable(book.storeRate(storeId));
    }

    /**
     * Stops a store quoting a pair.
     *
     * @return false when the store had no spread rule for the pair
     * @throws ValidationException when an override is in place (clear it first)
     */
    public boolean removeSpread(String storeId, CurrencyPair pair, String actor) {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.text("actor", actor);
        PairBook book = books.get(pair);
        if (book == null) {
            return false;
        }
        book.commandLock.lock();
        try {
            SpreadRule before = book.spread(storeId);
            if (before == null) {
                return false;
            }
            if (book.override(storeId) != null) {
                throw new ValidationException("pair", pair, "has an override at store " + storeId
                        + "; clear it before removing the spread");
            }
            Instant now = settings.clock().instant();
            audit(now, actor, "spread.removed", storeId, pair, AuditValues.of(before), Map.of(), null);
            book.applySpread(storeId, null, actor, now);
            return true;
        } finally {
            book.commandLock.unlock();
        }
    }

    /**
     * Sets a store's rate for a pair by hand, replacing any override it had.
     *
     * @return the override as stored, with its window resolved
     * @throws RateHubException {@link ErrorCode#UNKNOWN_STORE_RATE} when the store does not quote the pair
     *     (set a spread first); {@link ErrorCode#OVERRIDE_DEVIATION} when a price is too far from the market and
     *     not forced; {@link ErrorCode#STALE_RATE} when there is no live market to check against and not forced;
     *     {@link ValidationException} for a bad price, scale or window
     */
    public RateOverride setOverride(OverrideRequest req) {
        Require.notNull("request", req);
        PairBook book = book(req.pair());
        Require.maxScale("buy", req.buy(), book.scale(), req.pair().toString());
        Require.maxScale("sell", req.sell(), book.scale(), req.pair().toString());
        book.commandLock.lock();
        try {
            Instant now = settings.clock().instant();
            Instant from = req.validFrom() == null ? now : req.validFrom();
            Instant until = req.validUntil() == null ? from.plus(settings.defaultOverrideDuration())
                    : req.validUntil();
            if (!until.isAfter(now)) {
                throw new ValidationException("validUntil", until, "must be in the future (now " + now + ")");
            }
            if (Duration.between(from, until).compareTo(settings.maxOverrideDuration()) > 0) {
                throw new ValidationException("validUntil", until,
                        "makes the override longer than the maximum " + settings.maxOverrideDuration());
            }
            RateOverride o = new RateOverride(req.storeId(), req.pair(), req.buy(), req.sell(), req.actor(),
                    req.reason(), from, until, req.force());
            if (book.spread(req.storeId()) == null) {
                throw new RateHubException(ErrorCode.UNKNOWN_STORE_RATE, "store " + req.storeId()
                        + " does not quote " + req.pair() + "; set a spread before an override");
            }
            if (!req.force()) {
                checkDeviation(book, o);
            }
            audit(now, req.actor(), "override.set", req.storeId(), req.pair(),
                    AuditValues.of(book.override(req.storeId())), AuditValues.of(o), req.reason());
            book.applyOverride(o, now);
            timers.schedule(o.validUntil(), () -> expireOverride(book, o));
            if (from.isAfter(now)) {
                timers.schedule(from, () -> book.refresh(settings.clock().instant()));
            }
            return o;
        } finally {
            book.commandLock.unlock();
        }
    }

    private void checkDeviation(PairBook book, RateOverride o) {
        book.refreshIfDue(settings.clock().instant());
        MarketRate m = book.market();
        if (m == null || m.stale()) {
            throw new StaleRateException("no live market rate for " + o.pair()
                    + " to check the override against; force it with a reason");
        }
        BigDecimal limit = settings.maxOverrideDeviationPercent();
        checkOne("buy", o.buy(), m.mid(), limit);
        checkOne("sell", o.sell(), m.mid(), limit);
    }

    private static void checkOne(String field, BigDecimal price, BigDecimal mid, BigDecimal limit) {
        BigDecimal deviation = price.subtract(mid).abs().multiply(BigDecimal.valueOf(100))
                .divide(mid, new java.math.MathContext(8));
        if (deviation.compareTo(limit) > 0) {
            throw new ValidationException(ErrorCode.OVERRIDE_DEVIATION, field, price.toPlainString(),
                    "is " + deviation.toPlainString() + "% from the market mid " + mid.toPlainString()
                            + ", more than the maximum " + limit.toPlainString() + "%; force it with a reason");
        }
    }

    /**
     * Clears a store's override before its end; the store returns to market pricing.
     *
     * @return false when there was no override
     */
    public boolean clearOverride(String storeId, CurrencyPair pair, String actor, String reason) {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.text("actor", actor);
        Require.text("reason", reason);
        PairBook book = books.get(pair);
        if (book == null) {
            return false;
        }
        book.commandLock.lock();
        try {
            RateOverride o = book.override(storeId);
            if (o == null) {
                return false;
            }
            Instant now = settings.clock().instant();
            audit(now, actor, "override.cleared", storeId, pair, AuditValues.of(o), Map.of(), reason);
            return book.endOverride(storeId, o, actor, reason, now);
        } finally {
            book.commandLock.unlock();
        }
    }

    private void expireOverride(PairBook book, RateOverride o) {
        book.commandLock.lock();
        try {
            Instant now = settings.clock().instant();
            if (!o.equals(book.override(o.storeId()))) {
                return; // replaced or cleared meanwhile
            }
            if (now.isBefore(o.validUntil())) {
                timers.schedule(o.validUntil(), () -> expireOverride(book, o));
                return;
            }
            try {
                audit(now, SYSTEM, "override.expired", o.storeId(), o.pair(), AuditValues.of(o), Map.of(), null);
            } catch (AuditException e) {
                LOG.error("could not record the end of the override of {} {}; retrying", o.storeId(), o.pair(), e);
                timers.schedule(now.plusSeconds(1), () -> expireOverride(book, o));
                return;
            }
            book.endOverride(o.storeId(), o, null, null, now);
        } finally {
            book.commandLock.unlock();
        }
    }

    /** Sets an alert rule, replacing the store's rule of the same kind for the pair. */
    public void setThreshold(ThresholdRule rule, String actor) {
        Require.notNull("rule", rule);
        Require.text("actor", actor);
        PairBook book = book(rule.pair());
        book.commandLock.lock();
        try {
            Instant now = settings.clock().instant();
            audit(now, actor, "threshold.set", rule.storeId(), rule.pair(),
                    AuditValues.of(book.threshold(rule.storeId(), rule.kind())), AuditValues.of(rule), null);
            book.applyThreshold(rule, false, actor, now);
        } finally {
            book.commandLock.unlock();
        }
    }

    /**
     * Removes an alert rule.
     *
     * @return false when there was no such rule
     */
    public boolean removeThreshold(String storeId, CurrencyPair pair, ThresholdRule.Kind kind, String actor) {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.notNull("kind", kind);
        Require.text("actor", actor);
        PairBook book = books.get(pair);
        if (book == null) {
            return false;
        }
        book.commandLock.lock();
        try {
            ThresholdRule rule = book.threshold(storeId, kind);
            if (rule == null) {
                return false;
            }
            Instant now = settings.clock().instant();
            audit(now, actor, "threshold.removed", storeId, pair, AuditValues.of(rule), Map.of(), null);
            book.applyThreshold(rule, true, actor, now);
            return true;
        } finally {
            book.commandLock.unlock();
        }
    }

    /**
     * Locks the store's current rate for one customer transaction.
     *
     * @return the new lock, or the existing one for a repeated {@link LockRequest#requestId()}
     * @throws RateHubException {@link ErrorCode#UNKNOWN_STORE_RATE} when the store quotes no rate for the pair;
     *     {@link StaleRateException} when its rate is stale; {@link ValidationException} for a TTL above the
     *     maximum, an amount with more decimals than the currency has, or a reused request id
     */
    public RateLock lock(LockRequest request) {
        return locks.lock(Require.notNull("request", request));
    }

    /**
     * Completes a lock exactly once. Repeating the call with the same transaction reference returns the completed
     * lock; of several concurrent completions exactly one succeeds.
     *
     * @throws LockStateException when the lock is unknown, expired, cancelled, or completed by another transaction
     */
    public RateLock completeLock(String lockId, String transactionRef, String actor) {
        return locks.complete(lockId, transactionRef, actor);
    }

    /**
     * Cancels an active lock. Cancelling a cancelled lock again returns it.
     *
     * @throws LockStateException when the lock is unknown, expired or completed
     */
    public RateLock cancelLock(String lockId, String actor, String reason) {
        return locks.cancel(lockId, actor, reason);
    }

    private void audit(Instant now, String actor, String action, String storeId, CurrencyPair pair,
                       Map<String, String> before, Map<String, String> after, String reason) {
        settings.audit().append(new AuditRecord(now, actor, action, storeId, pair.toString(), before, after, reason));
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Puts the recovered decisions back into the books, before any listener exists: nothing is announced and
     * nothing is audited. Overrides and locks get the timers their live paths schedule, so that what fell due while
     * the engine was down happens at the first {@link #runDueTimers()}, by the ordinary code, audited by
     * {@code system}.
     */
    private void restore(RecoveredState recovered) {
        FoldedState s = recovered.state();
        Instant now = settings.clock().instant();
        for (SpreadEntry e : s.spreads()) {
            PairBook book = book(e.pair());
            book.commandLock.lock();
            try {
                book.restoreSpread(e.storeId(), e.rule(), now);
            } finally {
                book.commandLock.unlock();
            }
        }
        for (RateOverride o : s.overrides()) {
            PairBook book = book(o.pair());
            book.commandLock.lock();
            try {
                book.restoreOverride(o, now);
                timers.schedule(o.validUntil(), () -> expireOverride(book, o));
                if (o.validFrom().isAfter(now)) {
                    timers.schedule(o.validFrom(), () -> book.refresh(settings.clock().instant()));
                }
            } finally {
                book.commandLock.unlock();
            }
        }
        for (ThresholdRule r : s.rules()) {
            PairBook book = book(r.pair());
            book.commandLock.lock();
            try {
                book.restoreThreshold(r);
            } finally {
                book.commandLock.unlock();
            }
        }
        for (LockEntry l : s.locks()) {
            locks.restore(l.lock(), l.requestId(), l.requestedTtl());
        }
        LOG.info("Engine restored at seq {}: {} spreads, {} overrides, {} alert rules, {} locks", s.seq(),
                s.spreads().size(), s.overrides().size(), s.rules().size(), s.locks().size());
    }

    /** Records each break the operator accepted at this start, so that later starts pass it without the option. */
    private void recordAcceptedBreaks(List<AuditVerification> breaks) {
        for (AuditVerification b : breaks) {
            Map<String, String> after = new java.util.TreeMap<>();
            after.put("seq", Long.toString(b.firstBadSeq()));
            after.put("line", Long.toString(b.firstBadLine()));
            after.put("problem", b.problem());
            settings.audit().append(new AuditRecord(settings.clock().instant(), "system",
                    ChainBreaks.BREAK_ACCEPTED, null, null, Map.of(), after,
                    "accepted by the operator at start (acceptBrokenChainAt)"));
            LOG.warn("Started past the audit chain break at seq {} (line {}) accepted by the operator: {}",
                    b.firstBadSeq(), b.firstBadLine(), b.problem());
        }
    }

    // ---------------------------------------------------------------- time

    /**
     * Runs every time-based transition due at the clock's current instant: sources going stale, overrides starting
     * and ending, locks expiring, finished locks being forgotten.
     *
     * @return how many timers ran
     */
    public int runDueTimers() {
        int ran = 0;
        for (Runnable action : timers.takeDue(settings.clock().instant())) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.error("a timed transition failed; the engine carries on", e);
            }
            ran++;
        }
        return ran;
    }

    /** When the next time-based transition is due, if any. */
    public Optional<Instant> nextDeadline() {
        return timers.nextDue();
    }

    private void arm(Instant due) {
        if (scheduler == null) {
            return;
        }
        synchronized (armLock) {
            if (armedFor != null && !due.isBefore(armedFor)) {
                return;
            }
            armedFor = due;
        }
        long delayNanos = Math.max(0, Duration.between(settings.clock().instant(), due).toNanos());
        try {
            scheduler.schedule(this::onScheduled, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("scheduler is shut down; timers run only when runDueTimers() is called");
        }
    }

    private void onScheduled() {
        synchronized (armLock) {
            armedFor = null;
        }
        runDueTimers();
        timers.nextDue().ifPresent(this::arm);
    }

    /**
     * Builds a {@link RateEngine}. Not thread-safe; each method documents its default.
     */
    public static final class Builder {
        /** Default {@link #maxSourceAge(Duration)}: 10 seconds. */
        public static final Duration DEFAULT_MAX_SOURCE_AGE = Duration.ofSeconds(10);
        /** Default {@link #maxClockSkew(Duration)}: 5 seconds. */
        public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(5);
        /** Default {@link #outlierPercent(BigDecimal)}: 2%. */
        public static final BigDecimal DEFAULT_OUTLIER_PERCENT = new BigDecimal("2");
        /** Default {@link #maxOverrideDeviationPercent(BigDecimal)}: 5%. */
        public static final BigDecimal DEFAULT_MAX_OVERRIDE_DEVIATION_PERCENT = new BigDecimal("5");
        /** Default {@link #defaultOverrideDuration(Duration)}: 8 hours, a store's business day. */
        public static final Duration DEFAULT_OVERRIDE_DURATION = Duration.ofHours(8);
        /** Default {@link #maxOverrideDuration(Duration)}: 31 days. */
        public static final Duration DEFAULT_MAX_OVERRIDE_DURATION = Duration.ofDays(31);
        /** Default {@link #defaultLockTtl(Duration)}: 5 minutes. */
        public static final Duration DEFAULT_LOCK_TTL = Duration.ofMinutes(5);
        /** Default {@link #maxLockTtl(Duration)}: 30 minutes. */
        public static final Duration DEFAULT_MAX_LOCK_TTL = Duration.ofMinutes(30);
        /** Default {@link #lockRetention(Duration)}: 24 hours. */
        public static final Duration DEFAULT_LOCK_RETENTION = Duration.ofHours(24);
        /** Default {@link #maxActiveLocksPerStore(int)}: 1,000. */
        public static final int DEFAULT_MAX_ACTIVE_LOCKS_PER_STORE = 1_000;
        /** Default {@link #maxActiveLocksPerActor(int)}: 100. */
        public static final int DEFAULT_MAX_ACTIVE_LOCKS_PER_ACTOR = 100;

        private Clock clock = Clock.systemUTC();
        private CurrencyCatalog catalog = CurrencyCatalog.standard();
        private AggregationPolicy policy = AggregationPolicy.median();
        private Duration maxSourceAge = DEFAULT_MAX_SOURCE_AGE;
        private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
        private BigDecimal outlierPercent = DEFAULT_OUTLIER_PERCENT;
        private BigDecimal maxOverrideDeviationPercent = DEFAULT_MAX_OVERRIDE_DEVIATION_PERCENT;
        private Duration defaultOverrideDuration = DEFAULT_OVERRIDE_DURATION;
        private Duration maxOverrideDuration = DEFAULT_MAX_OVERRIDE_DURATION;
        private Duration defaultLockTtl = DEFAULT_LOCK_TTL;
        private Duration maxLockTtl = DEFAULT_MAX_LOCK_TTL;
        private Duration lockRetention = DEFAULT_LOCK_RETENTION;
        private int maxActiveLocksPerStore = DEFAULT_MAX_ACTIVE_LOCKS_PER_STORE;
        private int maxActiveLocksPerActor = DEFAULT_MAX_ACTIVE_LOCKS_PER_ACTOR;
        private AuditLog auditLog;
        private EngineStore store;
        private long acceptBrokenChainAt;
        private ScheduledExecutorService scheduler;
        private Supplier<String> lockIds = () -> "L-" + UUID.randomUUID();

        private Builder() {
        }

        /** The only source of time. Default: {@link Clock#systemUTC()}. */
        public Builder clock(Clock c) {
            this.clock = Require.notNull("clock", c);
            return this;
        }

        /** Known currencies and pair scales. Default: {@link CurrencyCatalog#standard()}. */
        public Builder catalog(CurrencyCatalog c) {
            this.catalog = Require.notNull("catalog", c);
            return this;
        }

        /** How sources are aggregated. Default: {@link AggregationPolicy#median()}. */
        public Builder aggregation(AggregationPolicy p) {
            this.policy = Require.notNull("aggregation", p);
            return this;
        }

        /** A source whose latest quote is older than this is stale. Default {@link #DEFAULT_MAX_SOURCE_AGE}. */
        public Builder maxSourceAge(Duration d) {
            this.maxSourceAge = Require.positive("maxSourceAge", d);
            return this;
        }

        /** A quote dated further ahead of the clock is refused. Default {@link #DEFAULT_MAX_CLOCK_SKEW}. */
        public Builder maxClockSkew(Duration d) {
            Require.notNull("maxClockSkew", d);
            if (d.isNegative()) {
                throw new ValidationException("maxClockSkew", d, "must be >= 0");
            }
            this.maxClockSkew = d;
            return this;
        }

        /**
         * With three or more fresh sources, a source whose mid is further than this (in percent) from their
         * median mid is an outlier and excluded. Default {@link #DEFAULT_OUTLIER_PERCENT}.
         */
        public Builder outlierPercent(BigDecimal p) {
            this.outlierPercent = Require.percent("outlierPercent", p);
            return this;
        }

        /**
         * An override not forced must have both prices within this (in percent) of the live market mid. Default
         * {@link #DEFAULT_MAX_OVERRIDE_DEVIATION_PERCENT}.
         */
        public Builder maxOverrideDeviationPercent(BigDecimal p) {
            this.maxOverrideDeviationPercent = Require.percent("maxOverrideDeviationPercent", p);
            return this;
        }

        /** An override's length when no end is given. Default {@link #DEFAULT_OVERRIDE_DURATION}. */
        public Builder defaultOverrideDuration(Duration d) {
            this.defaultOverrideDuration = Require.positive("defaultOverrideDuration", d);
            return this;
        }

        /** The longest override window. Default {@link #DEFAULT_MAX_OVERRIDE_DURATION}. */
        public Builder maxOverrideDuration(Duration d) {
            this.maxOverrideDuration = Require.positive("maxOverrideDuration", d);
            return this;
        }

        /** A lock's TTL when the request gives none. Default {@link #DEFAULT_LOCK_TTL}. */
        public Builder defaultLockTtl(Duration d) {
            this.defaultLockTtl = Require.positive("defaultLockTtl", d);
            return this;
        }

        /** The longest TTL a lock request may ask for. Default {@link #DEFAULT_MAX_LOCK_TTL}. */
        public Builder maxLockTtl(Duration d) {
            this.maxLockTtl = Require.positive("maxLockTtl", d);
            return this;
        }

        /**
         * How long a finished lock is remembered, so that repeated completes and request ids stay idempotent.
         * Default {@link #DEFAULT_LOCK_RETENTION}.
         */
        public Builder lockRetention(Duration d) {
            this.lockRetention = Require.positive("lockRetention", d);
            return this;
        }

        /**
         * The most ACTIVE rate locks one store may hold at once (over every transport and in-process). A lock past
         * the cap is refused with {@code limit_exceeded} naming {@code maxActiveLocksPerStore}; nothing is changed and
         * nothing is audited. A lock stops counting once it is completed, cancelled or recorded as expired; repeating
         * a lock request with an existing request id still returns its lock. Default
         * {@link #DEFAULT_MAX_ACTIVE_LOCKS_PER_STORE}.
         */
        public Builder maxActiveLocksPerStore(int n) {
            this.maxActiveLocksPerStore = atLeastOne("maxActiveLocksPerStore", n);
            return this;
        }

        /**
         * The most ACTIVE rate locks one actor (the principal that creates them, such as a terminal) may hold at once,
         * across stores; refused as {@link #maxActiveLocksPerStore(int)}, naming {@code maxActiveLocksPerActor}.
         * Default {@link #DEFAULT_MAX_ACTIVE_LOCKS_PER_ACTOR}.
         */
        public Builder maxActiveLocksPerActor(int n) {
            this.maxActiveLocksPerActor = atLeastOne("maxActiveLocksPerActor", n);
            return this;
        }

        private static int atLeastOne(String field, int n) {
            if (n < 1) {
                throw new ValidationException(field, n, "must be >= 1");
            }
            return n;
        }

        /**
         * Where every decision is recorded before it is applied. Default: {@link AuditLog#inMemory()}, which keeps
         * nothing across restarts (a warning is logged); production embeds a
         * {@link io.ratehub.core.audit.FileAuditLog}. The engine does not close it.
         */
        public Builder auditLog(AuditLog log) {
            this.auditLog = Require.notNull("auditLog", log);
            return this;
        }

        /**
         * Makes the engine durable: its decisions go to the store's audit log, and {@link #build()} first rebuilds
         * every decision in force from the store (spreads, overrides, alert rules, locks and their request ids),
         * then expires, by {@code system} and audited as live, what fell due while the engine was down. Restoring
         * announces nothing: listeners added after {@code build()} see only what happens from then on. Market rates
         * are not state: a restored store quotes nothing until its pair has quotes again, except under an active
         * override. Cannot be combined with {@link #auditLog(AuditLog)}. Default: none (no recovery). The engine
         * does not close the store.
         *
         * @param s the store, such as {@link io.ratehub.core.durable.FileEngineStore#open(java.nio.file.Path)}
         * @return this builder
         */
        public Builder store(EngineStore s) {
            this.store = Require.notNull("store", s);
            return this;
        }

        /**
         * Starts on a store whose audit chain is broken at {@code seq}, once an operator has investigated that break:
         * the seq an {@link io.ratehub.core.audit.AuditChainException} named. The line(s) at the break are skipped,
         * the chain re-anchors on the next good entry, and the engine records an {@code audit.break_accepted} entry
         * by {@code system} (after = seq, line, problem), so that later starts pass this break without the option.
         * Any other break still refuses the start. Only with {@link #store(EngineStore)}. Default: none.
         *
         * @param seq the seq at the break, >= 1
         * @return this builder
         */
        public Builder acceptBrokenChainAt(long seq) {
            if (seq < 1) {
                throw new ValidationException("acceptBrokenChainAt", seq, "must be >= 1");
            }
            this.acceptBrokenChainAt = seq;
            return this;
        }

        /**
         * A scheduler the engine asks to run {@link RateEngine#runDueTimers()} when a transition is due. Default:
         * none; then the caller runs {@code runDueTimers()} itself. The engine does not shut it down.
         */
        public Builder scheduler(ScheduledExecutorService s) {
            this.scheduler = Require.notNull("scheduler", s);
            return this;
        }

        /** Generates lock ids; they must be unique identifiers. Default: {@code "L-" + random UUID}. */
        public Builder lockIds(Supplier<String> ids) {
            this.lockIds = Require.notNull("lockIds", ids);
            return this;
        }

        /**
         * The engine. With a {@link #store(EngineStore)}, the state is recovered first (see there).
         *
         * @throws ValidationException for inconsistent settings, or both a store and an audit log
         * @throws AuditException {@link ErrorCode#AUDIT_CORRUPT} when the store's log is broken or unreadable; the
         *     message names the seq and the file, and nothing was changed
         */
        public RateEngine build() {
            if (store != null && auditLog != null) {
                throw new ValidationException("store", store, "cannot be combined with auditLog(...): a store brings"
                        + " its own audit log");
            }
            if (defaultLockTtl.compareTo(maxLockTtl) > 0) {
                throw new ValidationException("defaultLockTtl", defaultLockTtl, "must be <= maxLockTtl " + maxLockTtl);
            }
            if (defaultOverrideDuration.compareTo(maxOverrideDuration) > 0) {
                throw new ValidationException("defaultOverrideDuration", defaultOverrideDuration,
                        "must be <= maxOverrideDuration " + maxOverrideDuration);
            }
            if (store != null) {
                return buildRecovered();
            }
            if (auditLog == null) {
                LOG.warn("no audit log configured: decisions are kept in memory only");
                auditLog = AuditLog.inMemory();
            }
            return new RateEngine(this);
        }

        private RateEngine buildRecovered() {
            RecoveryOptions options = RecoveryOptions.of(lockRetention);
            if (acceptBrokenChainAt > 0) {
                options = options.acceptingBrokenChainAt(acceptBrokenChainAt);
            }
            RecoveredState state = store.recover(options);
            AuditLog log = Require.notNull("store.auditLog()", store.auditLog());
            RateEngine engine;
            // The builder stays reusable as it was: the store's log is not left behind as auditLog(...).
            auditLog = log;
            try {
                engine = new RateEngine(this);
            } finally {
                auditLog = null;
            }
            engine.restore(state);
            int ran = engine.runDueTimers();
            engine.recordAcceptedBreaks(state.breaksToRecord());
            LOG.info("Engine started on {}: {} transition(s) that fell due while it was down were made", store, ran);
            return engine;
        }
    }
}
