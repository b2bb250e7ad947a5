package io.ratehub.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import io.ratehub.core.protocol.AuthenticationException;
import io.ratehub.core.protocol.Authenticator;
import io.ratehub.core.protocol.Credentials;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.Role;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Authenticates JSON Web Tokens signed with HS256 (a shared secret) or RS256 (an RSA public key), through the
 * Nimbus JOSE+JWT library.
 *
 * <p>A token is accepted when its signature verifies with the configured key and algorithm (no other algorithm,
 * never {@code none}), it has an {@code exp} that has not passed, its {@code nbf} (if any) has passed, and its
 * {@code iss} and {@code aud} match the configured ones (when configured), all with the configured clock skew. The
 * principal comes from the claims: {@code sub} is the id, {@code role} one of {@code admin}, {@code manager},
 * {@code terminal}, {@code viewer}, and {@code stores} a list of store ids.
 *
 * <p>Immutable and thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {
    /** Default tolerance for {@code exp} and {@code nbf}: 30 seconds. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    private final JWSAlgorithm algorithm;
    private final JWSVerifier verifier;
    private final String issuer;
    private final String audience;
    private final Duration skew;
    private final Clock clock;

    private JwtAuthenticator(Builder b) {
        this.algorithm = b.algorithm;
        this.verifier = b.verifier;
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.skew = b.skew;
        this.clock = b.clock;
    }

    /** A builder; a key ({@link Builder#hmacSecret} or {@link Builder#rsaPublicKey}) is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (credentials.scheme() != Credentials.Scheme.BEARER) {
            throw new AuthenticationException("not a bearer token");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(credentials.secret());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AuthenticationException("malformed token");
        }
        if (!algorithm.equals(jwt.getHeader().getAlgorithm())) {
            throw new AuthenticationException("token algorithm must be " + algorithm);
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new AuthenticationException("bad token signature");
            }
        } catch (JOSEException e) {
            throw new AuthenticationException("bad token signature");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new AuthenticationException("token has no expiry (exp)");
        }
        if (now.minus(skew).isAfter(exp.toInstant())) {
            throw new AuthenticationException("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw new AuthenticationException("token not yet valid (nbf)");
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new AuthenticationException("token issuer not accepted");
        }
        if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
            throw new AuthenticationException("token audience not accepted");
        }
        return principal(claims);
    }

    private static Principal principal(JWTClaimsSet claims) {
        try {
            String sub = claims.getSubject();
            String role = claims.getStringClaim("role");
            if (sub == null || role == null) {
                throw new AuthenticationException("token needs sub and role claims");
            }
            List<String> stores = claims.getStringListClaim("stores");
            Set<String> storeSet = stores == null ? Set.of() : new HashSet<>(stores);
            return new Principal(sub, Role.valueOf(role.toUpperCase(Locale.ROOT)), storeSet);
        } catch (ParseException | IllegalArgumentException | ValidationException e) {
            throw new AuthenticationException("token claims invalid: " + e.getMessage());
        }
    }

    /** Builds a {@link JwtAuthenticator}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private JWSAlgorithm algorithm;
        private JWSVerifier verifier;
        private String issuer;
        private String audience;
        private Duration skew = DEFAULT_CLOCK_SKEW;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Verify HS256 with this secret (at least 32 bytes). */
        public Builder hmacSecret(byte[] secret) {
            Require.notNull("secret", secret);
            try {
                this.verifier = new MACVerifier(secret);
            } catch (JOSEException e) {
                throw new ValidationException("secret", "(hidden)", "must be at least 32 bytes for HS256");
            }
            this.algorithm = JWSAlgorithm.HS256;
            return this;
        }

        /** Verify RS256 with this public key. */
        public Builder rsaPublicKey(RSAPublicKey key) {
            this.verifier = new RSASSAVerifier(Require.notNull("key", key));
            this.algorithm = JWSAlgorithm.RS256;
            return this;
        }

        /** The required {@code iss}. Default: not checked. */
        public Builder issuer(String iss) {
            this.issuer = Require.text("issuer", iss);
            return this;
        }

        /** The required {@code aud} member. Default: not checked. */
        public Builder audience(String aud) {
            this.audience = Require.text("audience", aud);
            return this;
        }

        /** Tolerance for {@code exp} and {@code nbf}. Default {@link #DEFAULT_CLOCK_SKEW}. */
        public Builder clockSkew(Duration d) {
            Require.notNull("clockSkew", d);
            if (d.isNegative()) {
                throw new ValidationException("clockSkew", d, "must be >= 0");
            }
            this.skew = d;
            return this;
        }

        /** Time for {@code exp} and {@code nbf}. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock c) {
            this.clock = Require.notNull("clock", c);
            return this;
        }

        /** The authenticator. */
        public JwtAuthenticator build() {
            if (verifier == null) {
                throw new ValidationException("key", null, "give hmacSecret or rsaPublicKey");
            }
            return new JwtAuthenticator(this);
        }
    }
}
