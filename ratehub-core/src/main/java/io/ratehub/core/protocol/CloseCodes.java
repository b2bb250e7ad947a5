package io.ratehub.core.protocol;

/** The WebSocket close codes ratehub uses; docs/PROTOCOL.md explains each and what a client should do. */
public final class CloseCodes {
    /** Normal closure. */
    public static final int NORMAL = 1000;
    /** The server is shutting down; reconnect later. */
    public static final int GOING_AWAY = 1001;
    /** A text frame was not valid UTF-8 (sent by the WebSocket container). */
    public static final int INVALID_PAYLOAD = 1007;
    /** A frame was larger than the server accepts. */
    public static final int TOO_BIG = 1009;
    /** The server failed. */
    public static final int INTERNAL_ERROR = 1011;
    /** A connection limit was reached; try again later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Not authenticated: credentials refused or the deadline passed. Do not reconnect with the same credentials. */
    public static final int UNAUTHENTICATED = 4001;
    /** The connection did not keep up with its event channels; reconnect and recover from your position. */
    public static final int SLOW_CONSUMER = 4008;
    /** No message or pong within the heartbeat timeout. */
    public static final int HEARTBEAT_TIMEOUT = 4009;
    /** Too many messages refused for rate; slow down before reconnecting. */
    public static final int RATE_LIMITED = 4029;

    private CloseCodes() {
    }
}
