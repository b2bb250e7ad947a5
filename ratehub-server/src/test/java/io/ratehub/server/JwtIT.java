package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link JwtAuthenticator} behind the server: HS256 and RS256 accepted; every bad token refused with 4001. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtIT {
    private ServerFixture hs;
    private ServerFixture rs;

    @BeforeAll
    void start() {
        hs = ServerFixture.start(b -> b.authenticator(JwtAuthenticator.builder().hmacSecret(Tokens.SECRET)
                .issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).build())).withMarket();
        rs = ServerFixture.start(b -> b.authenticator(JwtAuthenticator.builder().rsaPublicKey(Tokens.rsaPublic())
                .issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).build())).withMarket();
    }

    @AfterAll
    void stop() {
        hs.close();
        rs.close();
    }

    private static JsonNode welcomeWith(ServerFixture f, String token) {
        WsClient c = f.connect(Map.of("Authorization", "Bearer " + token));
        JsonNode w = c.next();
        assertThat(w.path("type").asText()).as("%s", w).isEqualTo("welcome");
        c.assertAlive();
        c.close();
        return w;
    }

    private static void assertRefused(ServerFixture f, String token) {
        WsClient c = f.connect(Map.of("Authorization", "Bearer " + token));
        JsonNode e = c.next();
        assertThat(e.path("type").asText()).as("%s", e).isEqualTo("error");
        assertThat(e.path("code").asText()).isEqualTo("unauthenticated");
        assertThat(e.path("message").asText()).doesNotContain(token);
        ClientMessages.assertNoInternals(token, e.path("message").asText());
        assertThat(c.awaitClose()).isEqualTo(4001);
    }

    @Test
    void hs256IsAcceptedAndThePrincipalComesFromTheClaims() {
        JsonNode w = welcomeWith(hs, Tokens.hs256("alice", "manager", b -> b, "s2", "s1"));
        assertThat(w.at("/principal/id").asText()).as("behind the default subject prefix")
                .isEqualTo("jwt:alice");
        assertThat(w.at("/principal/role").asText()).isEqualTo("MANAGER");
        assertThat(w.at("/principal/stores").toString()).isEqualTo("[\"s1\",\"s2\"]");
    }

    @Test
    void rs256IsAccepted() {
        JsonNode w = welcomeWith(rs, Tokens.rs256(Tokens.RSA, Tokens.claims("t-7", "terminal", "s1").build()));
        assertThat(w.at("/principal/role").asText()).isEqualTo("TERMINAL");
        assertThat(w.at("/principal/stores").toString()).isEqualTo("[\"s1\"]");
    }

    @Test
    void aTokenInTheAuthMessageIsAcceptedToo() {
        WsClient c = hs.connect(Map.of());
        JsonNode w = c.call(obj("op", "auth", "id", "a", "token", Tokens.hs256("bob", "viewer", b -> b, "s1")));
        assertThat(w.path("type").asText()).isEqualTo("welcome");
        c.close();
    }

    @Test
    void expiryWithinTheClockSkewIsTolerated() {
        Instant now = Instant.now();
        welcomeWith(hs, Tokens.hs256("carol", "viewer", b -> b.expirationTime(Date.from(now.minusSeconds(10))), "s1"));
        welcomeWith(hs, Tokens.hs256("carol", "viewer", b -> b.notBeforeTime(Date.from(now.plusSeconds(10))), "s1"));
    }

    static Stream<Arguments> refusedBySharedSecret() {
        Instant now = Instant.now();
        return Stream.of(
                Arguments.of("expired", Tokens.hs256("u", "viewer", b -> b.expirationTime(
                        Date.from(now.minus(Duration.ofHours(1)))), "s1")),
                Arguments.of("not yet valid (nbf)", Tokens.hs256("u", "viewer", b -> b.notBeforeTime(
                        Date.from(now.plus(Duration.ofHours(1)))), "s1")),
                Arguments.of("wrong iss", Tokens.hs256("u", "viewer", b -> b.issuer("https://evil.example"), "s1")),
                Arguments.of("no iss", Tokens.hs256("u", "viewer", b -> b.issuer(null), "s1")),
                Arguments.of("wrong aud", Tokens.hs256("u", "viewer", b -> b.audience("someone-else"), "s1")),
                Arguments.of("no aud", Tokens.hs256("u", "viewer", b -> b.audience((String) null), "s1")),
                Arguments.of("bad signature", Tokens.hs256(Tokens.OTHER_SECRET, JWSAlgorithm.HS256,
                        Tokens.claims("u", "admin").build())),
                Arguments.of("tampered claims", tamper(Tokens.hs256("u", "viewer", b -> b, "s1"))),
                Arguments.of("alg none", Tokens.none(Tokens.claims("u", "admin").build())),
                Arguments.of("alg none with a signature part", Tokens.none(Tokens.claims("u", "admin").build())
                        + "c2lnbmF0dXJl"),
                Arguments.of("wrong alg HS512", Tokens.hs256(
                        (new String(Tokens.SECRET) + new String(Tokens.SECRET)).getBytes(), JWSAlgorithm.HS512,
                        Tokens.claims("u", "admin").build())),
                Arguments.of("RS256 to an HS256 server", Tokens.rs256(Tokens.RSA, Tokens.claims("u", "admin").build())),
                Arguments.of("no exp", Tokens.hs256("u", "viewer", b -> b.expirationTime(null), "s1")),
                Arguments.of("no sub", Tokens.hs256("u", "viewer", b -> b.subject(null), "s1")),
                Arguments.of("no role", Tokens.hs256("u", "viewer", b -> b.claim("role", null), "s1")),
                Arguments.of("unknown role", Tokens.hs256("u", "superuser", b -> b, "s1")),
                Arguments.of("terminal of two stores", Tokens.hs256("u", "terminal", b -> b, "s1", "s2")),
                Arguments.of("stores not a list", Tokens.hs256("u", "viewer", b -> b.claim("stores", "s1"))),
                Arguments.of("bad subject id", Tokens.hs256("u with spaces", "viewer", b -> b, "s1")),
                Arguments.of("not a JWT", "not-a-jwt"),
                Arguments.of("three garbage parts", "aaa.bbb.ccc"));
    }

    private static String tamper(String jwt) {
        String[] parts = jwt.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"viewer\"", "\"admin\"");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "."
                + parts[2];
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedBySharedSecret")
    void hs256ServerRefuses(String what, String token) {
        assertRefused(hs, token);
    }

    static Stream<Arguments> refusedByPublicKey() {
        JWTClaimsSet valid = Tokens.claims("u", "admin").build();
        return Stream.of(
                Arguments.of("signed with another key", Tokens.rs256(Tokens.OTHER_RSA, valid)),
                Arguments.of("HS256 keyed with the public key", Tokens.hs256(Tokens.rsaPublic().getEncoded(),
                        JWSAlgorithm.HS256, valid)),
                Arguments.of("alg none", Tokens.none(valid)),
                Arguments.of("expired", Tokens.rs256(Tokens.RSA, new JWTClaimsSet.Builder(valid)
                        .expirationTime(Date.from(Instant.now().minus(Duration.ofHours(2)))).build())),
                Arguments.of("wrong aud", Tokens.rs256(Tokens.RSA, new JWTClaimsSet.Builder(valid)
                        .audience(List.of("other")).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedByPublicKey")
    void rs256ServerRefuses(String what, String token) {
        assertRefused(rs, token);
    }

    @Test
    void aRefusedClaimIsExplainedInTheTokensTermsWithoutTheServersClassNames() {
        WsClient c = hs.connect(Map.of("Authorization", "Bearer " + Tokens.hs256("u", "superadmin", b -> b, "s1")));
        assertThat(c.next().path("message").asText())
                .isEqualTo("token claim role must be one of admin, manager, terminal, viewer");
        assertThat(c.awaitClose()).isEqualTo(4001);
        c = hs.connect(Map.of("Authorization", "Bearer " + Tokens.hs256("u", "viewer", b -> b.claim("stores",
                List.of("s1", 7)))));
        assertThat(c.next().path("message").asText()).isEqualTo("token claim stores must be a list of store ids");
        assertThat(c.awaitClose()).isEqualTo(4001);
    }

    @Test
    void anApiKeyIsRefusedByAJwtOnlyServer() {
        WsClient c = hs.connect(Map.of("X-Api-Key", "some-api-key-1234567890"));
        assertThat(c.next().path("code").asText()).isEqualTo("unauthenticated");
        assertThat(c.awaitClose()).isEqualTo(4001);
    }

    @Test
    void aRefusedTokenInTheAuthMessageCloses4001() {
        WsClient c = hs.connect(Map.of());
        JsonNode e = c.call(obj("op", "auth", "id", "a", "token", Tokens.none(Tokens.claims("u", "admin").build())));
        assertThat(e.path("code").asText()).isEqualTo("unauthenticated");
        assertThat(e.path("id").asText()).isEqualTo("a");
        assertThat(c.awaitClose()).isEqualTo(4001);
    }

    @Test
    void theHttpApiAcceptsAndRefusesTheSameTokens() {
        String good = Tokens.hs256("dave", "viewer", b -> b, "s1");
        assertThat(hs.get("/api/stores/s1/rates", Map.of("Authorization", "Bearer " + good)).statusCode())
                .isEqualTo(200);
        String expired = Tokens.hs256("dave", "viewer", b -> b.expirationTime(
                Date.from(Instant.now().minus(Duration.ofHours(1)))), "s1");
        var r = hs.get("/api/stores/s1/rates", Map.of("Authorization", "Bearer " + expired));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(Json.parse(r.body()).path("code").asText()).isEqualTo("unauthenticated");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }
}
