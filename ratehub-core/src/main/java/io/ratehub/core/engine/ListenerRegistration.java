package io.ratehub.core.engine;

/**
 * A handle to an added {@link RateEventListener}; {@link #remove()} stops its deliveries. Thread-safe and
 * idempotent.
 */
@FunctionalInterface
public interface ListenerRegistration extends AutoCloseable {
    /** Stops deliveries to the listener. Calling it again does nothing. */
    void remove();

    /** Same as {@link #remove()}. */
    @Override
    default void close() {
        remove();
    }
}
