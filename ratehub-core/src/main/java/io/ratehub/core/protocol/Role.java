package io.ratehub.core.protocol;

/** What a {@link Principal} may do; see {@link Authorizer#roles()} for the exact rules. */
public enum Role {
    /** Everything: every channel, every command, every store. */
    ADMIN,
    /** Reads the market and its stores' channels; sets their spreads, overrides and alert rules; handles locks. */
    MANAGER,
    /** A counter terminal of one store: reads the market and its store's channels; creates and closes locks. */
    TERMINAL,
    /** Reads the market and its stores' channels; changes nothing. */
    VIEWER
}
