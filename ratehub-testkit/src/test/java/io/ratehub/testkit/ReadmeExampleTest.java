package io.ratehub.testkit;

// The consumer test shown in README.md, verbatim: keep the two in step.

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.client.RateHubClient;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.Role;
import io.ratehub.testkit.RateHubExtension.Client;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RateHubExtension.class)
class ReadmeExampleTest {
    static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");

    @Test
    void theCounterQuotesOnlyLiveRates(InMemoryRateHub hub,
                                       @Client(role = Role.TERMINAL, stores = "downtown") RateHubClient counter) {
        hub.engine().setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140");
        counter.subscribeStoreRates("downtown", event -> { });
        hub.awaitIdle();

        assertThat(counter.rate("downtown", USD_CAD).orElseThrow().live()).isTrue();
        var lock = counter.lock("downtown", USD_CAD, Side.SELL, new BigDecimal("1000.00")).join();
        assertThat(lock.counterAmount()).isEqualByComparingTo("1368.11");

        hub.advance(Duration.ofSeconds(11));               // every market source has gone quiet
        assertThat(counter.rate("downtown", USD_CAD).orElseThrow().live()).isFalse();
        assertThat(hub.engine().findLock(lock.lockId())).isPresent();
    }

    @Test
    void aDashboardOverrideReachesTheCounter(InMemoryRateHub hub,
                                              @Client(role = Role.MANAGER, stores = "downtown") RateHubClient owner,
                                              @Client(role = Role.TERMINAL, stores = "downtown") RateHubClient counter) {
        hub.engine().setSpread("downtown", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140");
        counter.subscribeStoreRates("downtown", event -> { });
        owner.setOverride("downtown", USD_CAD, new BigDecimal("1.35500"), new BigDecimal("1.36900"),
                "weekend promotion", null, false).join();
        hub.awaitIdle();

        assertThat(counter.rate("downtown", USD_CAD).orElseThrow().rate().sell()).isEqualByComparingTo("1.36900");
        assertThat(Principal.terminal("x", "downtown").role()).isEqualTo(Role.TERMINAL);
    }
}
