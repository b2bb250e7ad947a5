package io.ratehub.core.model;

/** What a store rate was derived from. */
public enum RateBasis {
    /** The aggregated market mid with the store's spread rule. */
    MARKET,
    /** An explicit override set by a named actor. */
    OVERRIDE
}
