package io.ratehub.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A protocol client built only on the JDK's own java.net.http WebSocket: an independent check of the server.
 * Collects every text message; {@link #next()} waits for one with a deadline.
 *
 * <p>The JDK delivers a message only after {@code request(n)}; {@link #pauseReading()} stops asking, so the client
 * stops reading from its socket (TCP back-pressure reaches the server), and {@link #resumeReading()} asks again.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** One HTTP client for every test connection: one selector thread instead of one per connection. */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final ArrayDeque<JsonNode> flat = new ArrayDeque<>(); // updates of a batch not yet taken by nextFlat()
    private final ArrayDeque<JsonNode> skipped = new ArrayDeque<>(); // passed over by nextMatching(), in order
    private final StringBuilder partial = new StringBuilder();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private volatile boolean paused;
    private boolean owed; // a request(1) withheld while paused; guarded by this
    WebSocket ws;

    /** Connects, with optional handshake headers. */
    public static WsClient connect(URI uri, Map<String, String> headers) {
        try {
            return connectAsync(uri, headers).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Connects asynchronously. */
    public static CompletableFuture<WsClient> connectAsync(URI uri, Map<String, String> headers) {
        WsClient c = new WsClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(b::header);
        return b.buildAsync(uri, c).thenApply(ws -> {
            c.ws = ws;
            return c;
        });
    }

    /**
     * The HTTP status with which the handshake was refused, or -1 when it succeeded (the connection is then
     * closed again).
     */
    public static int handshakeStatus(URI uri, Map<String, String> headers) {
        return handshakeStatus(uri, headers, WAIT);
    }

    /** As {@link #handshakeStatus(URI, Map)}, failing when the handshake has no outcome within {@code timeout}. */
    public static int handshakeStatus(URI uri, Map<String, String> headers, Duration timeout) {
        try {
            WsClient c = connectAsync(uri, headers).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
            c.close();
            return -1;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        } catch (RuntimeException e) {
            Throwable t = e;
            while (t != null) {
                if (t instanceof WebSocketHandshakeException h) {
                    return h.getResponse().statusCode();
                }
                t = t.getCause();
            }
            throw e;
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            received.incrementAndGet();
            partial.setLength(0);
        }
        askForMore(webSocket);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        askForMore(webSocket);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        // The JDK answers the ping itself; only the demand is ours.
        pings.incrementAndGet();
        askForMore(webSocket);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        askForMore(webSocket);
        return null;
    }

    private void askForMore(WebSocket webSocket) {
        synchronized (this) {
            if (paused) {
                owed = true;
                return;
            }
        }
        webSocket.request(1);
    }

    /** Stops reading: no more messages are taken from the socket until {@link #resumeReading()}. */
    public void pauseReading() {
        synchronized (this) {
            paused = true;
        }
    }

    /** Reads again. */
    public void resumeReading() {
        boolean ask;
        synchronized (this) {
            paused = false;
            ask = owed;
            owed = false;
        }
        if (ask) {
            ws.request(1);
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        closeReason.complete(reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
        closeReason.completeExceptionally(error);
    }

    /** Sends one text message. */
    public WsClient send(String json) {
        ws.sendText(json, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return this;
    }

    /** Sends one binary message. */
    public WsClient sendBinary(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return this;
    }

    /** Text messages received so far (a batch counts as one). */
    public long received() {
        return received.get();
    }

    /** WebSocket pings received (and answered by the JDK) so far. */
    public long pings() {
        return pings.get();
    }

    /** Messages received and not yet taken. */
    public int backlog() {
        return messages.size();
    }

    /**
     * The next message (a batch counts as one), waiting up to 10 seconds. Messages skipped earlier by
     * {@link #nextMatching} come first, in their order.
     */
    public JsonNode next() {
        JsonNode skipped = skippedOrNull();
        return skipped != null ? skipped : next(WAIT);
    }

    private JsonNode skippedOrNull() {
        synchronized (skipped) {
            return skipped.pollFirst();
        }
    }

    /** The next message, waiting up to {@code timeout}. */
    public JsonNode next(Duration timeout) {
        JsonNode n = poll(timeout);
        if (n == null) {
            throw new AssertionError("no message within " + timeout
                    + (closeCode.isDone() ? " (closed: " + closeCode.getNow(null) + ")" : ""));
        }
        return n;
    }

    /** The next message's text exactly as it arrived, waiting up to 10 seconds (bypasses {@link #nextMatching}). */
    public String nextText() {
        try {
            String m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + WAIT);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, or {@code null} when none arrives within {@code timeout}. */
    public JsonNode poll(Duration timeout) {
        try {
            String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return m == null ? null : JSON.readTree(m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON", e);
        }
    }

    /** The next message with the updates of a {@code batch} taken one by one, waiting up to 10 seconds. */
    public JsonNode nextFlat() {
        JsonNode before = skippedOrNull();
        if (before != null) {
            return before;
        }
        return takeFlat();
    }

    private JsonNode takeFlat() {
        if (!flat.isEmpty()) {
            return flat.pollFirst();
        }
        JsonNode n = next(WAIT);
        if (n.path("type").asText().equals("batch")) {
            n.get("updates").forEach(flat::addLast);
            return flat.pollFirst();
        }
        return n;
    }

    /** The first message of {@code type}; see {@link #nextMatching}. */
    public JsonNode nextOfType(String type) {
        return nextMatching(n -> n.path("type").asText().equals(type));
    }

    /**
     * The first message (batches taken apart) that matches, waiting up to 10 seconds for it. The messages before
     * it are kept, in order, for the next calls.
     */
    public JsonNode nextMatching(Predicate<JsonNode> p) {
        synchronized (skipped) {
            for (java.util.Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
                JsonNode n = it.next();
                if (p.test(n)) {
                    it.remove();
                    return n;
                }
            }
        }
        while (true) {
            JsonNode n = takeFlat();
            if (p.test(n)) {
                return n;
            }
            synchronized (skipped) {
                skipped.addLast(n);
            }
        }
    }

    /** Drops the messages kept by {@link #nextMatching}. */
    public void forgetSkipped() {
        synchronized (skipped) {
            skipped.clear();
        }
    }

    /** The reply or error carrying {@code id}; see {@link #nextMatching}. */
    public JsonNode answerTo(String id) {
        return nextMatching(n -> id.equals(n.path("id").asText(null)));
    }

    /** Sends a message carrying {@code "id"} and returns the server's answer to it (skipping updates). */
    public JsonNode call(String json) {
        String id = Json.parse(json).path("id").asText(null);
        if (id == null) {
            throw new IllegalArgumentException("give the message an id");
        }
        send(json);
        return answerTo(id);
    }

    /** Sends {@code {"op":"ping"}} and waits for its pong: proves the connection still works. */
    public void assertAlive() {
        String id = "alive-" + System.nanoTime();
        JsonNode pong = call("{\"op\":\"ping\",\"id\":\"" + id + "\"}");
        if (!pong.path("type").asText().equals("pong")) {
            throw new AssertionError("expected a pong, got " + pong);
        }
    }

    /** The close code, waiting up to 10 seconds. */
    public int awaitClose() {
        return awaitClose(WAIT);
    }

    /** The close code, waiting up to {@code timeout}. */
    public int awaitClose(Duration timeout) {
        return closeCode.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Whether the server closed the connection (or it failed). */
    public boolean isClosed() {
        return closeCode.isDone();
    }

    /** Drops the TCP connection without a closing handshake. */
    public void abort() {
        if (ws != null) {
            ws.abort();
        }
    }

    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        if (ws != null) {
            ws.abort();
        }
    }
}
