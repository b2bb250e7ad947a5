package io.ratehub.core.engine;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How the engine turns the fresh, non-outlier quotes of several sources into one market rate for a pair.
 *
 * <ul>
 *   <li>{@link #median()}: mid = the median of the sources' mids, bid = median of bids, ask = median of asks
 *   (with an even count, the mean of the two middle values). Robust to one bad source; the default.</li>
 *   <li>{@link #best()}: bid = the highest bid, ask = the lowest ask, mid their midpoint. When the best bid is
 *   above the best ask (a crossed market across venues) bid, ask and mid all take the midpoint.</li>
 *   <li>{@link #priority(List)}: the quote of the first source in the list that is fresh and not an outlier;
 *   sources not in the list follow in name order. Fail-over is automatic as sources go stale.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface AggregationPolicy {

    /** The median policy. */
    static AggregationPolicy median() {
        return Median.INSTANCE;
    }

    /** The best bid / best ask policy. */
    static AggregationPolicy best() {
        return Best.INSTANCE;
    }

    /**
     * The priority policy with fail-over.
     *
     * @param sources source ids, most preferred first; not empty, no duplicates
     */
    static AggregationPolicy priority(List<String> sources) {
        return new Priority(sources);
    }

    /** See {@link AggregationPolicy#median()}. */
    enum Median implements AggregationPolicy {
        /** The only instance. */
        INSTANCE
    }

    /** See {@link AggregationPolicy#best()}. */
    enum Best implements AggregationPolicy {
        /** The only instance. */
        INSTANCE
    }

    /**
     * See {@link AggregationPolicy#priority(List)}.
     *
     * @param sources source ids, most preferred first
     */
    record Priority(List<String> sources) implements AggregationPolicy {
        /** Validates the list: not empty, valid ids, no duplicates. */
        public Priority {
            Require.notNull("sources", sources);
            if (sources.isEmpty()) {
                throw new ValidationException("sources", "[]", "must name at least one source");
            }
            for (String s : sources) {
                Require.id("sources", s);
            }
            if (new LinkedHashSet<>(sources).size() != sources.size()) {
                throw new ValidationException("sources", sources, "must not repeat a source");
            }
            sources = List.copyOf(sources);
        }
    }
}
