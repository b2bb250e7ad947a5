package io.ratehub.core.engine;

import io.ratehub.core.event.RateEvent;

/**
 * Receives the engine's events.
 *
 * <p><b>Threading:</b> called synchronously on the thread that caused the change (the thread that called
 * {@link RateEngine#onQuote}, a command method, or {@link RateEngine#runDueTimers()}), while the engine holds the
 * state of the pair or lock concerned. Events of one pair, and of one lock, therefore arrive in order. A listener
 * must be fast and must not block (hand the event to a queue, as the hub does). It may read the engine (reads take no
 * locks) but must not run commands from the listening thread. An exception it throws is logged
 * and does not affect the engine or other listeners.
 */
@FunctionalInterface
public interface RateEventListener {
    /** Called for each event; see the type's documentation for threading. */
    void onEvent(RateEvent event);
}
