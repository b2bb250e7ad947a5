package io.ratehub.core.durable;

import io.ratehub.core.AuditEntryException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.internal.Require;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.ThresholdRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Replays audit entries, in seq order, into the decisions in force: spreads, overrides, alert rules, and rate locks
 * with their request-id index. Each entry is read with {@link Decision#of(AuditEntry)}; an action it does not
 * interpret is skipped and counted.
 *
 * <pre>{@code
 * StateFold fold = new StateFold(Duration.ofHours(24));
 * for (AuditEntry e : log.query(AuditQuery.all())) {
 *     fold.apply(e);
 * }
 * FoldedState state = fold.snapshot();
 * }</pre>
 *
 * <p>A finished lock (completed, cancelled or expired) is kept while {@code closedAt + lockRetention} is after the
 * newest entry time seen, as the engine remembers it for its lock retention, then dropped with its request-id entry.
 * Time comes from the entries only: there is no clock, and nothing that is due is made to happen (an override past
 * its window or a lock past its TTL stays in force until its expiry entry is applied).
 *
 * <p>Pure: no engine, no clock, no I/O. The chain (hashes, seq without gaps) is not checked here; the reader of the
 * log does that. <b>Not thread-safe:</b> confine an instance to one thread; snapshots are immutable and may be
 * shared.
 */
public final class StateFold {
    private final Duration lockRetention;

    private final Map<StorePair, SpreadEntry> spreads = new HashMap<>();
    private final Map<StorePair, RateOverride> overrides = new HashMap<>();
    private final Map<RuleKey, ThresholdRule> rules = new HashMap<>();
    private final Map<String, LockEntry> locks = new LinkedHashMap<>(); // creation order
    private final Map<FoldedState.RequestKey, String> requests = new HashMap<>();
    private final PriorityQueue<RateLock> finished =
            new PriorityQueue<>(Comparator.comparing(RateLock::closedAt));

    private long seq;
    private String hash = AuditEntry.GENESIS_HASH;
    private Instant newestTime;
    private long skipped;
    private long inconsistencies;

    private record StorePair(String storeId, CurrencyPair pair) {
    }

    private record RuleKey(String storeId, CurrencyPair pair, ThresholdRule.Kind kind) {
    }

    /**
     * An empty fold.
     *
     * @param lockRetention how long a finished lock is remembered after it closed; the engine's
     *     {@code lockRetention}
     */
    public StateFold(Duration lockRetention) {
        this.lockRetention = Require.positive("lockRetention", lockRetention);
    }

    /**
     * Applies the next entry. An entry that cannot be read changes nothing.
     *
     * @param entry the entry after the last one applied
     * @return the decision it was read as
     * @throws AuditEntryException when {@link Decision#of(AuditEntry)} cannot read it
     * @throws IllegalArgumentException when its seq is not after the last one applied
     */
    public Decision apply(AuditEntry entry) {
        Require.notNull("entry", entry);
        if (entry.seq() <= seq) {
            throw new IllegalArgumentException("entry seq " + entry.seq() + " is not after the last one applied, "
                    + seq);
        }
        Decision d = Decision.of(entry);
        fold(d);
        seq = entry.seq();
        hash = entry.hash();
        if (entry.time() != null && (newestTime == null || entry.time().isAfter(newestTime))) {
            newestTime = entry.time();
        }
        pruneFinishedLocks();
        return d;
    }

    // Java 17 has no pattern matching for switch: dispatched with instanceof, one branch per Decision type.
    private void fold(Decision d) {
        if (d instanceof Decision.SpreadSet s) {
            spreads.put(new StorePair(s.storeId(), s.pair()),
                    new SpreadEntry(s.storeId(), s.pair(), s.rule(), s.actor(), s.time()));
        } else if (d instanceof Decision.SpreadRemoved s) {
            expect(spreads.remove(new StorePair(s.storeId(), s.pair())) != null);
        } else if (d instanceof Decision.OverrideSet s) {
            overrides.put(new StorePair(s.override().storeId(), s.override().pair()), s.override());
        } else if (d instanceof Decision.OverrideEnded s) {
            expect(overrides.remove(new StorePair(s.storeId(), s.pair())) != null);
        } else if (d instanceof Decision.ThresholdSet s) {
            rules.put(ruleKey(s.rule()), s.rule());
        } else if (d instanceof Decision.ThresholdRemoved s) {
            expect(rules.remove(ruleKey(s.rule())) != null);
        } else if (d instanceof Decision.LockCreated s) {
            created(s);
        } else if (d instanceof Decision.LockClosed s) {
            closed(s);
        } else if (d instanceof Decision.Unknown) {
            skipped++;
        } else {
            throw new IllegalStateException("no fold for " + d.getClass().getName());
        }
    }

    private static RuleKey ruleKey(ThresholdRule r) {
        return new RuleKey(r.storeId(), r.pair(), r.kind());
    }

    private void created(Decision.LockCreated c) {
        RateLock lock = c.lock();
        expect(!locks.containsKey(lock.lockId()));
        locks.put(lock.lockId(), new LockEntry(lock, c.requestId(), c.requestedTtl()));
        if (c.requestId() != null) {
            String earlier = requests.put(new FoldedState.RequestKey(lock.storeId(), c.requestId()), lock.lockId());
            expect(earlier == null);
        }
    }

    private void closed(Decision.LockClosed c) {
        LockEntry entry = locks.get(c.lockId());
        if (entry == null || entry.lock().status() != LockStatus.ACTIVE) {
            inconsistencies++;
            return;
        }
        RateLock done = entry.lock().close(c.status(), c.closedAt(), c.transactionRef());
        locks.put(c.lockId(), new LockEntry(done, entry.requestId(), entry.requestedTtl()));
        finished.add(done);
    }

    private void pruneFinishedLocks() {
        while (!finished.isEmpty() && !finished.peek().closedAt().plus(lockRetention).isAfter(newestTime)) {
            RateLock gone = finished.poll();
            LockEntry entry = locks.get(gone.lockId());
            if (entry == null || !entry.lock().equals(gone)) {
                continue;
            }
            locks.remove(gone.lockId());
            if (entry.requestId() != null) {
                requests.remove(new FoldedState.RequestKey(gone.storeId(), entry.requestId()), gone.lockId());
            }
        }
    }

    private void expect(boolean fits) {
        if (!fits) {
            inconsistencies++;
        }
    }

    /** The decisions in force after the entries applied so far; an immutable copy. */
    public FoldedState snapshot() {
        Comparator<StorePair> byStorePair = Comparator.comparing(StorePair::storeId)
                .thenComparing(k -> k.pair().toString());
        List<SpreadEntry> s = new ArrayList<>();
        spreads.entrySet().stream().sorted(Map.Entry.comparingByKey(byStorePair)).forEach(e -> s.add(e.getValue()));
        List<RateOverride> o = new ArrayList<>();
        overrides.entrySet().stream().sorted(Map.Entry.comparingByKey(byStorePair)).forEach(e -> o.add(e.getValue()));
        List<ThresholdRule> r = new ArrayList<>();
        rules.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(RuleKey::storeId)
                        .thenComparing(k -> k.pair().toString()).thenComparing(RuleKey::kind)))
                .forEach(e -> r.add(e.getValue()));
        return new FoldedState(seq, hash, newestTime, s, o, r, new ArrayList<>(locks.values()), requests, skipped,
                inconsistencies);
    }
}
