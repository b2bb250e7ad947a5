package io.ratehub.core.model;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * An alert rule a store sets on a pair. Alerts have hysteresis so that a rate hovering at the limit does not
 * raise a storm: a rule is <em>breached</em> (one {@code rate_threshold_breach} event) when the observed
 * percentage rises above {@link #percent()}, and <em>cleared</em> (one {@code rate_threshold_cleared} event) only
 * once it falls below {@link #clearPercent()}.
 *
 * <ul>
 *   <li>{@link Kind#MARKET_MOVE}: the market mid moved more than {@code percent} against the mid at the start of
 *   the trailing {@code window} (sampled at window/60 resolution).</li>
 *   <li>{@link Kind#OVERRIDE_DIVERGENCE}: the store's active override's midpoint is more than {@code percent}
 *   away from the live market mid (the store may be losing money); {@code window} is not used.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param storeId the store the alerts go to
 * @param pair the pair watched
 * @param kind what is watched
 * @param percent the limit, in (0, 100]
 * @param clearPercent below this the rule re-arms; {@code < percent}
 * @param window the trailing window of {@link Kind#MARKET_MOVE}; {@code null} for other kinds
 */
public record ThresholdRule(String storeId, CurrencyPair pair, Kind kind, BigDecimal percent,
                            BigDecimal clearPercent, Duration window) {
    private static final BigDecimal DEFAULT_CLEAR_FRACTION = new BigDecimal("0.8");

    /** What a rule watches. */
    public enum Kind {
        /** The market moved against a reference within a window. */
        MARKET_MOVE,
        /** An active override diverges from the live market. */
        OVERRIDE_DIVERGENCE
    }

    /** Validates every component; see the type's documentation. */
    public ThresholdRule {
        Require.id("storeId", storeId);
        Require.notNull("pair", pair);
        Require.notNull("kind", kind);
        Require.percent("percent", percent);
        Require.nonNegative("clearPercent", clearPercent);
        if (clearPercent.compareTo(percent) >= 0) {
            throw new ValidationException("clearPercent", clearPercent.toPlainString(),
                    "must be < percent " + percent.toPlainString());
        }
        if (kind == Kind.MARKET_MOVE) {
            Require.positive("window", window);
            if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new ValidationException("window", window, "must be between 1 second and 1 day");
            }
        } else if (window != null) {
            throw new ValidationException("window", window, "applies only to MARKET_MOVE");
        }
    }

    /** A market-move rule that clears at 80% of its limit. */
    public static ThresholdRule marketMove(String storeId, CurrencyPair pair, BigDecimal percent, Duration window) {
        return new ThresholdRule(storeId, pair, Kind.MARKET_MOVE, percent, clearAt(percent), window);
    }

    /** An override-divergence rule that clears at 80% of its limit. */
    public static ThresholdRule overrideDivergence(String storeId, CurrencyPair pair, BigDecimal percent) {
        return new ThresholdRule(storeId, pair, Kind.OVERRIDE_DIVERGENCE, percent, clearAt(percent), null);
    }

    private static BigDecimal clearAt(BigDecimal percent) {
        Require.percent("percent", percent);
        return percent.multiply(DEFAULT_CLEAR_FRACTION);
    }
}
