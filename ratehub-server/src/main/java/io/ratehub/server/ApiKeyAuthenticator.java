package io.ratehub.server;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import io.ratehub.core.protocol.AuthenticationException;
import io.ratehub.core.protocol.Authenticator;
import io.ratehub.core.protocol.Credentials;
import io.ratehub.core.protocol.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Authenticates API keys ({@code X-Api-Key} header or {@code apiKey} in the {@code auth} message). Keys are kept
 * only as SHA-256 hashes; configure them from hashes ({@link Builder#keyHash}) so that the plain keys never sit in
 * the application's configuration. API keys are long random secrets, for which a fast hash is the usual choice.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKeyAuthenticator implements Authenticator {
    private final Map<String, Principal> byHash;

    private ApiKeyAuthenticator(Map<String, Principal> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /** A builder with no keys. */
    public static Builder builder() {
        return new Builder();
    }

    /** The hex SHA-256 of a key, as {@link Builder#keyHash} expects it. */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (credentials.scheme() != Credentials.Scheme.API_KEY) {
            throw new AuthenticationException("not an API key");
        }
        Principal p = byHash.get(hash(credentials.secret()));
        if (p == null) {
            throw new AuthenticationException("unknown API key");
        }
        return p;
    }

    /** Builds an {@link ApiKeyAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Principal> byHash = new HashMap<>();

        private Builder() {
        }

        /** Accepts {@code key} (at least 16 characters) as {@code principal}; only its hash is kept. */
        public Builder key(String key, Principal principal) {
            Require.notNull("key", key);
            if (key.length() < 16) {
                throw new ValidationException("key", "(hidden)", "must be at least 16 characters");
            }
            return keyHash(hash(key), principal);
        }

        /** Accepts the key whose hex SHA-256 is {@code sha256Hex} as {@code principal}. */
        public Builder keyHash(String sha256Hex, Principal principal) {
            Require.notNull("keyHash", sha256Hex);
            if (!sha256Hex.matches("[0-9a-fA-F]{64}")) {
                throw new ValidationException("keyHash", sha256Hex, "must be 64 hex digits");
            }
            byHash.put(sha256Hex.toLowerCase(java.util.Locale.ROOT), Require.notNull("principal", principal));
            return this;
        }

        /** The authenticator. */
        public ApiKeyAuthenticator build() {
            return new ApiKeyAuthenticator(byHash);
        }
    }
}
