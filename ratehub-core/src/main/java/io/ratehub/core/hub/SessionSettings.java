package io.ratehub.core.hub;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.time.Duration;

/**
 * How the hub feeds one session: the batching window, whether queued rates conflate, the bound of its queue, and the
 * size of a batch.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}, vary with {@link #mutate()}.
 */
public final class SessionSettings {
    /** Default batching window: 0, every update is sent as soon as the previous frame is written. */
    public static final Duration DEFAULT_BATCH_WINDOW = Duration.ZERO;
    /** Default bound on queued event-channel updates before the session is cut off: 10,000. */
    public static final int DEFAULT_MAX_QUEUED_EVENTS = 10_000;
    /** Default most updates in one frame: 500. */
    public static final int DEFAULT_MAX_BATCH = 500;

    private final Duration batchWindow;
    private final boolean conflation;
    private final int maxQueuedEvents;
    private final int maxBatch;

    private SessionSettings(Builder b) {
        this.batchWindow = b.batchWindow;
        this.conflation = b.conflation;
        this.maxQueuedEvents = b.maxQueuedEvents;
        this.maxBatch = b.maxBatch;
    }

    /** The defaults. */
    public static SessionSettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder mutate() {
        return new Builder().batchWindow(batchWindow).conflation(conflation).maxQueuedEvents(maxQueuedEvents)
                .maxBatch(maxBatch);
    }

    /** The batching window; zero sends at once. */
    public Duration batchWindow() {
        return batchWindow;
    }

    /** Whether a queued value of a state key is replaced by a newer one (see {@link Builder#conflation(boolean)}). */
    public boolean conflation() {
        return conflation;
    }

    /** The bound on queued event-channel updates (and, without conflation, on state values kept one by one). */
    public int maxQueuedEvents() {
        return maxQueuedEvents;
    }

    /** The most updates in one frame. */
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public String toString() {
        return "SessionSettings[batchWindow=" + batchWindow + ", conflation=" + conflation
                + ", maxQueuedEvents=" + maxQueuedEvents
                + ", maxBatch=" + maxBatch + "]";
    }

    /** Builds {@link SessionSettings}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private Duration batchWindow = DEFAULT_BATCH_WINDOW;
        private boolean conflation = true;
        private int maxQueuedEvents = DEFAULT_MAX_QUEUED_EVENTS;
        private int maxBatch = DEFAULT_MAX_BATCH;

        private Builder() {
        }

        /**
         * Collect updates for this long and send them as one frame; zero sends each as soon as the previous frame
         * is written (updates that arrive meanwhile still share the next frame). At most 10 seconds. Default
         * {@link #DEFAULT_BATCH_WINDOW}.
         */
        public Builder batchWindow(Duration d) {
            Require.notNull("batchWindow", d);
            if (d.isNegative() || d.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new ValidationException("batchWindow", d, "must be between 0 and 10 seconds");
            }
            this.batchWindow = d;
            return this;
        }

        /**
         * Whether state channels (rates, market) conflate in the queue. {@code true} (the default): a newer value
         * of a key replaces its queued older one, so a subscriber that falls behind, or waits out a batching window,
         * gets the newest rate and never a superseded one, and its queue holds at most one value per key.
         * {@code false}: every value is queued and sent, in order (for consumers that record every tick), while fewer
         * than {@link #maxQueuedEvents(int)} of them are queued; past that, values conflate as with {@code true}
         * (counted apart from events: rates never cut a session off).
         */
        public Builder conflation(boolean on) {
            this.conflation = on;
            return this;
        }

        /**
         * Queued event-channel updates beyond this cut the session off with {@link HubSession#SLOW_CONSUMER}; it
         * recovers from history when it comes back. Without {@link #conflation(boolean)}, also the most state values
         * kept one by one (counted apart; past it they conflate). With conflation, state channels need no bound:
         * they keep one value per key. Default {@link #DEFAULT_MAX_QUEUED_EVENTS}.
         */
        public Builder maxQueuedEvents(int n) {
            if (n < 1) {
                throw new ValidationException("maxQueuedEvents", n, "must be >= 1");
            }
            this.maxQueuedEvents = n;
            return this;
        }

        /** The most updates in one frame. Default {@link #DEFAULT_MAX_BATCH}. */
        public Builder maxBatch(int n) {
            if (n < 1) {
                throw new ValidationException("maxBatch", n, "must be >= 1");
            }
            this.maxBatch = n;
            return this;
        }

        /** The settings. */
        public SessionSettings build() {
            return new SessionSettings(this);
        }
    }
}
