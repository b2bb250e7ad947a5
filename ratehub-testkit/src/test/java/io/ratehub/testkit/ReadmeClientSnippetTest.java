package io.ratehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client snippet of README.md's "Using the client", verbatim, against a real server on a free port. The
 * second test keeps the two copies identical.
 */
class ReadmeClientSnippetTest {
    private static final Logger log = LoggerFactory.getLogger(ReadmeClientSnippetTest.class);
    private static final String BEGIN = "// ---- README.md \"Using the client\" begins";
    private static final String END = "// ---- README.md \"Using the client\" ends";

    private final RealRateHub hub = new RealRateHub();
    private final List<String> notLive = Collections.synchronizedList(new ArrayList<>());
    private int repaints;

    @AfterEach
    void stop() {
        hub.close();
    }

    private void repaint() {
        repaints++;
    }

    private void showNotLive(String why) {
        notLive.add(why);
    }

    @Test
    void theReadmeClientSnippetRunsAgainstARealHub() throws Exception {
        CurrencyPair usd = CurrencyPair.parse("USD/CAD");
        hub.engine().setSpread("downtown", usd, SpreadRule.bps("50", "50"), "owner");
        hub.engine().setSpread("downtown", CurrencyPair.parse("EUR/CAD"), SpreadRule.bps("80", "80"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140").set("EUR/CAD", "1.47200", "1.47220");
        String[] args = {hub.server().webSocketUri().toString(),
                hub.apiKeyFor(Principal.terminal("counter-1", "downtown"))};

        // ---- README.md "Using the client" begins
        URI hubUri = URI.create(args[0]);                              // ws://127.0.0.1:8080/ratehub for the demo hub
        String apiKey = args[1];                                       // a terminal key of the store (the demo hub prints them)
        RateHubClient client = RateHubClient.builder()
                .uri(hubUri)
                .apiKey(apiKey)                                        // or .bearerToken(jwt)
                .build();
        client.onStateChange(s -> log.info("ratehub {}", s.status())); // CONNECTING, CONNECTED, RECONNECTING(attempt, delay), CLOSED
        client.connect().get(10, TimeUnit.SECONDS);
        client.subscribeStoreRates("downtown", event -> repaint())
                .ready().get(10, TimeUnit.SECONDS);                    // the store's rates are in the cache now

        LiveRate usdCad = client.rate("downtown", CurrencyPair.parse("USD/CAD")).orElseThrow();
        if (usdCad.live()) {                                           // never quote a rate that is not live
            RateLock lock = client.lock("downtown", usdCad.rate().pair(), Side.SELL, new BigDecimal("1000.00")).get();
            client.completeLock(lock.lockId(), "tx-1001").get();
        } else {
            showNotLive(usdCad.notLiveBecause());                      // "not connected", "the market for USD/CAD is stale", ...
        }
        // ---- README.md "Using the client" ends

        client.close();
        assertThat(notLive).as("the rate was live").isEmpty();
        assertThat(client.rates("downtown")).as("ready() means the whole snapshot is cached").hasSize(2);
        assertThat(hub.audit().query(AuditQuery.all()).stream().filter(e -> e.action().equals("lock.completed")))
                .hasSize(1);
    }

    @Test
    void theSnippetAboveIsTheReadmes() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Using the client");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String inReadme = readme.substring(start, readme.indexOf("```", start));

        String source = Files.readString(Path.of("src/test/java/io/ratehub/testkit/ReadmeClientSnippetTest.java"));
        int from = source.indexOf('\n', source.indexOf(BEGIN)) + 1; // (in the constants above the quotes are escaped)
        int to = source.lastIndexOf('\n', source.indexOf(END));
        StringBuilder inTest = new StringBuilder();
        for (String line : source.substring(from, to).split("\n", -1)) {
            inTest.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
        }
        assertThat(inTest.toString().strip()).isEqualTo(inReadme.strip());
    }
}
