package io.ratehub.core.hub;

/** The two kinds of channel, which differ in what a late or returning subscriber receives. */
public enum ChannelKind {
    /**
     * Keyed latest values (the market, a store's rates). A subscriber gets a snapshot, then changes; a slow one
     * gets the newest value per key (conflation), never an older one after a newer; a returning one gets what
     * changed since its position, or a fresh snapshot flagged as a reset.
     */
    STATE,
    /**
     * Every event, in order, once (alerts, locks, private messages, app events). A returning subscriber gets the
     * missed events replayed, or is told plainly which were lost when the history no longer reaches back.
     */
    EVENT
}
