package io.ratehub.client;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link RateHubClient} reaches a server: the Tyrus WebSocket transport by default, an in-memory one in
 * {@code ratehub-testkit}. Implementations must be thread-safe.
 */
public interface ClientTransport {
    /**
     * Opens a link.
     *
     * @param uri the server's WebSocket URI
     * @param headers handshake headers (credentials), possibly empty
     * @param listener receives the link's messages and its end; called on any thread, one call at a time
     * @return completes with the open link, or exceptionally when it could not be opened
     */
    CompletableFuture<Link> open(URI uri, Map<String, String> headers, Listener listener);

    /** An open link. */
    interface Link {
        /** Sends one text message; completes when written, exceptionally when it could not be. */
        CompletableFuture<Void> send(String text);

        /**
         * Sends a WebSocket ping control frame, whose pong the peer sends back by itself and which arrives at
         * {@link Listener#onPong()}. Pings keep an idle link audible so that the client can bound how long it
         * trusts its rates (see {@link RateHubClient.Builder#livenessTimeout}); unlike {@code {"op":"ping"}}
         * messages they do not count towards the server's message limit.
         *
         * @return true when the ping was sent (or its failure will show as the link ending); false when this
         *     transport cannot send pings, and the client sends {@code {"op":"ping"}} messages instead. Default:
         *     false.
         * @since 0.1
         */
        default boolean ping() {
            return false;
        }

        /** Closes the link with a WebSocket close code; the listener's {@code onClosed} follows. */
        void close(int code, String reason);
    }

    /** Receives a link's messages. */
    interface Listener {
        /** One text message. */
        void onText(String text);

        /**
         * A pong control frame arrived (normally the answer to {@link Link#ping()}): the link is alive. Default:
         * nothing.
         *
         * @since 0.1
         */
        default void onPong() {
        }

        /** The link ended (closed by either side, or failed: code 1006). Called once. */
        void onClosed(int code, String reason);
    }
}
