package io.ratehub.client;

import java.time.Duration;

/**
 * Where a {@link RateHubClient}'s connection stands.
 *
 * <p>Immutable and thread-safe.
 *
 * @param status the status
 * @param attempt with {@link Status#RECONNECTING}: the number of the next attempt (1 for the first retry)
 * @param nextDelay with {@link Status#RECONNECTING}: the wait before that attempt
 * @param closeCode the close code that ended the last link (0 when none)
 * @param reason why the client is not connected, or {@code null}
 */
public record ConnectionState(Status status, int attempt, Duration nextDelay, int closeCode, String reason) {
    /** The connection's status. */
    public enum Status {
        /** Opening the first link. */
        CONNECTING,
        /** Authenticated; subscriptions are live. */
        CONNECTED,
        /** The link was lost; a new one opens after {@link ConnectionState#nextDelay()}. */
        RECONNECTING,
        /** Closed for good: by {@link RateHubClient#close()}, refused credentials, or the attempt limit. */
        CLOSED
    }

    static ConnectionState connecting() {
        return new ConnectionState(Status.CONNECTING, 0, Duration.ZERO, 0, null);
    }

    static ConnectionState connected() {
        return new ConnectionState(Status.CONNECTED, 0, Duration.ZERO, 0, null);
    }

    static ConnectionState reconnecting(int attempt, Duration delay, int code, String reason) {
        return new ConnectionState(Status.RECONNECTING, attempt, delay, code, reason);
    }

    static ConnectionState closed(int code, String reason) {
        return new ConnectionState(Status.CLOSED, 0, Duration.ZERO, code, reason);
    }
}
