package io.ratehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.client.ClientTransport;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.client.internal.TyrusTransport;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over real sockets: the Tyrus transport's WebSocket pings are answered by the server's WebSocket stack and reach
 * the client as pongs, so that an idle link stays audible without spending the server's message budget.
 */
class RealLivenessTest {
    private final RealRateHub hub = new RealRateHub();

    @AfterEach
    void stop() {
        hub.close();
    }

    /** Counts the pongs the Tyrus transport reports. */
    static final class CountingTransport implements ClientTransport {
        final ClientTransport tyrus = new TyrusTransport();
        final AtomicInteger pongs = new AtomicInteger();

        @Override
        public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Listener listener) {
            return tyrus.open(uri, headers, new Listener() {
                @Override
                public void onText(String text) {
                    listener.onText(text);
                }

                @Override
                public void onPong() {
                    pongs.incrementAndGet();
                    listener.onPong();
                }

                @Override
                public void onClosed(int code, String reason) {
                    listener.onClosed(code, reason);
                }
            });
        }
    }

    @Test
    void anIdleLinkIsKeptAudibleByWebSocketPings() {
        CurrencyPair usdCad = CurrencyPair.parse("USD/CAD");
        hub.engine().setSpread("s1", usdCad, SpreadRule.bps("50", "50"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140");
        CountingTransport transport = new CountingTransport();
        RateHubClient c = hub.client(Principal.terminal("t1", "s1"), b -> b.transport(transport)
                .livenessTimeout(Duration.ofSeconds(3)).heartbeatInterval(Duration.ofMillis(100)));
        c.connect().orTimeout(10, TimeUnit.SECONDS).join();
        c.subscribeStoreRates("s1", e -> { }).ready().orTimeout(10, TimeUnit.SECONDS).join();
        Await.until("pongs arrived", () -> transport.pongs.get() >= 5);
        assertThat(c.rate("s1", usdCad).map(LiveRate::live)).contains(true);
    }
}
