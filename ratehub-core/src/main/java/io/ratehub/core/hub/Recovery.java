package io.ratehub.core.hub;

/** What a subscription sent first, before live updates. */
public enum Recovery {
    /** State channel, no position given: the current value of every key. */
    SNAPSHOT,
    /** State channel, position within history: the current value of every key changed since the position. */
    DELTA,
    /**
     * State channel, position too old or from another epoch: a full snapshot; the subscriber must drop every key
     * it holds that the snapshot does not contain.
     */
    RESET,
    /** Event channel, no position given: nothing; live events follow. */
    LIVE,
    /** Event channel, position within history: every event after the position, in order (possibly none). */
    REPLAY,
    /**
     * Event channel, position too old or from another epoch: some events were lost (see
     * {@link SubscribeResult#lostFrom()}); the events still held are replayed.
     */
    LOST
}
