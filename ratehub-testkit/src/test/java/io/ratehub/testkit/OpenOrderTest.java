package io.ratehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.client.ClientTransport;
import io.ratehub.client.ConnectionState;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end on the in-memory hub: whether the handshake (and so the {@code welcome}) completes before or after the
 * client learns of its link, every reconnect ends with every subscription acknowledged and caught up.
 */
class OpenOrderTest {
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private final InMemoryRateHub hub = InMemoryRateHub.create();

    @AfterEach
    void close() {
        hub.close();
    }

    /**
     * Completes each open future only after the link's first message (the welcome) has been handed to the client,
     * as a transport whose handshake finished before its future's handler was attached would.
     */
    static final class WelcomeFirst implements ClientTransport {
        private final ClientTransport inner;

        WelcomeFirst(ClientTransport inner) {
            this.inner = inner;
        }

        @Override
        public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Listener listener) {
            CompletableFuture<Link> out = new CompletableFuture<>();
            AtomicReference<Link> opened = new AtomicReference<>();
            AtomicBoolean heard = new AtomicBoolean();
            inner.open(uri, headers, new Listener() {
                @Override
                public void onText(String text) {
                    listener.onText(text);
                    heard.set(true);
                    Link l = opened.get();
                    if (l != null) {
                        out.complete(l);
                    }
                }

                @Override
                public void onPong() {
                    listener.onPong();
                }

                @Override
                public void onClosed(int code, String reason) {
                    listener.onClosed(code, reason);
                }
            }).whenComplete((l, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                    return;
                }
                opened.set(l);
                if (heard.get()) {
                    out.complete(l);
                }
            });
            return out;
        }
    }

    private void reconnectManyTimes(RateHubClient c, Network network) {
        hub.engine().setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        hub.market().set("USD/CAD", "1.36120", "1.36140");
        c.connect().orTimeout(10, TimeUnit.SECONDS).join();
        hub.awaitIdle();
        c.subscribeStoreRates("s1", e -> { }).ready().orTimeout(10, TimeUnit.SECONDS).join();
        for (int i = 0; i < 20; i++) {
            network.disconnect();
            hub.advance(Duration.ofSeconds(1)); // past the backoff, well within every deadline
            hub.market().refresh();
            hub.awaitIdle();
            assertThat(c.state().status()).as("reconnect " + i).isEqualTo(ConnectionState.Status.CONNECTED);
            LiveRate r = c.rate("s1", USD_CAD).orElseThrow();
            assertThat(r.live()).as("reconnect %d: %s", i, r.notLiveBecause()).isTrue();
            assertThat(r.rate()).isEqualTo(hub.engine().storeRate("s1", USD_CAD).orElseThrow());
        }
        assertThat(network.linksOpened()).isEqualTo(21);
    }

    @Test
    void theWelcomeArrivesBeforeTheLinkIsKnown() {
        InMemoryTransport[] inner = new InMemoryTransport[1];
        RateHubClient c = hub.client(Principal.terminal("t1", "s1"), b -> {
            inner[0] = new InMemoryTransport(hub.protocol(), hub.time());
            b.transport(new WelcomeFirst(inner[0]));
        });
        reconnectManyTimes(c, inner[0]);
    }

    @Test
    void theLinkIsKnownBeforeTheWelcomeArrives() {
        RateHubClient c = hub.client(Principal.terminal("t1", "s1"));
        reconnectManyTimes(c, hub.network(c));
    }
}
