package io.ratehub.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** JSON Web Tokens for tests, made with Nimbus: HS256 with a shared secret, RS256 with a generated key pair. */
final class Tokens {
    static final byte[] SECRET = "a-shared-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    static final byte[] OTHER_SECRET = "another-secret-of-at-least-32-bytes!!!".getBytes(StandardCharsets.UTF_8);
    static final String ISSUER = "https://auth.example.test";
    static final String AUDIENCE = "ratehub";
    static final KeyPair RSA = rsa();
    static final KeyPair OTHER_RSA = rsa();

    private Tokens() {
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static RSAPublicKey rsaPublic() {
        return (RSAPublicKey) RSA.getPublic();
    }

    /** Valid claims: sub, role, stores, iss, aud, exp in an hour, iat now. */
    static JWTClaimsSet.Builder claims(String sub, String role, String... stores) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(sub).claim("role", role).claim("stores", List.of(stores))
                .issuer(ISSUER).audience(AUDIENCE).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
    }

    static String hs256(JWTClaimsSet claims) {
        return hs256(SECRET, JWSAlgorithm.HS256, claims);
    }

    static String hs256(byte[] secret, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(secret), alg, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String rs256(KeyPair keys, JWTClaimsSet claims) {
        return sign(new RSASSASigner(keys.getPrivate()), JWSAlgorithm.RS256, claims);
    }

    /** An unsigned token: {@code {"alg":"none"}}. */
    static String none(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    /** A valid HS256 token for {@code sub}, with {@code change} applied to the valid claims. */
    static String hs256(String sub, String role, UnaryOperator<JWTClaimsSet.Builder> change, String... stores) {
        return hs256(change.apply(claims(sub, role, stores)).build());
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
