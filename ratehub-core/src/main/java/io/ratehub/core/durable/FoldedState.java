package io.ratehub.core.durable;

import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.ThresholdRule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decisions in force after a run of audit entries, as {@link StateFold#snapshot()} returns them: what an
 * engine needs to resume after a restart. Market observations (quotes, breach flags) are not part of it.
 *
 * <p>Lists are in a stable order: spreads and overrides by store then pair, rules by store, pair and kind, locks in
 * the order they were created. Immutable and thread-safe.
 *
 * @param seq the seq of the last entry applied, 0 for none
 * @param hash the hash of the last entry applied, {@link io.ratehub.core.audit.AuditEntry#GENESIS_HASH} for none
 * @param newestTime the latest entry time seen, or {@code null} for none; finished locks are judged against it
 * @param spreads every spread rule in force
 * @param overrides every override in force (active or starting later) for which no end was recorded
 * @param rules every alert rule in force
 * @param locks every ACTIVE lock, and every finished lock still within the lock retention
 * @param lockIdsByRequest the request-id index: the lock id created for each (store, request id)
 * @param skipped how many entries had an action the fold does not interpret ({@link Decision.Unknown})
 * @param inconsistencies how many decisions did not fit the state folded before them (for example closing a lock
 *     that is not ACTIVE, or removing a rule that is not there); each was applied as far as it could be. 0 for a
 *     log written by one engine
 */
public record FoldedState(long seq, String hash, Instant newestTime, List<SpreadEntry> spreads,
                          List<RateOverride> overrides, List<ThresholdRule> rules, List<LockEntry> locks,
                          Map<RequestKey, String> lockIdsByRequest, long skipped, long inconsistencies) {

    /**
     * A key of the request-id index: request ids are unique per store.
     *
     * @param storeId the store
     * @param requestId the request id
     */
    public record RequestKey(String storeId, String requestId) {
    }

    /** Copies the collections into unmodifiable ones. */
    public FoldedState {
        spreads = List.copyOf(spreads);
        overrides = List.copyOf(overrides);
        rules = List.copyOf(rules);
        locks = List.copyOf(locks);
        lockIdsByRequest = Map.copyOf(lockIdsByRequest);
    }

    /** The spread in force for a store and pair, if any. */
    public Optional<SpreadEntry> spread(String storeId, CurrencyPair pair) {
        return spreads.stream().filter(s -> s.storeId().equals(storeId) && s.pair().equals(pair)).findFirst();
    }

    /** The override in force for a store and pair, if any. */
    public Optional<RateOverride> override(String storeId, CurrencyPair pair) {
        return overrides.stream().filter(o -> o.storeId().equals(storeId) && o.pair().equals(pair)).findFirst();
    }

    /** The store's alert rule of {@code kind} on the pair, if any. */
    public Optional<ThresholdRule> rule(String storeId, CurrencyPair pair, ThresholdRule.Kind kind) {
        return rules.stream().filter(r -> r.storeId().equals(storeId) && r.pair().equals(pair) && r.kind() == kind)
                .findFirst();
    }

    /** The remembered lock with that id, if any. */
    public Optional<LockEntry> lock(String lockId) {
        return locks.stream().filter(l -> l.lock().lockId().equals(lockId)).findFirst();
    }

    /** The remembered lock created for that store and request id, if any. */
    public Optional<LockEntry> lockByRequest(String storeId, String requestId) {
        String lockId = lockIdsByRequest.get(new RequestKey(storeId, requestId));
        return lockId == null ? Optional.empty() : lock(lockId);
    }
}
