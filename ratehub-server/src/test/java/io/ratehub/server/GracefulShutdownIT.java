package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.server.ServerFixture.Who;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link RateHubServer#stop(Duration)}: flush, 1001 to everyone, then the resources given to closeOnStop. */
class GracefulShutdownIT {

    @Test
    void everyClientGetsWhatWasQueuedForItThen1001AndOnlyThenIsTheAuditLogClosed() {
        try (ServerFixture f = ServerFixture.startClosingAuditOnStop().withMarket()) {
            AtomicInteger openAtClose = new AtomicInteger(-1);
            AtomicInteger sessionsAtClose = new AtomicInteger(-1);
            f.audit.onClose(() -> {
                openAtClose.set(f.server.protocol().connectionCount());
                sessionsAtClose.set(f.server.hub().sessionCount());
            });
            List<WsClient> clients = new ArrayList<>();
            for (Who who : List.of(Who.ADMIN, Who.MANAGER1, Who.VIEWER1, Who.TERMINAL1, Who.MANAGER2)) {
                WsClient c = f.connect(who);
                c.call(obj("op", "subscribe", "id", "s", "channel", "app:news"));
                c.forgetSkipped();
                clients.add(c);
            }
            int events = 2_000;
            for (int i = 0; i < events; i++) {
                f.server.hub().publishEvent("app:news", Map.of("n", i, "text", "x".repeat(200)));
            }
            long start = System.nanoTime();
            f.server.stop(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            for (WsClient c : clients) {
                int n = 0;
                while (n < events) {
                    JsonNode u = c.nextFlat();
                    assertThat(u.path("type").asText()).as("%s", u).isEqualTo("update");
                    assertThat(u.at("/event/n").asInt()).isEqualTo(n++);
                }
                assertThat(c.awaitClose()).isEqualTo(1001);
                assertThat(c.backlog()).isZero();
            }
            assertThat(f.audit.closeCount()).isEqualTo(1);
            assertThat(openAtClose.get()).as("connections open when the audit log closed").isZero();
            assertThat(sessionsAtClose.get()).as("hub sessions open when the audit log closed").isZero();
        }
    }

    @Test
    void aClientThatDoesNotReadIsEndedAtTheDeadlineAndStopReturns() throws Exception {
        try (ServerFixture f = ServerFixture.startClosingAuditOnStop().withMarket();
             RawWebSocket stuck = RawWebSocket.connect(f.server.webSocketUri(), Who.ADMIN.header())) {
            WsClient reader = f.connect(Who.VIEWER1);
            stuck.sendText("{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"app:big\"}");
            String blob = "{\"blob\":\"" + "b".repeat(64 * 1024) + "\"}";
            // The raw client never reads: once its socket buffers are full the server's queue backs up, and
            // 19 MB more stay queued, so neither the data nor a close frame can reach it before the deadline.
            Await.until("the stuck client backs up", () -> {
                f.server.hub().publishEvent("app:big", blob);
                return f.server.protocol().connections().stream().anyMatch(c -> c.session() != null && c.session().queueDepth() > 0);
            });
            for (int i = 0; i < 300; i++) {
                f.server.hub().publishEvent("app:big", blob);
            }
            long start = System.nanoTime();
            f.server.stop(Duration.ofMillis(500));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("bounded by the deadline (plus the listener's own shutdown)")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(4));
            assertThat(reader.awaitClose()).isEqualTo(1001);
            assertThat(f.audit.isClosed()).isTrue();
            assertThat(f.server.protocol().connectionCount()).isZero();
            // The server ended the TCP connection: reading what the kernel still holds reaches the end of stream.
            assertThat(stuck.read(Duration.ofSeconds(20)).text()).contains("welcome"); // and sets a read timeout
            java.io.InputStream in = stuck.input();
            byte[] buf = new byte[1 << 16];
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int n = 0;
            while (n >= 0) {
                assertThat(System.nanoTime()).as("the stuck client's stream ends").isLessThan(deadline);
                try {
                    n = in.read(buf);
                } catch (java.net.SocketException reset) {
                    n = -1; // a reset ends it too
                }
            }
        }
    }

    @Test
    void stopIsIdempotentAndTheListenerIsGoneAfterwards() {
        ServerFixture f = ServerFixture.startClosingAuditOnStop();
        int port = f.server.port();
        f.server.stop(Duration.ofSeconds(1));
        f.server.stop(Duration.ofSeconds(1));
        f.server.close();
        assertThat(f.audit.closeCount()).isEqualTo(1);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aReplyAlreadySentIsFollowedBy1001() {
        try (ServerFixture f = ServerFixture.start().withMarket()) {
            WsClient c = f.connect(Who.TERMINAL1);
            JsonNode reply = c.call(obj("op", "lock", "id", "l", "storeId", "s1", "pair", "USD/CAD", "side", "SELL",
                    "amount", "10.00"));
            f.server.stop(Duration.ofSeconds(2));
            assertThat(reply.path("type").asText()).isEqualTo("reply");
            assertThat(c.awaitClose()).isEqualTo(1001);
        }
    }

    @Test
    void anUnauthenticatedConnectionIsClosedWith1001Too() {
        try (ServerFixture f = ServerFixture.start()) {
            WsClient c = f.connect(Map.of());
            c.assertAlive();
            f.server.stop(Duration.ofSeconds(2));
            assertThat(c.awaitClose()).isEqualTo(1001);
        }
    }
}
