package io.ratehub.testkit;

import io.ratehub.client.RateHubClient;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.ProtocolConnection;
import java.util.function.Consumer;

/** The client contract over real Tyrus sockets, against a real server on a free port. */
class RealClientContractTest extends ClientContractTest {
    @Override
    Fixture newFixture() {
        RealRateHub hub = new RealRateHub();
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
                // The server drops every connection: the client sees its link end, as after a network failure.
                for (ProtocolConnection c : hub.server().protocol().connections()) {
                    c.close(1011, "cut by the test");
                }
                Await.until("the client noticed the cut",
                        () -> client.state().status() != io.ratehub.client.ConnectionState.Status.CONNECTED);
            }

            @Override
            public void settle() {
                hub.market().refresh(); // keeps the market fresh while real time passes
            }

            @Override
            public void close() {
                hub.close();
            }
        };
    }
}
