package io.ratehub.testkit;

import java.time.Duration;

/**
 * Fault injection on one client's in-memory link(s), as a flaky network would do it. Applies to the client's
 * current link and to every link it opens later, until changed.
 *
 * <p>Thread-safe.
 */
public interface Network {
    /** Silently loses every message in both directions (a dead link that does not close), or stops doing so. */
    void drop(boolean on);

    /** Delays every message in both directions by {@code d} of virtual time ({@link Duration#ZERO}: none). */
    void delay(Duration d);

    /** Cuts the current link: both sides see it close with 1006, as when a cable is pulled. */
    void disconnect();

    /** Refuses new links (the server is unreachable) until turned off. */
    void refuseConnections(boolean on);

    /** How many links the client has opened so far. */
    int linksOpened();

    /**
     * How many of the client's WebSocket pings reached the server side and were answered with a pong (pongs still
     * travel back, and can be dropped or delayed on the way).
     *
     * @since 0.1
     */
    int pingsAnswered();
}
