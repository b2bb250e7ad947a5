package io.ratehub.server;

import static io.ratehub.server.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.server.ServerFixture.Who;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API under slow bodies, floods and garbage (issue 12, item 9): authorization before the body, a body
 * deadline without pinned threads, health checks that never wait for the API, per-principal request rates, the API
 * workers' queue, and a malformed request line. Raw sockets where the client must misbehave.
 */
class HttpHardeningIT {
    /** More than Grizzly's worker threads (twice the cores) and the API workers together, on any machine we run. */
    private static final int MANY = Math.max(12, Runtime.getRuntime().availableProcessors() * 2 + 8);

    private final List<ServerFixture> fixtures = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    private ServerFixture server(Consumer<RateHubServer.Builder> config) {
        ServerFixture f = ServerFixture.start(config).withMarket();
        fixtures.add(f);
        return f;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        fixtures.forEach(ServerFixture::close);
    }

    private Socket open(ServerFixture f) throws IOException {
        Socket s = new Socket("127.0.0.1", f.server.port());
        s.setSoTimeout(10_000);
        sockets.add(s);
        return s;
    }

    /** Sends a POST's head, declaring {@code length} bytes of body, and {@code sent} of them. */
    private static void postHead(Socket s, String path, Who who, int length, String sent) throws IOException {
        s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + who.key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n" + sent)
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** One response with a Content-Length, read whole (head and body); fails on a timeout or an early end. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int ch = in.read();
            if (ch < 0) {
                throw new EOFException("closed after " + head);
            }
            head.append((char) ch);
        }
        Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static JsonNode bodyOf(String response) {
        return Json.parse(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    /** Reads until the server closes the connection; fails if it does not within the socket's timeout. */
    private static void assertClosedByServer(Socket s) throws IOException {
        try {
            s.getInputStream().transferTo(OutputSink.INSTANCE);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open", e);
        } catch (java.net.SocketException reset) {
            // closed with a reset: closed all the same
        }
    }

    /** Where bytes read after an answer go. */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }
    }

    private static HttpResponse<String> getWithin(ServerFixture f, String path, Map<String, String> headers,
                                                  Duration deadline) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(f.server.httpUri().resolve(path)).GET();
        headers.forEach(b::header);
        try {
            return WsClient.HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                    .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(path + " did not answer within " + deadline, e);
        }
    }

    // ------------------------------------------------------------------ authorization before the body

    @Test
    void aCommandThePrincipalMayNeverRunIsRefusedAt403BeforeItsBodyArrives() throws Exception {
        ServerFixture f = server(b -> b.httpApi(HttpApiSettings.builder().bodyTimeout(Duration.ofSeconds(2)).build()));
        Socket s = open(f);
        s.setSoTimeout(3_000); // well inside the body deadline: the answer must not wait for the body
        postHead(s, "/api/set_spread", Who.VIEWER1, 100, "{\"sto");
        String answer = readResponse(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 403");
        assertThat(answer.toLowerCase(Locale.ROOT)).contains("connection: close");
        assertThat(bodyOf(answer).path("code").asText()).isEqualTo("forbidden");
        s.setSoTimeout(10_000);
        assertClosedByServer(s); // at the latest at the body deadline, since the rest never comes
    }

    @Test
    void aTerminalMayNotPostPricingCommandsAndARefusedClientThatSendsItsBodyStillReadsTheAnswer() {
        ServerFixture f = server(b -> { });
        HttpResponse<String> r = f.post("/api/set_override", obj("storeId", "s1", "pair", "USD/CAD", "buy", "1.355",
                "sell", "1.369", "reason", "r"), Who.TERMINAL1);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(Json.parse(r.body()).path("code").asText()).isEqualTo("forbidden");
        assertThat(f.audit.entries()).as("nothing audited").noneMatch(e -> e.action().startsWith("override"));
    }

    // ------------------------------------------------------------------ the body deadline

    @Test
    void aBodyTooSlowGets408AndItsConnectionCloses() throws Exception {
        ServerFixture f = server(b -> b.httpApi(HttpApiSettings.builder().bodyTimeout(Duration.ofMillis(500))
                .build()));
        Socket s = open(f);
        postHead(s, "/api/lock", Who.TERMINAL1, 200, "{\"storeId\":\"s1\",");
        String answer = readResponse(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 408");
        assertThat(answer.toLowerCase(Locale.ROOT)).contains("connection: close");
        JsonNode body = bodyOf(answer);
        assertThat(body.path("code").asText()).isEqualTo("request_timeout");
        assertThat(body.path("message").asText()).contains("PT0.5S");
        assertClosedByServer(s);
        assertThat(f.engine.findLock("L-1")).isEmpty();
    }

    @Test
    void aBodyThatArrivesInPiecesWithinTheDeadlineIsRead() throws Exception {
        ServerFixture f = server(b -> { });
        String lock = obj("storeId", "s1", "pair", "USD/CAD", "side", "SELL", "amount", "5.00");
        Socket s = open(f);
        s.setTcpNoDelay(true);
        postHead(s, "/api/lock", Who.TERMINAL1, lock.length(), "");
        for (char c : lock.toCharArray()) {
            s.getOutputStream().write(c);
            s.getOutputStream().flush();
        }
        String answer = readResponse(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(bodyOf(answer).at("/result/lock/status").asText()).isEqualTo("ACTIVE");
    }

    // ------------------------------------------------------------------ health never waits for the API

    @Test
    void healthAnswersWithinASecondWhileSlowBodiesHoldMoreConnectionsThanThereAreWorkers() throws Exception {
        ServerFixture f = server(b -> b.httpApi(HttpApiSettings.builder().bodyTimeout(Duration.ofSeconds(30))
                .requestBurst(MANY + 10).build()));
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
            Socket s = open(f);
            postHead(s, "/api/lock", Who.TERMINAL1, 500, "{");
            slow.add(s);
        }
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            HttpResponse<String> live = getWithin(f, "/health/live", Map.of(), Duration.ofSeconds(1));
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(getWithin(f, "/health/ready", Map.of(), Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(getWithin(f, "/api/market", Who.ADMIN.header(), Duration.ofSeconds(5)).statusCode())
                .as("the API itself still answers").isEqualTo(200);
        WsClient ws = f.connect(Who.VIEWER1);
        assertThat(ws.call(obj("op", "ping", "id", "p")).path("type").asText()).as("and the WebSocket")
                .isEqualTo("pong");
        for (Socket s : slow) { // the slow requests are still waiting for their bodies, not refused
            s.setSoTimeout(200);
            try {
                int b = s.getInputStream().read();
                throw new AssertionError("a slow request was answered early: " + (char) b);
            } catch (SocketTimeoutException expected) {
                // still waiting
            }
        }
    }

    @Test
    void healthAnswersWhileEveryApiWorkerIsStalledAndTheQueueRefusesPastItsBound() throws Exception {
        int workers = 2;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stalled = new AtomicInteger();
        ServerFixture f = server(b -> b.httpApi(HttpApiSettings.builder().workers(workers).maxQueuedRequests(1)
                .build()).onRequest("stall", (p, body) -> {
                    stalled.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS); // an application handler that blocks its thread
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return CompletableFuture.completedFuture(Map.of("ok", true));
                }));
        try {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                calls.add(postAsync(f, "/api/request", obj("name", "stall"), Who.VIEWER1));
            }
            Await.until("every API worker is stalled", () -> stalled.get() == workers);
            CompletableFuture<HttpResponse<String>> queued = postAsync(f, "/api/market", "{}", Who.ADMIN);
            Await.until("one request waits in the queue", () -> queuedRequests(f) == 1);

            assertThat(getWithin(f, "/health/live", Map.of(), Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
            assertThat(getWithin(f, "/health/ready", Map.of(), Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
            assertThat(getWithin(f, "/board/", Map.of(), Duration.ofSeconds(1)).statusCode()).isEqualTo(200);

            HttpResponse<String> refused = getWithin(f, "/api/market", Who.ADMIN.header(), Duration.ofSeconds(5));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(Json.parse(refused.body()).path("code").asText()).isEqualTo("overloaded");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

            release.countDown();
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                assertThat(c.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).as("POST on a read: 405, once a worker is free")
                    .isEqualTo(405);
        } finally {
            release.countDown();
        }
    }

    private static int queuedRequests(ServerFixture f) {
        return f.server.httpApiQueueLength();
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(ServerFixture f, String path, String body,
                                                                     Who who) {
        // HTTP/1.1 outright: an h2c upgrade attempt may hold the client's next request to the host until it is
        // answered, and the first request here is one that does not answer until the test releases it
        HttpRequest r = HttpRequest.newBuilder(f.server.httpUri().resolve(path)).version(HttpClient.Version.HTTP_1_1)
                .header("X-Api-Key", who.key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return WsClient.HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ request rates per principal

    @Test
    void eachPrincipalHasARequestBudgetForReadsAndCommandsTogether() throws Exception {
        ServerFixture f = server(b -> b.httpApi(HttpApiSettings.builder().requestsPerMinute(1).requestBurst(3)
                .build()));
        String spread = obj("storeId", "s1", "pair", "USD/CAD", "unit", "BPS", "buyMargin", "40", "sellMargin",
                "40");
        assertThat(f.get("/api/market", Who.MANAGER1).statusCode()).isEqualTo(200);
        assertThat(f.post("/api/set_spread", spread, Who.MANAGER1).statusCode()).isEqualTo(200);
        assertThat(f.get("/api/stores/s1/rates", Who.MANAGER1).statusCode()).isEqualTo(200);
        int audited = f.audit.entries().size();

        HttpResponse<String> read = f.get("/api/market", Who.MANAGER1);
        assertThat(read.statusCode()).isEqualTo(429);
        assertThat(Json.parse(read.body()).path("code").asText()).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(read.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);

        HttpResponse<String> command = f.post("/api/set_spread", spread, Who.MANAGER1);
        assertThat(command.statusCode()).isEqualTo(429);
        assertThat(Json.parse(command.body()).path("code").asText()).isEqualTo("rate_limited");
        assertThat(command.headers().firstValue("Retry-After")).isPresent();
        assertThat(f.audit.entries()).as("a refused command writes no audit entry").hasSize(audited);

        assertThat(f.get("/api/market", Who.MANAGER2).statusCode()).as("another principal").isEqualTo(200);
        for (int i = 0; i < 20; i++) {
            assertThat(f.get("/health/live", Map.of()).statusCode()).as("health is not counted").isEqualTo(200);
            assertThat(f.get("/board/", Map.of()).statusCode()).as("nor the board").isEqualTo(200);
        }
    }

    @Test
    void theDefaultRequestBudgetIsTheWebSocketsPerConnectionRate() {
        HttpApiSettings d = HttpApiSettings.defaults();
        assertThat(d.requestsPerMinute()).isEqualTo(io.ratehub.core.protocol.ProtocolSettings.DEFAULT_MESSAGES_PER_MINUTE);
        assertThat(d.requestBurst()).isEqualTo(io.ratehub.core.protocol.ProtocolSettings.DEFAULT_MESSAGE_BURST);
        assertThat(d.bodyTimeout()).isEqualTo(Duration.ofSeconds(5));
        ServerFixture f = server(b -> { });
        int ok = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 150 && (last == null || last.statusCode() == 200); i++) {
            last = f.get("/api/market", Who.VIEWER1);
            if (last.statusCode() == 200) {
                ok++;
            }
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(ok).isBetween(100, 102); // the burst, and what refills while the loop runs
    }

    // ------------------------------------------------------------------ malformed requests

    /** The bytes the server sends until it closes the connection; fails if it keeps it open. */
    private String exchange(ServerFixture f, byte[] request) throws IOException {
        Socket s = open(f);
        s.setSoTimeout(5_000);
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            s.getInputStream().transferTo(got);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server held the connection; got: "
                    + got.toString(StandardCharsets.ISO_8859_1), e);
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aMalformedRequestLineGetsA400AndTheConnectionCloses() throws Exception {
        ServerFixture f = server(b -> { });
        for (String garbage : List.of("GARBAGE\r\n\r\n", "\u0001\u0002\u0003", "hello\r\n", "GET /health/live\r\n\r\n",
                "G\u00e9T / HTTP/1.1\r\n\r\n", "x".repeat(40))) {
            String answer = exchange(f, garbage.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(answer).as("answer to %s", garbage).startsWith("HTTP/1.1 400");
            assertThat(answer.toLowerCase(Locale.ROOT)).contains("connection: close")
                    .contains("content-type: application/json");
            assertThat(bodyOf(answer).path("code").asText()).isEqualTo("bad_request");
        }
        // a well-formed request on a kept-alive connection after another is still served
        String two = exchange(f, ("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(two).contains("{\"status\":\"UP\"}").contains("{\"status\":\"READY\"}");
    }

    @Test
    void aGarbageLineAfterAGoodRequestOnAKeptAliveConnectionGetsA400() throws Exception {
        ServerFixture f = server(b -> { });
        Socket s = open(f);
        s.setSoTimeout(5_000);
        s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        s.getOutputStream().write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String answer = readResponse(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 400");
        assertClosedByServer(s);
    }
}
