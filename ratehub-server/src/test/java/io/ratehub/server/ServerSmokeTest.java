package io.ratehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerSmokeTest {
    private static final String KEY = "terminal-key-0123456789";
    private final RateEngine engine = RateEngine.builder().build();
    private final RateHubServer server = RateHubServer.builder().port(0).engine(engine)
            .authenticator(ApiKeyAuthenticator.builder().key(KEY, Principal.terminal("t1", "s1")).build())
            .start();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aTerminalConnectsSubscribesAndSeesARateChange() {
        CurrencyPair usdCad = CurrencyPair.parse("USD/CAD");
        engine.setSpread("s1", usdCad, SpreadRule.bps("50", "50"), "owner");
        assertThat(server.port()).isPositive();
        try (WsClient c = WsClient.connect(server.webSocketUri(), Map.of("X-Api-Key", KEY))) {
            assertThat(c.next().get("type").asText()).isEqualTo("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":\"1\",\"channel\":\"store:s1:rates\"}");
            JsonNode subscribed = c.next();
            assertThat(subscribed.get("type").asText()).isEqualTo("subscribed");
            engine.onQuote(new MarketQuote(usdCad, new BigDecimal("1.36120"), new BigDecimal("1.36140"), "a",
                    Instant.now()));
            JsonNode update = c.nextOfType("update");
            assertThat(update.at("/event/rate/sell").asText()).isEqualTo("1.36811");
        }
    }
}
