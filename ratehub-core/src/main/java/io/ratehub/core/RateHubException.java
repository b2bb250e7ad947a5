package io.ratehub.core;

import java.util.Objects;

/**
 * Root of every exception ratehub throws on purpose. Unchecked; each carries a stable {@link ErrorCode} that
 * matches the codes in the wire protocol, so a caller can branch on {@link #code()} rather than on the class.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public class RateHubException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code the stable error code
     * @param message a human-readable message that names what was wrong
     */
    public RateHubException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @param code the stable error code
     * @param message a human-readable message that names what was wrong
     * @param cause the underlying failure
     */
    public RateHubException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The stable error code of this failure. */
    public ErrorCode code() {
        return code;
    }
}
