package io.ratehub.core.internal;

import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/** The before/after values the engine writes to the audit trail for each kind of decision. */
public final class AuditValues {
    private AuditValues() {
    }

    /** A spread rule's values; empty for none. */
    public static Map<String, String> of(SpreadRule r) {
        Map<String, String> m = new LinkedHashMap<>();
        if (r != null) {
            m.put("unit", r.unit().name());
            m.put("buyMargin", plain(r.buyMargin()));
            m.put("sellMargin", plain(r.sellMargin()));
            putIfPresent(m, "minMargin", r.minMargin());
            putIfPresent(m, "maxMargin", r.maxMargin());
        }
        return m;
    }

    /** An override's values; empty for none. */
    public static Map<String, String> of(RateOverride o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o != null) {
            m.put("buy", plain(o.buy()));
            m.put("sell", plain(o.sell()));
            m.put("validFrom", o.validFrom().toString());
            m.put("validUntil", o.validUntil().toString());
            m.put("forced", Boolean.toString(o.forced()));
            m.put("setBy", o.actor());
        }
        return m;
    }

    /** An alert rule's values; empty for none. */
    public static Map<String, String> of(ThresholdRule t) {
        Map<String, String> m = new LinkedHashMap<>();
        if (t != null) {
            m.put("kind", t.kind().name());
            m.put("percent", plain(t.percent()));
            m.put("clearPercent", plain(t.clearPercent()));
            if (t.window() != null) {
                m.put("window", t.window().toString());
            }
        }
        return m;
    }

    /** A lock's values. */
    public static Map<String, String> of(RateLock l) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lockId", l.lockId());
        m.put("status", l.status().name());
        m.put("side", l.side().name());
        m.put("amount", plain(l.amount()));
        m.put("rate", plain(l.rate()));
        m.put("counterAmount", plain(l.counterAmount()));
        m.put("expiresAt", l.expiresAt().toString());
        if (l.transactionRef() != null) {
            m.put("transactionRef", l.transactionRef());
        }
        return m;
    }

    /**
     * A new lock's values, with what makes a repeated request recognisable after a restart: its {@code requestId}
     * and the {@code ttl} as requested (each only when given). Readers of older logs find neither.
     */
    public static Map<String, String> ofCreated(RateLock l, String requestId, java.time.Duration requestedTtl) {
        Map<String, String> m = of(l);
        if (requestId != null) {
            m.put("requestId", requestId);
        }
        if (requestedTtl != null) {
            m.put("ttl", requestedTtl.toString());
        }
        return m;
    }

    private static void putIfPresent(Map<String, String> m, String key, BigDecimal v) {
        if (v != null) {
            m.put(key, plain(v));
        }
    }

    private static String plain(BigDecimal v) {
        return v.toPlainString();
    }
}
