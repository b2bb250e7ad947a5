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
 * principal comes from the claims: its id is {@code sub} behind the {@linkplain Builder#subjectPrefix subject prefix}
 * ({@code jwt:} by default, so the token subject {@code alice} is the principal {@code jwt:alice}), {@code role} is
 * one of {@code admin}, {@code manager}, {@code terminal}, {@code viewer}, and {@code stores} a list of store ids.
 *
 * <p>The prefix keeps the token issuer's names apart from every other authenticator's: without it a token with
 * {@code sub: admin} would be the same principal as an API key's {@code admin}, read that principal's private
 * channel {@code user:admin} and act under its name in the audit trail. The prefixed id is the one used everywhere:
 * the {@code welcome} message, {@code user:<id>} channels ({@code user:jwt:alice};
 * {@code hub.sendToUser("jwt:alice", ...)}), the audit trail's actor and the per-principal connection limit.
 *
 * <p>Immutable and thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {
    /** Default tolerance for {@code exp} and {@code nbf}: 30 seconds. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Default prefix of the principal ids made from token subjects: {@code jwt:}. */
    public static final String DEFAULT_SUBJECT_PREFIX = "jwt:";

    private static final java.util.Map<String, Role> ROLES = java.util.Map.of("admin", Role.ADMIN,
            "manager", Role.MANAGER, "terminal", Role.TERMINAL, "viewer", Role.VIEWER);
    private static final String ROLE_NAMES = "admin, manager, terminal, viewer";

    private final JWSAlgorithm algorithm;
    private final JWSVerifier verifier;
    private final String issuer;
    private final String audience;
    private final Duration skew;
    private final Clock clock;
    private final String subjectPrefix;

    private JwtAuthenticator(Builder b) {
        this.algorithm = b.algorithm;
        this.verifier = b.verifier;
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.skew = b.skew;
        this.clock = b.clock;
        this.subjectPrefix = b.subjectPrefix;
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

    /** The principal the claims describe; every refusal names the claim in the token issuer's terms. */
    private Principal principal(JWTClaimsSet claims) {
        if (!(claims.getClaim("sub") instanceof String sub) || !(claims.getClaim("role") instanceof String role)) {
            throw new AuthenticationException("token needs sub and role claims (strings)");
        }
        Role r = ROLES.get(role.toLowerCase(Locale.ROOT));
        if (r == null) {
            throw new AuthenticationException("token claim role must be one of " + ROLE_NAMES);
        }
        Object storesClaim = claims.getClaim("stores");
        Set<String> stores = new HashSet<>();
        if (storesClaim instanceof List<?> list) {
            for (Object store : list) {
                if (!(store instanceof String id) || !Require.isId(id)) {
                    throw new AuthenticationException("token claim stores must be a list of store ids");
                }
                stores.add(id);
            }
        } else if (storesClaim != null) {
            throw new AuthenticationException("token claim stores must be a list of store ids");
        }
        String id = subjectPrefix + sub;
        if (!Require.isId(id)) {
            throw new AuthenticationException("token claim sub must be 1-" + (64 - subjectPrefix.length())
                    + " letters, digits, _ . : - starting with a letter or digit");
        }
        try {
            return new Principal(id, r, stores);
        } catch (ValidationException e) { // a terminal of more or fewer than one store
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
        private String subjectPrefix = DEFAULT_SUBJECT_PREFIX;

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

        /**
         * What goes before a token's {@code sub} to make the principal id: a namespace for this issuer's users, so
         * that they are never taken for principals of another authenticator (an API key's {@code admin}) or another
         * issuer (give each {@code JwtAuthenticator} its own prefix). Up to 32 letters, digits, {@code _ . : -},
         * starting with a letter or digit; or {@code ""}, which uses {@code sub} as it is: only for a server where
         * this is the only authenticator, or whose other principals' ids can never equal a subject of this issuer.
         * Default {@link #DEFAULT_SUBJECT_PREFIX} ({@code jwt:}).
         *
         * @since 0.1.0
         */
        public Builder subjectPrefix(String prefix) {
            Require.notNull("subjectPrefix", prefix);
            if (!prefix.isEmpty() && (prefix.length() > 32 || !Require.isId(prefix))) {
                throw new ValidationException("subjectPrefix", prefix,
                        "must be empty or 1-32 letters, digits, _ . : - starting with a letter or digit");
            }
            this.subjectPrefix = prefix;
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
