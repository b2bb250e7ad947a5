package io.ratehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratehub.server.ServerFixture.Who;
import io.ratehub.server.internal.GrizzlyContainer;
import io.ratehub.server.internal.WebSocketUpgrade;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.attributes.AttributeHolder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's own WebSocket upgrade (it hands an upgraded connection's bytes straight to Tyrus, past the HTTP codec):
 * frames reach the endpoint however TCP cuts them, frames sent before the 101 are not lost, refusals are complete
 * HTTP responses, and requests that are not for the endpoint still reach the HTTP API.
 */
class WebSocketUpgradeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ServerFixture f;

    @BeforeEach
    void start() {
        f = ServerFixture.start();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static byte[] authFrame() {
        return RawWebSocket.maskedFrame(RawWebSocket.Frame.TEXT,
                ("{\"op\":\"auth\",\"id\":\"a\",\"apiKey\":\"" + Who.VIEWER1.key + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(RawWebSocket.Frame frame) throws IOException {
        assertThat(frame.opcode()).as("opcode").isEqualTo(RawWebSocket.Frame.TEXT);
        return JSON.readTree(frame.text());
    }

    @Test
    void framesSentWithTheUpgradeRequestAreNotLost() throws Exception {
        ByteArrayOutputStream early = new ByteArrayOutputStream();
        early.write(authFrame());
        early.write(RawWebSocket.maskedFrame(RawWebSocket.Frame.TEXT,
                "{\"op\":\"ping\",\"id\":\"p\"}".getBytes(StandardCharsets.UTF_8)));
        try (RawWebSocket raw = RawWebSocket.connect(f.ws(), Map.of(), early.toByteArray())) {
            JsonNode welcome = json(raw.read(Duration.ofSeconds(10)));
            assertThat(welcome.path("type").asText()).as("%s", welcome).isEqualTo("welcome");
            assertThat(welcome.path("id").asText()).isEqualTo("a");
            JsonNode second = json(raw.read(Duration.ofSeconds(10)));
            assertThat(second.path("id").asText()).as("the second early frame is answered too: %s", second)
                    .isEqualTo("p");
        }
    }

    @Test
    void aFrameArrivingOneByteAtATimeIsReassembled() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(f.ws(), Map.of())) {
            raw.noDelay(true);
            for (byte b : authFrame()) {
                raw.sendRaw(new byte[] {b});
            }
            JsonNode welcome = json(raw.read(Duration.ofSeconds(10)));
            assertThat(welcome.path("type").asText()).as("%s", welcome).isEqualTo("welcome");
        }
    }

    @Test
    void manyFramesInOneWriteAreEachAnswered() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(f.ws(), Who.VIEWER1.header())) {
            assertThat(json(raw.read(Duration.ofSeconds(10))).path("type").asText()).isEqualTo("welcome");
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 20; i++) {
                burst.write(RawWebSocket.maskedFrame(RawWebSocket.Frame.TEXT,
                        ("{\"op\":\"ping\",\"id\":\"p" + i + "\"}").getBytes(StandardCharsets.UTF_8)));
            }
            raw.sendRaw(burst.toByteArray());
            for (int i = 0; i < 20; i++) {
                assertThat(json(raw.read(Duration.ofSeconds(10))).path("id").asText()).isEqualTo("p" + i);
            }
        }
    }

    /** The status, the headers and what follows them, read until the server closes the connection. */
    private static String exchange(URI uri, String request) throws IOException {
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII); // to EOF: the server must close
        }
    }

    @Test
    void aRefusedHandshakeGetsACompleteResponseAndTheConnectionCloses() throws Exception {
        String response = exchange(f.ws(), RawWebSocket.upgradeRequest(f.ws(),
                Map.of("Sec-WebSocket-Version", "8")));
        assertThat(response).startsWith("HTTP/1.1 426");
        assertThat(response.toLowerCase(java.util.Locale.ROOT))
                .contains("sec-websocket-version: 13")
                .contains("content-length: 0")
                .contains("connection: close");
        assertThat(f.server.protocol().connectionCount()).isZero();
    }

    @Test
    void anUpgradeWithoutSecWebSocketKeyGetsA400AndTheConnectionCloses() throws Exception {
        String request = "GET " + f.ws().getPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
        for (String extra : List.of("", "Sec-WebSocket-Key: not-base64!\r\n", "Sec-WebSocket-Key: c2hvcnQ=\r\n")) {
            String response = exchange(f.ws(), request.replace("\r\n\r\n", "\r\n" + extra + "\r\n"));
            assertThat(response).as("with %s", extra).startsWith("HTTP/1.1 400");
            assertThat(response.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
            JsonNode body = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertThat(body.path("code").asText()).isEqualTo("bad_request");
            assertThat(body.path("message").asText()).contains("Sec-WebSocket-Key");
        }
        assertThat(f.server.protocol().connectionCount()).isZero();
    }

    /** The address reaches the authenticator's credentials and the connection (whose logs say "from <address>"). */
    @Test
    void refusedAuthenticationsKnowTheClientsAddressOnBothPaths() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerFixture g = ServerFixture.start(b -> b.authenticator(c -> {
            seen.add(String.valueOf(c.remoteAddress()));
            throw new io.ratehub.core.protocol.AuthenticationException("refused for the test");
        }))) {
            WsClient byHeader = g.connect(Map.of("X-Api-Key", "wrong-key-0000000001"));
            assertThat(byHeader.awaitClose()).isEqualTo(4001);
            WsClient byMessage = g.connect(Map.of());
            JsonNode refused = byMessage.call(Json.obj("op", "auth", "id", "a", "apiKey", "wrong-key-0000000002"));
            assertThat(refused.path("code").asText()).isEqualTo("unauthenticated");
            assertThat(byMessage.awaitClose()).isEqualTo(4001);
        }
        assertThat(seen).containsExactly("127.0.0.1", "127.0.0.1");
    }

    @Test
    void anUpgradeRequestForAnotherPathIsAnsweredByTheHttpApi() throws Exception {
        URI other = URI.create("ws://127.0.0.1:" + f.server.port() + "/not-the-endpoint");
        try (Socket s = new Socket(other.getHost(), other.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(RawWebSocket.upgradeRequest(other, Map.of()).getBytes(StandardCharsets.US_ASCII));
            StringBuilder status = new StringBuilder();
            InputStream in = s.getInputStream();
            for (int ch = in.read(); ch >= 0 && ch != '\r'; ch = in.read()) {
                status.append((char) ch);
            }
            assertThat(status.toString()).startsWith("HTTP/1.1 404");
        }
        WsClient ok = f.connect(Who.VIEWER1.header());
        assertThat(ok.next().path("type").asText()).as("the endpoint still upgrades").isEqualTo("welcome");
    }

    /** A plain echo endpoint, for a listener of the test's own. */
    public static final class Echo extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class,
                    (MessageHandler.Whole<String>) text -> session.getAsyncRemote().sendText(text));
        }
    }

    /** A Grizzly listener of the test's own with {@link WebSocketUpgrade} and the echo endpoint at {@code /echo}. */
    private static final class EchoServer implements AutoCloseable {
        final GrizzlyContainer container = new GrizzlyContainer(1 << 16, "/");
        final HttpServer http = new HttpServer();
        final NetworkListener listener = new NetworkListener("test", "127.0.0.1", 0);
        /** The server side of each connection, by the client's port. */
        final Map<Integer, Connection<?>> connections = new ConcurrentHashMap<>();

        EchoServer(int keepAliveIdleSeconds) throws Exception {
            this(keepAliveIdleSeconds, false);
        }

        /** @param tyrusOwnAddOn plug Tyrus in with its own {@code WebSocketAddOn} instead of ours */
        EchoServer(int keepAliveIdleSeconds, boolean tyrusOwnAddOn) throws Exception {
            container.register(ServerEndpointConfig.Builder.create(Echo.class, "/echo").build());
            listener.getKeepAlive().setIdleTimeoutInSeconds(keepAliveIdleSeconds);
            listener.registerAddOn(tyrusOwnAddOn
                    ? new org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn(container, "/")
                    : new WebSocketUpgrade(container));
            listener.registerAddOn((l, chain) -> chain.add(1, new BaseFilter() {
                @Override
                public NextAction handleRead(FilterChainContext ctx) {
                    connections.putIfAbsent(((InetSocketAddress) ctx.getConnection().getPeerAddress()).getPort(),
                            ctx.getConnection());
                    return ctx.getInvokeAction();
                }
            }));
            http.addListener(listener);
            http.start();
            container.start("/", listener.getPort());
        }

        URI echo() {
            return URI.create("ws://127.0.0.1:" + listener.getPort() + "/echo");
        }

        /** The values the server keeps on the connection of the client at {@code port}. */
        List<Object> attributesOf(int port) {
            AttributeHolder holder = connections.get(port).getAttributes();
            List<Object> values = new ArrayList<>();
            for (String name : List.copyOf(holder.getAttributeNames())) {
                values.add(holder.getAttribute(name));
            }
            return values;
        }

        @Override
        public void close() {
            container.stop();
            http.shutdownNow();
        }
    }

    private static boolean httpCodecState(Object value) {
        return value instanceof HttpRequestPacket
                || value != null && value.getClass().getEnclosingClass() == org.glassfish.grizzly.http.HttpServerFilter.class;
    }

    /** The values the server keeps on the connection of a client that upgraded and exchanged a frame. */
    private static List<Object> stateAfterUpgrade(EchoServer server) throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.echo(), Map.of())) {
            ws.sendText("x");
            assertThat(ws.read(Duration.ofSeconds(10)).text()).isEqualTo("x");
            return server.attributesOf(ws.localPort());
        }
    }

    /**
     * The heap figure of the connections benchmark rests on this: once upgraded, a connection keeps nothing of the HTTP
     * codec's. Tyrus's own add-on, beside it, keeps the upgrade request for the connection's life (so the check can
     * see such state when it is there).
     */
    @Test
    void anUpgradedConnectionKeepsNoHttpStateWhereTyrusOwnAddOnKeepsTheRequest() throws Exception {
        try (EchoServer ours = new EchoServer(30);
             EchoServer stock = new EchoServer(30, true)) {
            assertThat(stateAfterUpgrade(stock)).as("Tyrus's WebSocketAddOn").anyMatch(WebSocketUpgradeIT::httpCodecState);
            assertThat(stateAfterUpgrade(ours)).as("WebSocketUpgrade").noneMatch(WebSocketUpgradeIT::httpCodecState);
        }
    }

    /**
     * Grizzly's keep-alive idle timeout (here 1 s, 30 s by default) sits after the HTTP codec, so it no longer sees an
     * upgraded connection's reads; it must not close a quiet WebSocket (the heartbeat looks after those).
     */
    @Test
    void aQuietWebSocketOutlivesTheListenersKeepAliveIdleTimeout() throws Exception {
        try (EchoServer server = new EchoServer(1);
             RawWebSocket raw = RawWebSocket.connect(server.echo(), Map.of())) {
            raw.sendText("one");
            assertThat(raw.read(Duration.ofSeconds(10)).text()).isEqualTo("one");
            // Silence for three of the idle timer's rounds: a close would end this read early with EOF.
            assertThatThrownBy(() -> raw.read(Duration.ofSeconds(3))).isInstanceOf(SocketTimeoutException.class);
            raw.sendText("two");
            assertThat(raw.read(Duration.ofSeconds(10)).text()).isEqualTo("two");
        }
    }
}
