package io.ratehub.testkit;

import io.ratehub.client.RateHubClient;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.protocol.Principal;
import java.util.function.Consumer;

/** The client contract over the in-memory transport. */
class InMemoryClientContractTest extends ClientContractTest {
    @Override
    Fixture newFixture() {
        InMemoryRateHub hub = InMemoryRateHub.create();
        return new Fixture() {
            @Override
            public RateEngine engine() {
                return hub.engine();
            }

            @Override
            public ScriptedMarket market() {
                return hub.market();
            }

            @Override
            public AuditLog audit() {
                return hub.audit();
            }

            @Override
            public RateHubClient client(Principal p, Consumer<RateHubClient.Builder> customizer) {
                return hub.client(p, customizer);
            }

            @Override
            public void cut(RateHubClient client) {
                hub.network(client).disconnect();
                hub.awaitIdle();
                hub.advance(java.time.Duration.ofSeconds(1)); // past the first backoff
            }

            @Override
            public void settle() {
                hub.awaitIdle();
            }

            @Override
            public void close() {
                hub.close();
            }
        };
    }
}
