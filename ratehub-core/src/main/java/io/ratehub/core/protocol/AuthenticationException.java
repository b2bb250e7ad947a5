package io.ratehub.core.protocol;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;

/**
 * Credentials were missing, malformed, expired or refused. The message says why in terms safe to show the
 * client; it never contains the secret. Immutable and thread-safe.
 */
public class AuthenticationException extends RateHubException {
    private static final long serialVersionUID = 1L;

    /** @param message why, without the secret */
    public AuthenticationException(String message) {
        super(ErrorCode.UNAUTHENTICATED, message);
    }

    /**
     * @param message why, without the secret
     * @param cause the underlying failure
     */
    public AuthenticationException(String message, Throwable cause) {
        super(ErrorCode.UNAUTHENTICATED, message, cause);
    }
}
