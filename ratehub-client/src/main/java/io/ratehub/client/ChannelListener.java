package io.ratehub.client;

/**
 * Receives what a subscription delivers. Called on the client's listener executor, one call at a time, in order;
 * never on an I/O thread. An exception it throws is logged and does not affect the client.
 *
 * @param <T> what an update carries: a {@link io.ratehub.core.event.RateEvent} for ratehub's channels, a JSON tree
 *     for application and private channels
 */
@FunctionalInterface
public interface ChannelListener<T> {
    /** One update, delivered once, in order. */
    void onUpdate(T value);

    /**
     * Event channels: updates {@code fromSeq}..{@code toSeq} were lost for good (the server's history no longer
     * reached back when the client recovered). Both are 0 when the server restarted (a new epoch) and what was lost
     * is unknown. Default: nothing.
     */
    default void onGap(String channel, long fromSeq, long toSeq) {
    }

    /**
     * State channels: the client's view was replaced by a fresh snapshot (its position was too old); keys not
     * delivered again are gone. Default: nothing.
     */
    default void onReset(String channel) {
    }
}
