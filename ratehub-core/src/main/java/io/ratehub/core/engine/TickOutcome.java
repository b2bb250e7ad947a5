package io.ratehub.core.engine;

/** What {@link RateEngine#onQuote} did with a valid quote. */
public enum TickOutcome {
    /** The quote is the source's newest and fresh; the market was re-aggregated. */
    ACCEPTED,
    /** The quote was already older than the maximum source age when it arrived; it was recorded but is unused. */
    STALE_ON_ARRIVAL,
    /** The source already sent a newer quote for the pair; this one was ignored. */
    OUT_OF_ORDER
}
