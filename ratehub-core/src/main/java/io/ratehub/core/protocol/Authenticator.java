package io.ratehub.core.protocol;

/**
 * Turns credentials into a {@link Principal}. The server ships API-key and JWT authenticators; an embedding
 * application plugs in its own scheme by implementing this.
 *
 * <p>Implementations must be thread-safe; they are called on the connection's I/O thread and should be quick.
 */
@FunctionalInterface
public interface Authenticator {
    /**
     * @return the authenticated principal
     * @throws AuthenticationException when the credentials are refused (the message is shown to the client)
     */
    Principal authenticate(Credentials credentials);

    /** The first of {@code authenticators} that accepts the credentials' scheme and does not refuse them. */
    static Authenticator firstOf(Authenticator... authenticators) {
        return credentials -> {
            AuthenticationException last = null;
            for (Authenticator a : authenticators) {
                try {
                    return a.authenticate(credentials);
                } catch (AuthenticationException e) {
                    last = e;
                }
            }
            throw last != null ? last : new AuthenticationException("no authenticator configured");
        };
    }
}
