package io.ratehub.client;

import java.util.concurrent.CompletableFuture;

/** A subscription handle. Thread-safe. */
public interface Subscription extends AutoCloseable {
    /** Unsubscribes and stops the listener. Idempotent. */
    void cancel();

    /**
     * Completes when the subscription has been acknowledged by the server for the first time <b>and its catch-up
     * has been applied</b>: the {@code count} updates announced by {@code subscribed} (the snapshot, delta or
     * replay) are in the client's rate cache and have been handed to the listeners, so that, for a store's rates,
     * {@link RateHubClient#rate} answers for every pair the store quotes. Every later update is delivered too.
     * Completes exceptionally with the server's {@link io.ratehub.core.RateHubException} when the server refuses
     * the subscription (for example {@code forbidden}), or when the client closes first. A listener added to a
     * channel that is already subscribed gets the future of the channel's first subscription.
     */
    CompletableFuture<Void> ready();

    /** Same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
