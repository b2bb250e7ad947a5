package io.ratehub.core;

/**
 * Stable error codes carried by every {@link RateHubException}. The wire form ({@link #wireName()}) is what
 * the protocol sends in error frames and HTTP error bodies; it never changes once published.
 *
 * <p>Immutable and thread-safe.
 */
public enum ErrorCode {
    /** A field is missing, malformed or out of range; the exception names the field and the value. */
    INVALID_ARGUMENT("invalid_argument"),
    /** A currency code or pair is not known to the catalog, or has no market rate yet. */
    UNKNOWN_PAIR("unknown_pair"),
    /** The store has no pricing rule for the pair, so it quotes no rate. */
    UNKNOWN_STORE_RATE("unknown_store_rate"),
    /** The rate needed is stale (no fresh market source) and cannot be used for a decision. */
    STALE_RATE("stale_rate"),
    /** An override is further from the market than allowed and was not forced. */
    OVERRIDE_DEVIATION("override_deviation"),
    /** No rate lock with that id exists. */
    LOCK_NOT_FOUND("lock_not_found"),
    /** The rate lock expired before the request. */
    LOCK_EXPIRED("lock_expired"),
    /** The rate lock was cancelled before the request. */
    LOCK_CANCELLED("lock_cancelled"),
    /** The rate lock was already completed with a different transaction reference. */
    LOCK_ALREADY_COMPLETED("lock_already_completed"),
    /** The audit trail could not durably record the decision, so the decision was not made. */
    AUDIT_FAILURE("audit_failure"),
    /** The audit trail's file is not a valid audit log or is closed. */
    AUDIT_CORRUPT("audit_corrupt"),
    /** No valid credentials were presented, or they were refused. */
    UNAUTHENTICATED("unauthenticated"),
    /** The principal may not read that channel or run that command. */
    FORBIDDEN("forbidden"),
    /** The connection sent more messages than its rate allows; the message was dropped. */
    RATE_LIMITED("rate_limited"),
    /** A configured limit (subscriptions, connections) was reached. */
    LIMIT_EXCEEDED("limit_exceeded"),
    /** The message was not valid JSON, or not a JSON object. */
    INVALID_JSON("invalid_json"),
    /** The message's {@code op} is not one the protocol knows. */
    UNKNOWN_OP("unknown_op"),
    /** The server failed while handling a valid request; nothing was changed. */
    INTERNAL("internal"),
    /** Client side: the request was not sent because the client is not connected. */
    NOT_CONNECTED("not_connected"),
    /**
     * Client side: the connection was lost after the request was sent and before its reply; whether it took effect
     * is unknown (repeat a lock with the same request id to find out safely).
     */
    CONNECTION_LOST("connection_lost"),
    /** Client side: no reply within the request timeout; whether it took effect is unknown. */
    TIMEOUT("timeout");

    /** The code of a wire name, or {@link #INTERNAL} for one this version does not know. */
    public static ErrorCode ofWireName(String wireName) {
        for (ErrorCode c : values()) {
            if (c.wireName.equals(wireName)) {
                return c;
            }
        }
        return INTERNAL;
    }

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The code as it appears on the wire, for example {@code "lock_expired"}. */
    public String wireName() {
        return wireName;
    }
}
