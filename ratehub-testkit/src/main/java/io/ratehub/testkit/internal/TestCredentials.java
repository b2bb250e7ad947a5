package io.ratehub.testkit.internal;

import io.ratehub.core.internal.Require;
import io.ratehub.core.protocol.AuthenticationException;
import io.ratehub.core.protocol.Authenticator;
import io.ratehub.core.protocol.Credentials;
import io.ratehub.core.protocol.Principal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The kit's credentials: an API key minted per principal, and the authenticator that accepts exactly those. */
public final class TestCredentials implements Authenticator {
    private final Map<String, Principal> keys = new ConcurrentHashMap<>();

    /** A new key for {@code principal}. */
    public String keyFor(Principal principal) {
        String key = "test-" + UUID.randomUUID();
        keys.put(key, Require.notNull("principal", principal));
        return key;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        Principal p = keys.get(credentials.secret());
        if (p == null) {
            throw new AuthenticationException("unknown credentials");
        }
        return p;
    }
}
