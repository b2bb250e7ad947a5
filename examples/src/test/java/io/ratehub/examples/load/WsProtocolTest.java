package io.ratehub.examples.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a scripted raw WebSocket peer: the parts of RFC 6455 the ratehub server seldom or never shows
 * (fragmentation, control frames inside a fragmented message, 64-bit lengths, frames split across TCP segments,
 * masked server frames, refused upgrades), and the client's own frames (masked, pong echoing the ping's payload,
 * close echo).
 */
class WsProtocolTest {
    private static final String TIME = "2026-11-22T02:11:37.259185Z";
    private static final List<String> OPENING = List.of("{\"op\":\"auth\",\"id\":\"a\",\"apiKey\":\"k\"}",
            "{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s3:rates\"}");

    private final LoadClient client = new LoadClient(1);
    private final Peer peer = new Peer();

    @AfterEach
    void stop() throws IOException {
        client.close();
        peer.close();
    }

    /** One frame as read by the peer (unmasked). */
    private record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** A blocking one-connection WebSocket server driven by the test thread. */
    private static final class Peer implements AutoCloseable {
        private final ServerSocket server;
        private Socket socket;
        private DataInputStream in;
        private OutputStream out;

        Peer() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                server.setSoTimeout(10_000);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/raw?x=1");
        }

        /** Accepts the connection and reads its upgrade request; returns the request header. */
        String accept() throws IOException {
            socket = server.accept();
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            while (!header.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                header.write(in.readUnsignedByte());
            }
            return header.toString(StandardCharsets.ISO_8859_1);
        }

        static String keyOf(String request) {
            for (String line : request.split("\r\n")) {
                if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
            throw new AssertionError("no key in " + request);
        }

        void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Accepts and completes the upgrade, then reads the opening messages. */
        void open() throws IOException {
            String req = accept();
            assertThat(req).startsWith("GET /raw?x=1 HTTP/1.1\r\n").contains("Upgrade: websocket\r\n")
                    .contains("Sec-WebSocket-Version: 13\r\n").contains("Host: 127.0.0.1:" + server.getLocalPort());
            write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + WsFrames.acceptFor(keyOf(req)) + "\r\n\r\n");
            for (String expected : OPENING) {
                Frame f = read();
                assertThat(f.masked()).isTrue();
                assertThat(f.fin()).isTrue();
                assertThat(f.opcode()).isEqualTo(WsFrames.OP_TEXT);
                assertThat(f.text()).isEqualTo(expected);
            }
        }

        static byte[] frame(boolean fin, int opcode, byte[] payload, boolean mask) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write((fin ? 0x80 : 0) | opcode);
            int m = mask ? 0x80 : 0;
            int len = payload.length;
            if (len < 126) {
                b.write(m | len);
            } else if (len < 65536) {
                b.write(m | 126);
                b.write(len >>> 8);
                b.write(len);
            } else {
                b.write(m | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    b.write((int) ((long) len >>> shift));
                }
            }
            byte[] key = {1, 2, 3, 4};
            if (mask) {
                b.write(key, 0, 4);
            }
            for (int i = 0; i < len; i++) {
                b.write(mask ? payload[i] ^ key[i & 3] : payload[i]);
            }
            return b.toByteArray();
        }

        void send(boolean fin, int opcode, String payload) throws IOException {
            out.write(frame(fin, opcode, payload.getBytes(StandardCharsets.UTF_8), false));
            out.flush();
        }

        void sendText(String payload) throws IOException {
            send(true, WsFrames.OP_TEXT, payload);
        }

        /** Writes {@code bytes} in pieces of {@code piece} bytes, each flushed on its own. */
        void sendInPieces(byte[] bytes, int piece) throws IOException {
            for (int i = 0; i < bytes.length; i += piece) {
                out.write(bytes, i, Math.min(piece, bytes.length - i));
                out.flush();
            }
        }

        Frame read() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            boolean masked = (b1 & 0x80) != 0;
            byte[] key = new byte[4];
            if (masked) {
                in.readFully(key);
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= key[i & 3];
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, masked, payload);
        }

        /** Whether the client closed the TCP connection (reads until end of stream). */
        boolean readsEndOfStream() throws IOException {
            InputStream raw = socket.getInputStream();
            return raw.read() < 0;
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
            server.close();
        }
    }

    private static String update(long seq) {
        return "{\"type\":\"update\",\"channel\":\"store:s3:rates\",\"epoch\":\"abc\",\"seq\":" + seq
                + ",\"key\":\"USD/CAD\",\"event\":{\"type\":\"rate_update\",\"rate\":{\"storeId\":\"s3\","
                + "\"pair\":\"USD/CAD\",\"buy\":\"1.35455\",\"sell\":\"1.36817\",\"mid\":\"1.36136\","
                + "\"basis\":\"MARKET\",\"asOf\":\"" + TIME + "\",\"validUntil\":null,\"stale\":false},"
                + "\"time\":\"" + TIME + "\"}}";
    }

    private static String subscribed(long seq, int count) {
        return "{\"type\":\"subscribed\",\"id\":\"s\",\"channel\":\"store:s3:rates\",\"kind\":\"STATE\","
                + "\"epoch\":\"abc\",\"seq\":" + seq + ",\"recovery\":\"SNAPSHOT\",\"count\":" + count + "}";
    }

    private CompletableFuture<Void> openOne() {
        return client.open(peer.uri(), 1, i -> OPENING, 1);
    }

    /** Samples added up. */
    private record Totals(long updates, long frames, long lost, long outOfOrder, long timed) {
    }

    private Totals awaitUpdates(long target) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long updates = 0;
        long lost = 0;
        long outOfOrder = 0;
        long frames = 0;
        long timed = 0;
        while (updates < target) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out: " + updates + " of " + target + " updates");
            }
            LockSupport.parkNanos(1_000_000);
            LoadSample s = client.sample();
            updates += s.updates();
            lost += s.lost();
            outOfOrder += s.outOfOrder();
            frames += s.frames();
            timed += s.latencyMicros().getTotalCount();
        }
        return new Totals(updates, frames, lost, outOfOrder, timed);
    }

    @Test
    void reassemblesFragmentsAndSplitFramesAndAnswersPings() throws Exception {
        CompletableFuture<Void> opened = openOne();
        peer.open();
        peer.sendText("{\"type\":\"welcome\",\"protocol\":1}");
        peer.sendText(subscribed(100, 1));
        opened.get(10, TimeUnit.SECONDS);
        assertThat(client.openConnections()).isEqualTo(1);
        peer.sendText(update(90)); // the catch-up

        // a ping is answered with a masked pong carrying its payload
        peer.send(true, WsFrames.OP_PING, "hello");
        Frame pong = peer.read();
        assertThat(pong.opcode()).isEqualTo(WsFrames.OP_PONG);
        assertThat(pong.masked()).isTrue();
        assertThat(pong.text()).isEqualTo("hello");

        // update 101 in three fragments, with a ping between them
        String u = update(101);
        peer.send(false, WsFrames.OP_TEXT, u.substring(0, 50));
        peer.send(true, WsFrames.OP_PING, "");
        peer.send(false, WsFrames.OP_CONTINUATION, u.substring(50, 200));
        peer.send(true, WsFrames.OP_CONTINUATION, u.substring(200));
        assertThat(peer.read().opcode()).isEqualTo(WsFrames.OP_PONG);

        // a batch of 300 updates (64-bit length) written in 1000-byte pieces
        StringBuilder batch = new StringBuilder("{\"type\":\"batch\",\"updates\":[");
        for (int seq = 102; seq <= 401; seq++) {
            batch.append(seq > 102 ? "," : "").append(update(seq));
        }
        byte[] big = Peer.frame(true, WsFrames.OP_TEXT, batch.append("]}").toString()
                .getBytes(StandardCharsets.UTF_8), false);
        assertThat(big.length).isGreaterThan(65_536);
        peer.sendInPieces(big, 1000);
        // two updates (16-bit length) written a byte at a time, headers split too
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(Peer.frame(true, WsFrames.OP_TEXT, update(402).getBytes(StandardCharsets.UTF_8), false));
        two.write(Peer.frame(true, WsFrames.OP_TEXT, update(403).getBytes(StandardCharsets.UTF_8), false));
        peer.sendInPieces(two.toByteArray(), 1);

        Totals s = awaitUpdates(303);
        assertThat(s.updates()).isEqualTo(303);
        assertThat(s.frames()).isEqualTo(4);
        assertThat(s.lost()).isZero();
        assertThat(s.outOfOrder()).isZero();
        assertThat(s.timed()).isEqualTo(303);
        assertThat(client.closeCodes()).isEmpty();
    }

    @Test
    void aMaskedServerFrameIsAProtocolError() throws Exception {
        CompletableFuture<Void> opened = openOne();
        peer.open();
        peer.sendText(subscribed(7, 0));
        opened.get(10, TimeUnit.SECONDS);
        peer.out.write(Peer.frame(true, WsFrames.OP_TEXT, update(8).getBytes(StandardCharsets.UTF_8), true));
        peer.out.flush();
        Frame close = peer.read();
        assertThat(close.opcode()).isEqualTo(WsFrames.OP_CLOSE);
        assertThat(close.masked()).isTrue();
        assertThat(((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF)).isEqualTo(1002);
        assertThat(peer.readsEndOfStream()).isTrue();
        assertThat(client.closeCodes()).isEqualTo(Map.of(1002, 1));
        assertThat(client.openConnections()).isZero();
    }

    @Test
    void aCloseFrameIsEchoedAndCounted() throws Exception {
        CompletableFuture<Void> opened = openOne();
        peer.open();
        peer.sendText(subscribed(7, 0));
        opened.get(10, TimeUnit.SECONDS);
        peer.out.write(Peer.frame(true, WsFrames.OP_CLOSE, new byte[] {(byte) (4008 >>> 8), (byte) 4008, 'x'},
                false));
        peer.out.flush();
        Frame echo = peer.read();
        assertThat(echo.opcode()).isEqualTo(WsFrames.OP_CLOSE);
        assertThat(echo.masked()).isTrue();
        assertThat(((echo.payload()[0] & 0xFF) << 8) | (echo.payload()[1] & 0xFF)).isEqualTo(4008);
        assertThat(peer.readsEndOfStream()).isTrue();
        assertThat(client.closeCodes()).isEqualTo(Map.of(4008, 1));
        assertThat(client.openConnections()).isZero();
    }

    @Test
    void aConnectionLostWhileSubscribingFailsTheOpen() throws Exception {
        CompletableFuture<Void> opened = openOne();
        peer.open();
        peer.socket.close();
        assertThatThrownBy(() -> opened.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("connection 0").hasMessageContaining("1006");
        assertThat(client.closeCodes()).isEqualTo(Map.of(1006, 1));
    }

    @Test
    void aRefusedUpgradeFailsTheOpen() throws Exception {
        CompletableFuture<Void> opened = openOne();
        peer.accept();
        peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        assertThatThrownBy(() -> opened.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("upgrade refused: HTTP/1.1 403 Forbidden");
        assertThat(client.openConnections()).isZero();
    }

    @Test
    void aWrongAcceptFailsTheOpen() throws Exception {
        CompletableFuture<Void> opened = openOne();
        peer.accept();
        peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WsFrames.acceptFor("another key") + "\r\n\r\n");
        assertThatThrownBy(() -> opened.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("bad Sec-WebSocket-Accept");
    }

    @Test
    void computesTheRfcAcceptValue() {
        assertThat(WsFrames.acceptFor("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
}
