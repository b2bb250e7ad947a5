package io.ratehub.core.hub;

import java.util.function.Consumer;

/**
 * The transport side of a {@link HubSession}: where its frames go. The Tyrus server and the in-memory testkit each
 * implement it.
 *
 * <p>The hub calls {@link #send} with at most one frame in flight per session and sends the next only after
 * {@code done} was called, so a transport never has to buffer. Implementations must be thread-safe: {@code send}
 * and {@code close} may be called from any thread.
 */
public interface Outbound {
    /**
     * Sends one text frame asynchronously.
     *
     * @param frame the frame's text
     * @param done to be called exactly once: with {@code null} when the frame was written, or with the failure
     */
    void send(String frame, Consumer<Throwable> done);

    /**
     * Closes the connection with a WebSocket close code and reason (for example {@link HubSession#SLOW_CONSUMER}).
     * Called at most once by the hub.
     */
    void close(int code, String reason);
}
