package io.ratehub.core.internal;

import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.engine.AggregationPolicy;
import io.ratehub.core.model.CurrencyCatalog;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The engine's configuration as the internals see it; built and validated by {@code RateEngine.Builder}.
 *
 * @param clock the only source of time
 * @param catalog known currencies and pair scales
 * @param policy the aggregation policy
 * @param maxSourceAge a source's quote older than this is stale
 * @param maxClockSkew a quote dated further than this in the future is refused
 * @param outlierPercent a source further than this from the median of 3+ fresh sources is an outlier
 * @param maxOverrideDeviationPercent an unforced override must lie within this of the market mid
 * @param defaultOverrideDuration an override's length when no end is given
 * @param maxOverrideDuration the longest override window
 * @param defaultLockTtl a lock's TTL when none is given
 * @param maxLockTtl the longest lock TTL
 * @param lockRetention how long a finished lock stays answerable (idempotent completes) before it is forgotten
 * @param audit the audit trail
 * @param lockIds generates lock ids
 * @param maxActiveLocksPerStore the most ACTIVE locks one store may hold; more are refused with limit_exceeded
 * @param maxActiveLocksPerActor the most ACTIVE locks one actor (the principal that created them) may hold
 */
public record EngineSettings(Clock clock, CurrencyCatalog catalog, AggregationPolicy policy, Duration maxSourceAge,
                             Duration maxClockSkew, BigDecimal outlierPercent, BigDecimal maxOverrideDeviationPercent,
                             Duration defaultOverrideDuration, Duration maxOverrideDuration, Duration defaultLockTtl,
                             Duration maxLockTtl, Duration lockRetention, AuditLog audit, Supplier<String> lockIds,
                             int maxActiveLocksPerStore, int maxActiveLocksPerActor) {
}
