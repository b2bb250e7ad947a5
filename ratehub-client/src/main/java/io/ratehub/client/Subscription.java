package io.ratehub.client;

import java.util.concurrent.CompletableFuture;

/** A subscription handle. Thread-safe. */
public interface Subscription extends AutoCloseable {
    /** Unsubscribes and stops the listener. Idempotent. */
    void cancel();

    /**
     * Completes when the server has acknowledged the subscription for the first time (its snapshot or replay is on
     * the way and every later update will be delivered), exceptionally if the client closes first.
     */
    CompletableFuture<Void> ready();

    /** Same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
