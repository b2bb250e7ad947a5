package io.ratehub.core.protocol;

import io.ratehub.core.internal.Require;

/**
 * What a client presented to prove who it is: a bearer token (a JWT) or an API key, from the WebSocket handshake
 * headers or from the first {@code auth} message, together with the connection's origin and remote address.
 *
 * <p>{@link #toString()} never shows the secret. Immutable and thread-safe.
 *
 * @param scheme how the secret was presented
 * @param secret the token or key
 * @param remoteAddress the peer's address, or {@code null} when unknown (in-memory)
 */
public record Credentials(Scheme scheme, String secret, String remoteAddress) {
    /** How a secret was presented. */
    public enum Scheme {
        /** {@code Authorization: Bearer <token>} or an {@code auth} message's {@code token}. */
        BEARER,
        /** {@code X-Api-Key: <key>} or an {@code auth} message's {@code apiKey}. */
        API_KEY
    }

    /** Validates that scheme and secret are present and the secret is at most 8 KiB. */
    public Credentials {
        Require.notNull("scheme", scheme);
        Require.notNull("secret", secret);
        if (secret.isEmpty() || secret.length() > 8192) {
            throw new io.ratehub.core.ValidationException("token", "(hidden)", "must be 1-8192 characters");
        }
    }

    @Override
    public String toString() {
        return "Credentials[" + scheme + ", secret=(hidden), remoteAddress=" + remoteAddress + "]";
    }
}
