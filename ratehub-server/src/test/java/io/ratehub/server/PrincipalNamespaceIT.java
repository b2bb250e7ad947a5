package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.hub.Priority;
import io.ratehub.core.protocol.Authenticator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Principals of different authenticators never share an id: a token whose {@code sub} is an API-key principal's id
 * ({@code root}, the fixture's admin) is {@code jwt:root}, with its own private channel, its own audit actor and its
 * own connection quota.
 */
class PrincipalNamespaceIT {
    private ServerFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private ServerFixture server(JwtAuthenticator jwt) {
        f = ServerFixture.start(b -> b.authenticator(Authenticator.firstOf(ServerFixture.apiKeys(), jwt)))
                .withMarket();
        return f;
    }

    private static JwtAuthenticator.Builder jwt() {
        return JwtAuthenticator.builder().hmacSecret(Tokens.SECRET);
    }

    private WsClient connectWithToken(String sub, String role, String... stores) {
        WsClient c = f.connect(Map.of("Authorization", "Bearer " + Tokens.hs256(sub, role, b -> b, stores)));
        JsonNode w = c.next();
        assertThat(w.path("type").asText()).as("%s", w).isEqualTo("welcome");
        return c;
    }

    @Test
    void aTokenNamedLikeTheApiKeyAdminCannotReadTheAdminsPrivateChannel() {
        server(jwt().build());
        WsClient viewer = connectWithToken("root", "viewer", "s1");
        JsonNode refused = viewer.call(obj("op", "subscribe", "id", "u", "channel", "user:root"));
        assertThat(refused.path("type").asText()).as("%s", refused).isEqualTo("error");
        assertThat(refused.path("code").asText()).isEqualTo("forbidden");

        JsonNode own = viewer.call(obj("op", "subscribe", "id", "own", "channel", "user:jwt:root"));
        assertThat(own.path("type").asText()).as("%s", own).isEqualTo("subscribed");
        f.server.hub().sendToUser("root", "{\"text\":\"for the admin\"}", Priority.HIGH, Duration.ofHours(1));
        f.server.hub().sendToUser("jwt:root", "{\"text\":\"for the token's user\"}", Priority.HIGH,
                Duration.ofHours(1));
        JsonNode update = viewer.nextFlat();
        assertThat(update.path("channel").asText()).isEqualTo("user:jwt:root");
        assertThat(update.path("event").path("text").asText()).isEqualTo("for the token's user");

        WsClient admin = f.connect(ServerFixture.Who.ADMIN);
        JsonNode box = admin.call(obj("op", "subscribe", "id", "box", "channel", "user:root"));
        assertThat(box.path("count").asInt()).as("%s", box).isEqualTo(1);
        assertThat(admin.nextFlat().path("event").path("text").asText()).isEqualTo("for the admin");
    }

    @Test
    void theWelcomeAndTheAuditTrailCarryTheQualifiedId() {
        server(jwt().build());
        WsClient manager = f.connect(Map.of("Authorization", "Bearer " + Tokens.hs256("root", "manager", b -> b,
                "s1")));
        assertThat(manager.next().at("/principal/id").asText()).isEqualTo("jwt:root");
        JsonNode reply = manager.call(obj("op", "set_spread", "id", "s", "storeId", "s1", "pair", "USD/CAD",
                "unit", "BPS", "buyMargin", "12", "sellMargin", "12"));
        assertThat(reply.path("type").asText()).as("%s", reply).isEqualTo("reply");
        List<AuditEntry> entries = f.audit.entries();
        assertThat(entries.get(entries.size() - 1).actor()).isEqualTo("jwt:root");
    }

    @Test
    void eachIssuerMayHaveItsOwnPrefix() {
        server(jwt().subjectPrefix("idp.example:").build());
        WsClient c = f.connect(Map.of("Authorization", "Bearer " + Tokens.hs256("alice", "viewer", b -> b, "s1")));
        assertThat(c.next().at("/principal/id").asText()).isEqualTo("idp.example:alice");
    }

    @Test
    void anEmptyPrefixIsTheExplicitOptOut() {
        server(jwt().subjectPrefix("").build());
        WsClient c = f.connect(Map.of("Authorization", "Bearer " + Tokens.hs256("alice", "viewer", b -> b, "s1")));
        assertThat(c.next().at("/principal/id").asText()).isEqualTo("alice");
    }

    @Test
    void aSubjectTooLongOnceQualifiedIsRefusedNamingTheClaim() {
        server(jwt().build());
        WsClient c = f.connect(Map.of("Authorization", "Bearer " + Tokens.hs256("a".repeat(61), "viewer",
                b -> b, "s1")));
        JsonNode e = c.next();
        assertThat(e.path("code").asText()).as("%s", e).isEqualTo("unauthenticated");
        assertThat(e.path("message").asText()).startsWith("token claim sub must be 1-60 ");
        assertThat(c.awaitClose()).isEqualTo(4001);
    }

    @Test
    void aBadPrefixIsATypedError() {
        assertThatThrownBy(() -> jwt().subjectPrefix("has space")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("subjectPrefix");
        assertThatThrownBy(() -> jwt().subjectPrefix("p".repeat(33))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> jwt().subjectPrefix(null)).isInstanceOf(ValidationException.class);
    }
}
