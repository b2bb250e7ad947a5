package io.ratehub.core.event;

import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Every state change of the engine, as a typed event with a stable wire name ({@link #type()}).
 *
 * <p>The family is sealed so that a {@code switch} over it is exhaustive. {@link MarketEvent}s concern the
 * market of a pair (they go to everyone who watches the market); {@link StoreEvent}s concern one store (they go
 * to that store's channels only). Every event is an immutable record and safe to share between threads.
 *
 * <p>Wire names follow the vocabulary of earlier hubs: {@code rate_update}, {@code rate_override_set},
 * {@code rate_threshold_breach}, {@code rate_lock_created} and so on; {@link #TYPES} lists them all.
 */
public sealed interface RateEvent {

    /** Every wire name, in a stable order. */
    List<String> TYPES = List.of(
            MarketRateUpdated.TYPE, PairStale.TYPE, PairLive.TYPE, SourceStale.TYPE, SourceOutlier.TYPE,
            SourceRecovered.TYPE, StoreRateUpdated.TYPE, SpreadSet.TYPE, SpreadRemoved.TYPE, OverrideSet.TYPE,
            OverrideCleared.TYPE, OverrideExpired.TYPE, ThresholdSet.TYPE, ThresholdRemoved.TYPE,
            ThresholdBreached.TYPE, ThresholdCleared.TYPE, LockCreated.TYPE, LockCompleted.TYPE,
            LockCancelled.TYPE, LockExpired.TYPE);

    /** The stable wire name of this kind of event, for example {@code "rate_update"}. */
    String type();

    /** When the engine made the change (from its clock). */
    Instant time();

    /** An event about the market of one pair. */
    sealed interface MarketEvent extends RateEvent {
        /** The pair concerned. */
        CurrencyPair pair();
    }

    /** An event about one store. */
    sealed interface StoreEvent extends RateEvent {
        /** The store concerned. */
        String storeId();

        /** The pair concerned. */
        CurrencyPair pair();
    }

    /**
     * The aggregated market rate of a pair changed, or became stale.
     *
     * @param rate the new market rate
     * @param time when
     */
    record MarketRateUpdated(MarketRate rate, Instant time) implements MarketEvent {
        /** Wire name. */
        public static final String TYPE = "market_data_update";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public CurrencyPair pair() {
            return rate.pair();
        }
    }

    /**
     * No fresh source remains for a pair: its market rate, and every store rate priced from it, is stale.
     *
     * @param pair the pair
     * @param lastRate the last market rate, now marked stale
     * @param time when
     */
    record PairStale(CurrencyPair pair, MarketRate lastRate, Instant time) implements MarketEvent {
        /** Wire name. */
        public static final String TYPE = "pair_stale";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A stale pair has a fresh source again.
     *
     * @param pair the pair
     * @param rate the new live market rate
     * @param time when
     */
    record PairLive(CurrencyPair pair, MarketRate rate, Instant time) implements MarketEvent {
        /** Wire name. */
        public static final String TYPE = "pair_live";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A source's latest quote for a pair is older than the maximum age; the source is excluded.
     *
     * @param pair the pair
     * @param source the source
     * @param lastQuoteTime the time of the source's last quote
     * @param time when
     */
    record SourceStale(CurrencyPair pair, String source, Instant lastQuoteTime, Instant time)
            implements MarketEvent {
        /** Wire name. */
        public static final String TYPE = "source_stale";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A source's quote is further from the median of the fresh sources than the outlier limit; it is excluded.
     *
     * @param pair the pair
     * @param source the source
     * @param mid the source's mid
     * @param referenceMid the median mid of the fresh sources
     * @param deviationPercent how far off, in percent
     * @param time when
     */
    record SourceOutlier(CurrencyPair pair, String source, BigDecimal mid, BigDecimal referenceMid,
                         BigDecimal deviationPercent, Instant time) implements MarketEvent {
        /** Wire name. */
        public static final String TYPE = "source_outlier";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A source that was stale or an outlier is fresh and in line again.
     *
     * @param pair the pair
     * @param source the source
     * @param time when
     */
    record SourceRecovered(CurrencyPair pair, String source, Instant time) implements MarketEvent {
        /** Wire name. */
        public static final String TYPE = "source_recovered";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A store's buy/sell rate for a pair changed (price, basis or staleness).
     *
     * @param rate the new store rate
     * @param time when
     */
    record StoreRateUpdated(StoreRate rate, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_update";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return rate.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return rate.pair();
        }
    }

    /**
     * A store's spread rule for a pair was set; the store quotes the pair from now on.
     *
     * @param storeId the store
     * @param pair the pair
     * @param rule the new rule
     * @param actor who set it
     * @param time when
     */
    record SpreadSet(String storeId, CurrencyPair pair, SpreadRule rule, String actor, Instant time)
            implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "spread_set";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A store stopped quoting a pair.
     *
     * @param storeId the store
     * @param pair the pair
     * @param actor who removed it
     * @param time when
     */
    record SpreadRemoved(String storeId, CurrencyPair pair, String actor, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "spread_removed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * An override was set (it may start later: see {@link RateOverride#validFrom()}).
     *
     * @param override the override
     * @param time when
     */
    record OverrideSet(RateOverride override, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_override_set";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return override.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return override.pair();
        }
    }

    /**
     * An override was cleared by an actor before its end; the store returns to market pricing.
     *
     * @param storeId the store
     * @param pair the pair
     * @param override the override that was cleared
     * @param actor who cleared it
     * @param reason why
     * @param time when
     */
    record OverrideCleared(String storeId, CurrencyPair pair, RateOverride override, String actor, String reason,
                           Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_override_cleared";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * An override reached its end; the store returned to market pricing.
     *
     * @param override the override that ended
     * @param time when
     */
    record OverrideExpired(RateOverride override, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_override_expired";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return override.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return override.pair();
        }
    }

    /**
     * An alert rule was set (replacing any rule of the same kind for the store and pair).
     *
     * @param rule the rule
     * @param actor who set it
     * @param time when
     */
    record ThresholdSet(ThresholdRule rule, String actor, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "threshold_set";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return rule.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return rule.pair();
        }
    }

    /**
     * An alert rule was removed.
     *
     * @param rule the rule removed
     * @param actor who removed it
     * @param time when
     */
    record ThresholdRemoved(ThresholdRule rule, String actor, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "threshold_removed";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return rule.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return rule.pair();
        }
    }

    /**
     * An alert rule's limit was passed. Raised once; not again until the rule has cleared.
     *
     * @param rule the rule
     * @param observedPercent the observed move or divergence, in percent
     * @param reference the reference value (market mid at the window's start, or the live market mid)
     * @param current the current value (market mid, or the override's midpoint)
     * @param time when
     */
    record ThresholdBreached(ThresholdRule rule, BigDecimal observedPercent, BigDecimal reference,
                             BigDecimal current, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_threshold_breach";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return rule.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return rule.pair();
        }
    }

    /**
     * A breached rule fell below its clear level (or its cause, such as the override, went away).
     *
     * @param rule the rule
     * @param observedPercent the observed value when it cleared, in percent ({@code 0} when the cause ended)
     * @param time when
     */
    record ThresholdCleared(ThresholdRule rule, BigDecimal observedPercent, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_threshold_cleared";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return rule.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return rule.pair();
        }
    }

    /**
     * A rate lock was created.
     *
     * @param lock the lock
     * @param time when
     */
    record LockCreated(RateLock lock, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_lock_created";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return lock.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return lock.pair();
        }
    }

    /**
     * A rate lock was completed by a transaction.
     *
     * @param lock the lock, now completed
     * @param time when
     */
    record LockCompleted(RateLock lock, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_lock_completed";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return lock.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return lock.pair();
        }
    }

    /**
     * A rate lock was cancelled.
     *
     * @param lock the lock, now cancelled
     * @param actor who cancelled it
     * @param reason why
     * @param time when
     */
    record LockCancelled(RateLock lock, String actor, String reason, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_lock_cancelled";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return lock.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return lock.pair();
        }
    }

    /**
     * A rate lock expired without completion.
     *
     * @param lock the lock, now expired
     * @param time when
     */
    record LockExpired(RateLock lock, Instant time) implements StoreEvent {
        /** Wire name. */
        public static final String TYPE = "rate_lock_expired";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String storeId() {
            return lock.storeId();
        }

        @Override
        public CurrencyPair pair() {
            return lock.pair();
        }
    }
}
