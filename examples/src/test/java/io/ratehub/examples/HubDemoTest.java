package io.ratehub.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo hub's printed credentials, tried from outside as a reader of its output would: a manager per store,
 * refused on the other stores, and a JWT secret and ready token that the hub accepts.
 */
class HubDemoTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    @TempDir
    Path dir;
    private Stdio stdio;
    private HubCommand.Running hub;

    @BeforeEach
    void start() throws Exception {
        stdio = new Stdio();
        HubCommand cmd = new HubCommand();
        cmd.host = "127.0.0.1";
        cmd.port = 0;
        cmd.dataDir = dir;
        cmd.tickMillis = 250;
        hub = cmd.start();
    }

    @AfterEach
    void stop() {
        hub.close();
        stdio.close();
    }

    /** The value printed after {@code label} on its own line of the hub's output. */
    private String printed(String label) {
        Matcher m = Pattern.compile("(?m)^    " + Pattern.quote(label) + " +(\\S+)$").matcher(stdio.out());
        assertThat(m.find()).as("'%s' in%n%s", label, stdio.out()).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> send(String method, String path, String header, String value, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.server.httpUri() + path))
                .timeout(Duration.ofSeconds(10)).header(header, value);
        b = body == null ? b.GET() : b.header("Content-Type", "application/json").method(method,
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachStoreHasItsOwnManagerWhoIsRefusedOnTheOtherStores() throws Exception {
        for (String store : HubCommand.STORES) {
            String key = printed("manager-" + store);
            assertThat(send("GET", "/api/stores/" + store + "/rates", "X-Api-Key", key, null).statusCode())
                    .as("%s on its own store", store).isEqualTo(200);
            for (String other : HubCommand.STORES) {
                if (other.equals(store)) {
                    continue;
                }
                HttpResponse<String> read = send("GET", "/api/stores/" + other + "/rates", "X-Api-Key", key, null);
                assertThat(read.statusCode()).as("manager of %s reading %s", store, other).isEqualTo(403);
                assertThat(read.body()).contains("\"code\":\"forbidden\"");
                HttpResponse<String> change = send("POST", "/api/set_spread", "X-Api-Key", key, "{\"storeId\":\""
                        + other + "\",\"pair\":\"USD/CAD\",\"unit\":\"BPS\",\"buyMargin\":\"1\",\"sellMargin\":\"1\"}");
                assertThat(change.statusCode()).as("manager of %s changing %s", store, other).isEqualTo(403);
            }
        }
        assertThat(stdio.out()).doesNotContainPattern("(?m)^    manager +rk_");
    }

    @Test
    void thePrintedTokenIsAcceptedAsTheManagerOfDowntown() throws Exception {
        String token = printed("token");
        assertThat(token).isEqualTo(hub.token);
        HttpResponse<String> own = send("GET", "/api/stores/downtown/rates", "Authorization", "Bearer " + token,
                null);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(send("GET", "/api/stores/airport/rates", "Authorization", "Bearer " + token, null).statusCode())
                .isEqualTo(403);
        assertThat(stdio.out()).contains("curl -H 'Authorization: Bearer " + token + "' ");
    }

    @Test
    void thePrintedSecretSignsTokensTheHubAccepts() throws Exception {
        String secret = printed("secret");
        assertThat(secret).matches("[0-9a-f]{64}");
        String admin = HubCommand.demoToken(secret.getBytes(StandardCharsets.UTF_8), "ops", "admin", List.of(),
                Duration.ofMinutes(5));
        HttpResponse<String> status = send("GET", "/api/status", "Authorization", "Bearer " + admin, null);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        String forged = HubCommand.demoToken("0".repeat(64).getBytes(StandardCharsets.UTF_8), "ops", "admin",
                List.of(), Duration.ofMinutes(5));
        assertThat(send("GET", "/api/status", "Authorization", "Bearer " + forged, null).statusCode())
                .isEqualTo(401);
    }
}
