package io.ratehub.core.protocol;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.time.Duration;

/**
 * Per-connection protocol limits. Immutable and thread-safe; build with {@link #builder()}.
 */
public final class ProtocolSettings {
    /** Default time a connection has to authenticate: 5 seconds. */
    public static final Duration DEFAULT_AUTH_DEADLINE = Duration.ofSeconds(5);
    /** Default messages a connection may send per minute (sustained): 100. */
    public static final int DEFAULT_MESSAGES_PER_MINUTE = 100;
    /** Default burst of messages above the sustained rate: 100. */
    public static final int DEFAULT_MESSAGE_BURST = 100;
    /** Default most subscriptions per connection: 100. */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 100;
    /** Default messages refused for rate before the connection is closed with 4029: 20. */
    public static final int DEFAULT_MAX_RATE_STRIKES = 20;

    private final Duration authDeadline;
    private final int messagesPerMinute;
    private final int messageBurst;
    private final int maxSubscriptions;
    private final int maxRateStrikes;

    private ProtocolSettings(Builder b) {
        this.authDeadline = b.authDeadline;
        this.messagesPerMinute = b.messagesPerMinute;
        this.messageBurst = b.messageBurst;
        this.maxSubscriptions = b.maxSubscriptions;
        this.maxRateStrikes = b.maxRateStrikes;
    }

    /** The defaults. */
    public static ProtocolSettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Time a connection has to authenticate before it is closed with 4001. */
    public Duration authDeadline() {
        return authDeadline;
    }

    /** Sustained messages per minute per connection. */
    public int messagesPerMinute() {
        return messagesPerMinute;
    }

    /** Burst of messages per connection. */
    public int messageBurst() {
        return messageBurst;
    }

    /** Most subscriptions per connection. */
    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    /** Messages refused for rate before the connection is closed. */
    public int maxRateStrikes() {
        return maxRateStrikes;
    }

    /** Builds {@link ProtocolSettings}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private Duration authDeadline = DEFAULT_AUTH_DEADLINE;
        private int messagesPerMinute = DEFAULT_MESSAGES_PER_MINUTE;
        private int messageBurst = DEFAULT_MESSAGE_BURST;
        private int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
        private int maxRateStrikes = DEFAULT_MAX_RATE_STRIKES;

        private Builder() {
        }

        /** Default {@link #DEFAULT_AUTH_DEADLINE}. */
        public Builder authDeadline(Duration d) {
            this.authDeadline = Require.positive("authDeadline", d);
            return this;
        }

        /** Default {@link #DEFAULT_MESSAGES_PER_MINUTE}. */
        public Builder messagesPerMinute(int n) {
            this.messagesPerMinute = atLeastOne("messagesPerMinute", n);
            return this;
        }

        /** Default {@link #DEFAULT_MESSAGE_BURST}. */
        public Builder messageBurst(int n) {
            this.messageBurst = atLeastOne("messageBurst", n);
            return this;
        }

        /** Default {@link #DEFAULT_MAX_SUBSCRIPTIONS}. */
        public Builder maxSubscriptions(int n) {
            this.maxSubscriptions = atLeastOne("maxSubscriptions", n);
            return this;
        }

        /** Default {@link #DEFAULT_MAX_RATE_STRIKES}. */
        public Builder maxRateStrikes(int n) {
            this.maxRateStrikes = atLeastOne("maxRateStrikes", n);
            return this;
        }

        private static int atLeastOne(String field, int n) {
            if (n < 1) {
                throw new ValidationException(field, n, "must be >= 1");
            }
            return n;
        }

        /** The settings. */
        public ProtocolSettings build() {
            return new ProtocolSettings(this);
        }
    }
}
