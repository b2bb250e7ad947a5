package io.ratehub.core.model;

/**
 * The store's side of a transaction in the pair's base currency.
 */
public enum Side {
    /** The store buys the base currency from the customer at the store's buy rate (the lower one). */
    BUY,
    /** The store sells the base currency to the customer at the store's sell rate (the higher one). */
    SELL
}
