package io.ratehub.core;

/**
 * A decision needed a live rate and the rate was stale (no fresh market source). Nothing was changed.
 *
 * <p>Immutable and thread-safe.
 */
public class StaleRateException extends RateHubException {
    private static final long serialVersionUID = 1L;

    /** @param message names the store and pair whose rate is stale */
    public StaleRateException(String message) {
        super(ErrorCode.STALE_RATE, message);
    }
}
