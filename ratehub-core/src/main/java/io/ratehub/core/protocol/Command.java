package io.ratehub.core.protocol;

/** The commands a client can send, by their wire {@code op}. */
public enum Command {
    /** Set a store's spread rule for a pair. */
    SET_SPREAD("set_spread"),
    /** Stop a store quoting a pair. */
    REMOVE_SPREAD("remove_spread"),
    /** Set a store's rate for a pair by hand. */
    SET_OVERRIDE("set_override"),
    /** Clear a store's override. */
    CLEAR_OVERRIDE("clear_override"),
    /** Set an alert rule. */
    SET_THRESHOLD("set_threshold"),
    /** Remove an alert rule. */
    REMOVE_THRESHOLD("remove_threshold"),
    /** Lock a store rate for a customer transaction. */
    LOCK("lock"),
    /** Complete a rate lock. */
    COMPLETE_LOCK("complete_lock"),
    /** Cancel a rate lock. */
    CANCEL_LOCK("cancel_lock"),
    /** An application-defined request (see {@link AppRequestHandler}). */
    REQUEST("request");

    private final String op;

    Command(String op) {
        this.op = op;
    }

    /** The wire name. */
    public String op() {
        return op;
    }

    /** Whether the command changes how a store prices (spreads, overrides, alert rules). */
    public boolean isPricing() {
        return ordinal() <= REMOVE_THRESHOLD.ordinal();
    }

    /** Whether the command handles rate locks. */
    public boolean isLock() {
        return this == LOCK || this == COMPLETE_LOCK || this == CANCEL_LOCK;
    }

    /** The command of a wire name, or {@code null}. */
    public static Command ofOp(String op) {
        for (Command c : values()) {
            if (c.op.equals(op)) {
                return c;
            }
        }
        return null;
    }
}
